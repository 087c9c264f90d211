/**
 * One task hub held in memory: its instances, histories, message queues, activities and
 * leases, with the changes the port makes to them. `MemoryStorage` is this model behind the
 * port; the KV store keeps the same model in its writer's memory and rebuilds it from its log.
 *
 * Commits are map operations; leasing takes due instances from a heap of visible times and
 * lapsed activity leases from a heap of expiries; queries and purges scan. Leases live only
 * here: `contents()` is the durable part, and a model rebuilt from it (`restore`) has every
 * message and activity unleased.
 * @module
 */
import { parseTime } from '../clock.js';
import { MinHeap } from '../heap.js';
import { type HistoryEvent, RUNTIME_STATUSES, type RuntimeStatus } from '../history.js';
import { uniqueId } from '../ids.js';
import { createRefusal, type EpisodeFacts, episodeRefusal } from './commit-rules.js';
import type {
  ActivityWorkItem,
  CountFilter,
  EpisodeCommit,
  HistoryPage,
  InstanceCounts,
  InstancePage,
  InstanceQuery,
  InstanceRecord,
  Lease,
  LeasedActivity,
  OrchestrationMessage,
  OrchestrationWorkItem,
  PurgeFilter,
  ReleasedLeases,
} from './port.js';
import { firstMatches, matchesQuery, normalizeCountFilter, normalizePurgeFilter, normalizeQuery, toPage, zeroCounts } from './query.js';
import { copyRecord, type InstanceRow, instanceRecord } from './record.js';

/** A queued message; `at` is when it becomes visible (epoch ms), later than `visibleAt` after an abandon that delays it. */
export interface QueuedMessage {
  message: OrchestrationMessage;
  at: number;
}

/** A queued activity; `token` is set while a lease holds it (a lapsed one stays until the activity is leased again). */
interface QueuedActivity {
  item: ActivityWorkItem;
  at: number;
  token?: string;
  expiresAt: number;
  deliveries: number;
}

/** The durable contents of a hub, without leases. */
export interface HubContents {
  instances: InstanceRecord[];
  histories: [string, HistoryEvent[]][];
  inbox: [string, QueuedMessage[]][];
  activities: { item: ActivityWorkItem; at: number }[];
}

/** An episode's durable effects: what `applyEpisode` writes (the lease and direct completions are handled apart). */
export type EpisodeEffects = Omit<EpisodeCommit, 'lease' | 'completesActivities' | 'leaseActivities'>;

export class HubState {
  private readonly instances = new Map<string, InstanceRecord>();
  /** How many of `instances` are in each status: kept by `putInstance` and `deleteInstance`, the only writers of `instances`. */
  private readonly counts = zeroCounts();
  private readonly histories = new Map<string, HistoryEvent[]>();
  /** Per-instance message queues in arrival order; an instance without messages has none. */
  private readonly inbox = new Map<string, QueuedMessage[]>();
  /** Instances that may have a visible message, in the order they are offered to workers. */
  private readonly ready = new Set<string>();
  /** When instances' messages become visible; stale entries (consumed, purged) are skipped when popped. */
  private readonly delayed = new MinHeap<string>();
  private readonly locks = new Map<string, Lease>();
  /** In the order they are offered to workers: a lapsed lease goes to the back. */
  private readonly activities = new Map<string, QueuedActivity>();
  private readonly activityExpiries = new MinHeap<string>();

  get isEmpty(): boolean {
    return this.instances.size === 0 && this.inbox.size === 0 && this.activities.size === 0;
  }

  /** Empties the hub in place, so that whoever holds it sees the deletion. */
  clear(): void {
    for (const map of [this.instances, this.histories, this.inbox, this.locks, this.activities]) map.clear();
    for (const status of RUNTIME_STATUSES) this.counts[status] = 0;
    this.ready.clear();
  }

