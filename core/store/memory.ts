/**
 * The in-memory store: the reference adapter and the simulator's store. Everything is
 * kept in maps with O(1) commit and lease paths; queries scan (it is memory).
 * @module
 */
import { InstanceAlreadyExistsError, VersionConflictError } from '../errors.js';
import { MinHeap } from '../heap.js';
import { isTerminal, type HistoryEvent, type RuntimeStatus } from '../history.js';
import { uniqueId } from '../ids.js';
import { pushMessage, removeMessages, type Inboxes } from './inbox.js';
import { copyRecord, instanceRecord } from './record.js';
import { parseTime } from '../clock.js';
import { validateTaskHubName } from '../limits.js';
import type {
  ActivityCompletion, ActivityWorkItem, CommitOutcome, CompletionOutcome, EpisodeCommit, InstancePage, InstanceQuery, InstanceRecord,
  LeasedActivity, NewInstance, OrchestrationMessage, OrchestrationWorkItem, PurgeFilter, Storage, StoreNotification, TaskHubStore,
} from './port.js';
import { firstMatches, matchesQuery, normalizePurgeFilter, normalizeQuery, toPage } from './query.js';

const WORK: StoreNotification = { kind: 'work' };

interface QueuedActivity { item: ActivityWorkItem; at: number; token?: string; expiresAt: number; deliveries: number }

class MemoryTaskHub implements TaskHubStore {
  /** A write is a few map operations: nothing to amortize by grouping them. */
  readonly unbatchedWrites = true;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly histories = new Map<string, HistoryEvent[]>();
  private readonly inbox: Inboxes = new Map();
  /** Instances that may have a visible message, in arrival order. */
  private readonly ready = new Set<string>();
  private readonly delayed = new MinHeap<string>();
  private readonly locks = new Map<string, { token: string; expiresAt: number }>();
  private readonly activities = new Map<string, QueuedActivity>();
  private readonly activityExpiries = new MinHeap<string>();
  private readonly listeners = new Set<(n: StoreNotification) => void>();

  constructor(readonly taskHub: string) {}

  get isEmpty(): boolean { return this.instances.size === 0 && this.inbox.size === 0 && this.activities.size === 0; }

  /** Empties the hub in place, so that workers holding it see the deletion. */
  clear(): void {
    for (const map of [this.instances, this.histories, this.inbox, this.locks, this.activities]) map.clear();
    this.ready.clear();
  }

  async createInstance({ record, start }: NewInstance): Promise<InstanceRecord> {
    const existing = this.instances.get(record.instanceId);
    if (existing && !isTerminal(existing.runtimeStatus)) throw new InstanceAlreadyExistsError(record.instanceId, existing.runtimeStatus);
    const created = this.install(record, start, existing);
    this.notify(WORK);
    this.notify({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
    return copyRecord(created);
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const record = this.instances.get(instanceId);
    return record && copyRecord(record);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.histories.get(instanceId)?.slice() ?? [];
  }

  async queryInstances(query: InstanceQuery): Promise<InstancePage> {
    const q = normalizeQuery(query);
    return toPage(firstMatches(this.instances.values(), q).map(copyRecord), q.pageSize);
  }

  async enqueueMessages(messages: OrchestrationMessage[]): Promise<void> {
    for (const m of messages) this.enqueue(m);
    if (messages.length) this.notify(WORK);
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    return this.leaseInstance(now, lockMs);
  }

  async leaseOrchestrations(now: number, lockMs: number, max: number): Promise<OrchestrationWorkItem[]> {
    const items: OrchestrationWorkItem[] = [];
    for (let item; items.length < Math.floor(max) && (item = this.leaseInstance(now, lockMs));) items.push(item);
    return items;
  }

  private leaseInstance(now: number, lockMs: number): OrchestrationWorkItem | undefined {
    while ((this.delayed.peekKey() ?? Infinity) <= now) this.ready.add(this.delayed.pop()!);
    for (const instanceId of this.ready) {
      const item = this.tryLease(instanceId, now, lockMs);
      if (item) return item;
    }
    return undefined;
  }

  /** Leases the instance if no live lease holds it and it has visible messages. */
  private tryLease(instanceId: string, now: number, lockMs: number): OrchestrationWorkItem | undefined {
    const lock = this.locks.get(instanceId);
    if (lock && lock.expiresAt > now) return undefined;
    // Oldest first by the time each message became due: a timer that fired after an event was raised comes after it.
    const visible = (this.inbox.get(instanceId) ?? []).filter((q) => q.at <= now).sort((a, b) => a.at - b.at);
    if (visible.length === 0) { this.ready.delete(instanceId); return undefined; }
    const lease = { token: uniqueId(), expiresAt: now + lockMs };
    this.locks.set(instanceId, { ...lease });
    // Move to the back so that one busy instance cannot starve the others.
    this.ready.delete(instanceId);
    this.ready.add(instanceId);
    return { instanceId, messages: visible.map((q) => q.message), lease };
  }

  async abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    if (this.locks.get(workItem.instanceId)?.token !== workItem.lease.token) return;
    this.locks.delete(workItem.instanceId);
    if (visibleAt !== undefined) {
      const ids = new Set(workItem.messages.map((m) => m.id));
      for (const q of this.inbox.get(workItem.instanceId) ?? []) if (ids.has(q.message.id)) q.at = Math.max(q.at, visibleAt);
      this.delayed.push(visibleAt, workItem.instanceId);
    }
    this.notify(WORK);
  }

  async commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    const outcomes: CommitOutcome[] = [];
    let work = false;
    for (const episode of episodes) {
      const error = this.checkEpisode(episode);
      if (error) { outcomes.push({ ok: false, error }); continue; }
      const version = this.applyEpisode(episode);
      const eager = episode.leaseActivities;
      const leasedActivities = eager ? episode.activities.slice(0, Math.max(0, Math.floor(eager.max))).map((a) => this.leaseQueued(this.activities.get(a.id)!, eager.now, eager.lockMs)) : [];
      outcomes.push(leasedActivities.length ? { ok: true, version, leasedActivities } : { ok: true, version });
      // Work a worker could lease now or later: anything not handed back eagerly.
      work ||= episode.messages.length > 0 || episode.newInstances.length > 0 || episode.activities.length > leasedActivities.length || this.inbox.has(episode.instanceId);
    }
    if (work) this.notify(WORK);
    return outcomes;
  }