  static restore(contents: HubContents): HubState {
    const state = new HubState();
    for (const record of contents.instances) state.putInstance(record);
    for (const [instanceId, events] of contents.histories) state.histories.set(instanceId, events);
    for (const [instanceId, queue] of contents.inbox) {
      state.inbox.set(instanceId, queue);
      for (const q of queue) state.delayed.push(q.at, instanceId);
    }
    for (const { item, at } of contents.activities) state.activities.set(item.id, { item, at, expiresAt: 0, deliveries: 0 });
    return state;
  }

  contents(): HubContents {
    return {
      instances: [...this.instances.values()],
      histories: [...this.histories],
      inbox: [...this.inbox],
      activities: [...this.activities.values()].map(({ item, at }) => ({ item, at })),
    };
  }

  // ---- reads and rules ----

  getInstance(instanceId: string): InstanceRecord | undefined {
    const record = this.instances.get(instanceId);
    return record && copyRecord(record);
  }

  status(instanceId: string): RuntimeStatus | undefined {
    return this.instances.get(instanceId)?.runtimeStatus;
  }

  getHistory(instanceId: string): HistoryEvent[] {
    return this.histories.get(instanceId)?.slice() ?? [];
  }

  historyPage(instanceId: string, from: number, top: number): HistoryPage {
    const history = this.histories.get(instanceId) ?? [];
    return { events: history.slice(from, from + top), total: history.length };
  }

  hasMessages(instanceId: string): boolean {
    return this.inbox.has(instanceId);
  }

  query(query: InstanceQuery): InstancePage {
    const q = normalizeQuery(query);
    return toPage(firstMatches(this.instances.values(), q).map(copyRecord), q.pageSize);
  }

  /**
   * Per-status counts: the maintained counters without a time range; with one, a pass over
   * the rows, as `query` and `purgeable` make. A sorted creation-time index per status would
   * cost every status change a splice, O(n) when a backlog drains from the front.
   */
  count(filter: CountFilter): InstanceCounts {
    const range = normalizeCountFilter(filter);
    if (range.createdTimeFrom === undefined && range.createdTimeTo === undefined) return { ...this.counts };
    const counts = zeroCounts();
    for (const record of this.instances.values()) if (matchesQuery(record, range)) counts[record.runtimeStatus]++;
    return counts;
  }

  /** The IDs of the instances a purge by `filter` deletes. */
  purgeable(filter: PurgeFilter): string[] {
    const q = normalizePurgeFilter(filter);
    const ids: string[] = [];
    for (const record of this.instances.values()) if (matchesQuery(record, q)) ids.push(record.instanceId);
    return ids;
  }

  createRefusal(instanceId: string): Error | undefined {
    return createRefusal(instanceId, this.status(instanceId));
  }

  /** Why `e` cannot commit (see `commit-rules.ts`); the version alone fences it, one writer holding the hub. */
  episodeRefusal(e: EpisodeCommit): Error | undefined {
    const direct = e.completesActivities;
    const facts: EpisodeFacts = {
      version: this.instances.get(e.instanceId)?.version,
      childStatuses: e.newInstances.map(({ record }) => this.status(record.instanceId)),
    };
    if (direct) {
      facts.messageWaiting = this.inbox.get(e.instanceId)?.some((q) => q.at <= direct.now) ?? false;
      facts.activityTokens = direct.activities.map(({ item }) => this.activities.get(item.id)?.token);
    }
    return episodeRefusal(e, facts);
  }

  // ---- durable changes ----

  /** Creates an instance at version 1, replacing any with its ID along with everything it had, and queues its start. */
  install(row: InstanceRow, start: OrchestrationMessage): InstanceRecord {
    if (this.instances.has(row.instanceId)) this.remove(row.instanceId);
    const created = instanceRecord(row, 1);
    this.putInstance(created);
    this.histories.set(row.instanceId, []);
    this.enqueue(start);
    return created;
  }

  enqueue(message: OrchestrationMessage): void {
    const queued = { message, at: parseTime(message.visibleAt) };
    const queue = this.inbox.get(message.instanceId);
    if (queue) queue.push(queued);
    else this.inbox.set(message.instanceId, [queued]);
    this.delayed.push(queued.at, message.instanceId);
  }