  async discardMessages(workItem: OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    removeMessages(this.inbox, workItem.instanceId, messageIds);
    if (this.locks.get(workItem.instanceId)?.token === workItem.lease.token) this.locks.delete(workItem.instanceId);
  }

  async leaseActivity(now: number, lockMs: number): Promise<LeasedActivity | undefined> {
    return this.leaseWorkItem(now, lockMs);
  }

  async leaseActivities(now: number, lockMs: number, max: number): Promise<LeasedActivity[]> {
    const leased: LeasedActivity[] = [];
    for (let one; leased.length < Math.floor(max) && (one = this.leaseWorkItem(now, lockMs));) leased.push(one);
    return leased;
  }

  private leaseWorkItem(now: number, lockMs: number): LeasedActivity | undefined {
    while ((this.activityExpiries.peekKey() ?? Infinity) <= now) {
      const id = this.activityExpiries.pop()!;
      const queued = this.activities.get(id);
      // A lapsed lease goes to the back of the queue, delivered again.
      if (queued?.token && queued.expiresAt <= now) { this.activities.delete(id); queued.token = undefined; this.activities.set(id, queued); }
    }
    for (const queued of this.activities.values()) {
      if (queued.token || queued.at > now) continue;
      return this.leaseQueued(queued, now, lockMs);
    }
    return undefined;
  }

  private leaseQueued(queued: QueuedActivity, now: number, lockMs: number): LeasedActivity {
    queued.token = uniqueId();
    queued.expiresAt = now + lockMs;
    queued.deliveries += 1;
    this.activityExpiries.push(queued.expiresAt, queued.item.id);
    return { item: { ...queued.item }, lease: { token: queued.token, expiresAt: queued.expiresAt }, deliveryCount: queued.deliveries };
  }

  async completeActivities(completions: ActivityCompletion[]): Promise<CompletionOutcome[]> {
    const outcomes: CompletionOutcome[] = completions.map(({ leased, result }) => {
      const queued = this.activities.get(leased.item.id);
      if (!queued || queued.token !== leased.lease.token) return { applied: false };
      this.activities.delete(leased.item.id);
      this.enqueue(result);
      return { applied: true };
    });
    let work = false;
    const leased = new Set<string>();
    completions.forEach(({ result, leaseInstance }, i) => {
      if (!outcomes[i]!.applied || leased.has(result.instanceId)) return;
      const workItem = leaseInstance && this.tryLease(result.instanceId, leaseInstance.now, leaseInstance.lockMs);
      if (workItem) { outcomes[i]!.workItem = workItem; leased.add(result.instanceId); } else work = true;
    });
    if (work) this.notify(WORK);
    return outcomes;
  }

  async abandonActivity(leased: LeasedActivity, visibleAt?: number): Promise<void> {
    const queued = this.activities.get(leased.item.id);
    if (!queued || queued.token !== leased.lease.token) return;
    queued.token = undefined;
    if (visibleAt !== undefined) queued.at = visibleAt;
    this.notify(WORK);
  }

  async nextWakeTime(): Promise<number | undefined> {
    // Drop expiries of activities that completed or were leased again since.
    for (;;) {
      const top = this.activityExpiries.peekKey();
      if (top === undefined) break;
      const id = this.activityExpiries.pop()!;
      const queued = this.activities.get(id);
      if (queued?.token && queued.expiresAt === top) { this.activityExpiries.push(top, id); break; }
    }
    let next = Math.min(this.delayed.peekKey() ?? Infinity, this.activityExpiries.peekKey() ?? Infinity);
    for (const [instanceId, lock] of this.locks) if (this.ready.has(instanceId)) next = Math.min(next, lock.expiresAt);
    for (const queued of this.activities.values()) if (!queued.token) next = Math.min(next, queued.at);
    return Number.isFinite(next) ? next : undefined;
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    const record = this.instances.get(instanceId);
    if (!record || !onlyIf.includes(record.runtimeStatus)) return 0;
    this.remove(instanceId);
    return 1;
  }

  async purgeInstances(filter: PurgeFilter): Promise<number> {
    const q = normalizePurgeFilter(filter);
    let deleted = 0;
    for (const record of [...this.instances.values()]) {
      if (matchesQuery(record, q)) { this.remove(record.instanceId); deleted++; }
    }
    return deleted;
  }

  subscribe(listener: (n: StoreNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private checkEpisode(e: EpisodeCommit): Error | undefined {
    const current = this.instances.get(e.instanceId);
    if (!current || current.version !== e.expectedVersion) return new VersionConflictError(e.instanceId, e.expectedVersion, current?.version);
    const direct = e.completesActivities;
    if (direct) {
      if (this.inbox.get(e.instanceId)?.some((q) => q.at <= direct.now)) return new VersionConflictError(e.instanceId, e.expectedVersion, current.version, 'a message for it is waiting');
      for (const { item, lease } of direct.activities) {
        if (this.activities.get(item.id)?.token !== lease.token) return new VersionConflictError(e.instanceId, e.expectedVersion, current.version, `activity '${item.id}' is no longer held`);
      }
    }
    for (const { record } of e.newInstances) {
      const existing = this.instances.get(record.instanceId);
      if (existing && !isTerminal(existing.runtimeStatus)) return new InstanceAlreadyExistsError(record.instanceId, existing.runtimeStatus);
    }
    return undefined;
  }

  private applyEpisode(e: EpisodeCommit): number {
    const version = e.expectedVersion + 1;
    const previous = this.instances.get(e.instanceId);
    this.instances.set(e.instanceId, instanceRecord(e.instance, version));
    if ('replace' in e.history) this.histories.set(e.instanceId, e.history.replace.slice());
    else {
      const history = this.histories.get(e.instanceId);
      if (history) for (const event of e.history.append) history.push(event);
      else this.histories.set(e.instanceId, e.history.append.slice());
    }
    removeMessages(this.inbox, e.instanceId, e.consumedMessageIds);
    if (e.completesActivities) for (const { item } of e.completesActivities.activities) this.activities.delete(item.id);
    for (const m of e.messages) this.enqueue(m);
    for (const a of e.activities) this.activities.set(a.id, { item: a, at: parseTime(a.enqueuedTime), expiresAt: 0, deliveries: 0 });
    for (const child of e.newInstances) {
      const created = this.install(child.record, child.start, this.instances.get(child.record.instanceId));
      this.notify({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
    }
    if (e.lease && this.locks.get(e.instanceId)?.token === e.lease.token) this.locks.delete(e.instanceId);
    if (previous?.runtimeStatus !== e.instance.runtimeStatus || isTerminal(e.instance.runtimeStatus)) {
      this.notify({ kind: 'instance', instanceId: e.instanceId, runtimeStatus: e.instance.runtimeStatus });
    }
    return version;
  }

  private install(record: Omit<InstanceRecord, 'version'>, start: OrchestrationMessage, replacing: InstanceRecord | undefined): InstanceRecord {
    if (replacing) this.remove(record.instanceId);
    const created = instanceRecord(record, 1);
    this.instances.set(record.instanceId, created);
    this.histories.set(record.instanceId, []);
    this.enqueue(start);
    return created;
  }

  private enqueue(message: OrchestrationMessage): void {
    this.delayed.push(pushMessage(this.inbox, message).at, message.instanceId);
  }

  private remove(instanceId: string): void {
    this.instances.delete(instanceId);
    this.histories.delete(instanceId);
    this.inbox.delete(instanceId);
    this.locks.delete(instanceId);
    this.ready.delete(instanceId);
    for (const [id, queued] of this.activities) if (queued.item.instanceId === instanceId) this.activities.delete(id);
  }

  private notify(n: StoreNotification): void {
    for (const listener of this.listeners) listener(n);
  }
}

/** In-memory storage; nothing survives the process. */
export class MemoryStorage implements Storage {
  private readonly hubs = new Map<string, MemoryTaskHub>();

  taskHub(name: string): TaskHubStore {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) { hub = new MemoryTaskHub(name); this.hubs.set(name, hub); }
    return hub;
  }

  async listTaskHubs(): Promise<string[]> {
    return [...this.hubs.values()].filter((h) => !h.isEmpty).map((h) => h.taskHub).sort();
  }

  async deleteTaskHub(name: string): Promise<boolean> {
    const hub = this.hubs.get(name);
    const existed = hub !== undefined && !hub.isEmpty;
    hub?.clear();
    return existed;
  }
}