  /** Writes an episode at `version`: status row, history, consumed and sent messages, scheduled activities, children. */
  applyEpisode(e: EpisodeEffects, version: number): void {
    this.putInstance(instanceRecord(e.instance, version));
    if ('replace' in e.history) this.histories.set(e.instanceId, e.history.replace.slice());
    else {
      const history = this.histories.get(e.instanceId);
      if (history) for (const event of e.history.append) history.push(event);
      else this.histories.set(e.instanceId, e.history.append.slice());
    }
    this.discard(e.instanceId, e.consumedMessageIds);
    for (const m of e.messages) this.enqueue(m);
    for (const a of e.activities) this.activities.set(a.id, { item: a, at: parseTime(a.enqueuedTime), expiresAt: 0, deliveries: 0 });
    for (const child of e.newInstances) this.install(child.record, child.start);
  }

  /** Deletes an activity that was completed (its result queued or recorded in an episode). */
  deleteActivity(itemId: string): void {
    this.activities.delete(itemId);
  }

  /** Deletes messages from an instance's queue. */
  discard(instanceId: string, ids: readonly string[]): void {
    const queue = this.inbox.get(instanceId);
    if (!queue || ids.length === 0) return;
    // Usually an episode consumes every message it was given, in order: the whole queue.
    if (queue.length === ids.length && queue.every((q, i) => q.message.id === ids[i])) {
      this.inbox.delete(instanceId);
      return;
    }
    const gone = new Set(ids);
    const left = queue.filter((q) => !gone.has(q.message.id));
    if (left.length) this.inbox.set(instanceId, left);
    else this.inbox.delete(instanceId);
  }

  /** Deletes an instance with its history, messages, lease and activities. */
  remove(instanceId: string): void {
    this.deleteInstance(instanceId);
    this.histories.delete(instanceId);
    this.inbox.delete(instanceId);
    this.locks.delete(instanceId);
    this.ready.delete(instanceId);
    for (const [id, queued] of this.activities) if (queued.item.instanceId === instanceId) this.activities.delete(id);
  }

  private putInstance(record: InstanceRecord): void {
    const old = this.instances.get(record.instanceId);
    if (old) this.counts[old.runtimeStatus]--;
    this.instances.set(record.instanceId, record);
    this.counts[record.runtimeStatus]++;
  }

  private deleteInstance(instanceId: string): void {
    const old = this.instances.get(instanceId);
    if (!old) return;
    this.instances.delete(instanceId);
    this.counts[old.runtimeStatus]--;
  }

  // ---- leases ----

  leaseOrchestration(now: number, lockMs: number): OrchestrationWorkItem | undefined {
    while ((this.delayed.peekKey() ?? Infinity) <= now) this.ready.add(this.delayed.pop()!);
    for (const instanceId of this.ready) {
      const item = this.tryLease(instanceId, now, lockMs);
      if (item) return item;
    }
    return undefined;
  }

  /** Leases the instance if no live lease holds it and it has visible messages. */
  tryLease(instanceId: string, now: number, lockMs: number): OrchestrationWorkItem | undefined {
    const lock = this.locks.get(instanceId);
    if (lock && lock.expiresAt > now) return undefined;
    // Oldest first by the time each message became due: a timer that fired after an event was raised comes after it.
    const visible = (this.inbox.get(instanceId) ?? []).filter((q) => q.at <= now).sort((a, b) => a.at - b.at);
    if (visible.length === 0) {
      this.ready.delete(instanceId);
      return undefined;
    }
    const lease = { token: uniqueId(), expiresAt: now + lockMs };
    this.locks.set(instanceId, { ...lease });
    // Move to the back so that one busy instance cannot starve the others.
    this.ready.delete(instanceId);
    this.ready.add(instanceId);
    return { instanceId, messages: visible.map((q) => q.message), lease };
  }

  /** Releases the instance's lock if `lease` holds it; returns whether it did. */
  release(instanceId: string, lease: Lease | undefined): boolean {
    if (!lease || this.locks.get(instanceId)?.token !== lease.token) return false;
    this.locks.delete(instanceId);
    return true;
  }

  /** Releases a work item's lease, its messages not visible before `visibleAt` if given; false if the lease was lost. */
  abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): boolean {
    if (!this.release(workItem.instanceId, workItem.lease)) return false;
    if (visibleAt !== undefined) {
      const ids = new Set(workItem.messages.map((m) => m.id));
      for (const q of this.inbox.get(workItem.instanceId) ?? []) if (ids.has(q.message.id)) q.at = Math.max(q.at, visibleAt);
      this.delayed.push(visibleAt, workItem.instanceId);
    }
    return true;
  }

  leaseActivity(now: number, lockMs: number): LeasedActivity | undefined {
    while ((this.activityExpiries.peekKey() ?? Infinity) <= now) {
      const id = this.activityExpiries.pop()!;
      const queued = this.activities.get(id);
      // A lapsed lease goes to the back of the queue, delivered again.
      if (queued?.token && queued.expiresAt <= now) {
        this.activities.delete(id);
        queued.token = undefined;
        this.activities.set(id, queued);
      }
    }
    for (const queued of this.activities.values()) {
      if (queued.token || queued.at > now) continue;
      return this.leaseQueued(queued, now, lockMs);
    }
    return undefined;
  }

  /** Leases an activity an episode just scheduled to its committer (eager dispatch). */
  leaseScheduled(itemId: string, now: number, lockMs: number): LeasedActivity {
    return this.leaseQueued(this.activities.get(itemId)!, now, lockMs);
  }

  private leaseQueued(queued: QueuedActivity, now: number, lockMs: number): LeasedActivity {
    queued.token = uniqueId();
    queued.expiresAt = now + lockMs;
    queued.deliveries += 1;
    this.activityExpiries.push(queued.expiresAt, queued.item.id);
    return { item: { ...queued.item }, lease: { token: queued.token, expiresAt: queued.expiresAt }, deliveryCount: queued.deliveries };
  }

  holdsActivity(leased: LeasedActivity): boolean {
    return this.activities.get(leased.item.id)?.token === leased.lease.token;
  }

  /** Releases an activity's lease, not visible before `visibleAt` if given; false if the lease was lost. */
  abandonActivity(leased: LeasedActivity, visibleAt?: number): boolean {
    const queued = this.activities.get(leased.item.id);
    if (!queued || queued.token !== leased.lease.token) return false;
    queued.token = undefined;
    if (visibleAt !== undefined) queued.at = visibleAt;
    return true;
  }

  /** Releases every instance and activity lease (`TaskHubStore.releaseLeases`); returns how many of each. */
  releaseLeases(): ReleasedLeases {
    const instances = this.locks.size;
    this.locks.clear();
    let activities = 0;
    for (const queued of this.activities.values()) {
      if (!queued.token) continue;
      queued.token = undefined;
      activities++;
    }
    return { instances, activities };
  }

  /** The earliest time (epoch ms) at which a message or a lapsed lease may make something leasable. */
  nextWakeTime(): number | undefined {
    // Drop expiries of activities that completed or were leased again since.
    for (;;) {
      const top = this.activityExpiries.peekKey();
      if (top === undefined) break;
      const id = this.activityExpiries.pop()!;
      const queued = this.activities.get(id);
      if (queued?.token && queued.expiresAt === top) {
        this.activityExpiries.push(top, id);
        break;
      }
    }
    let next = Math.min(this.delayed.peekKey() ?? Infinity, this.activityExpiries.peekKey() ?? Infinity);
    for (const [instanceId, lock] of this.locks) if (this.ready.has(instanceId)) next = Math.min(next, lock.expiresAt);
    for (const queued of this.activities.values()) if (!queued.token) next = Math.min(next, queued.at);
    return Number.isFinite(next) ? next : undefined;
  }
}
