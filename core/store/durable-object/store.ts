/**
 * A task hub over Durable Object storage: the recommended multi-writer deployment. The
 * object is the hub's single, strongly consistent owner; every port operation runs in
 * it, one at a time, and commits its writes atomically (see `tx.ts`). Queues and queries
 * use ordered index keys (`keys.ts`), so leasing, waking and paging never scan the hub.
 * This file is the port and the one-at-a-time runner with its due-index floors; the rows
 * and queues are `rows.ts`, committing an episode `episode.ts`, listing `listing.ts`.
 * @module
 */

import { InvalidArgumentError } from '../../errors.js';
import type { HistoryEvent, RuntimeStatus } from '../../history.js';
import { createRefusal } from '../commit-rules.js';
import { partitionOf } from '../partitions.js';
import type * as port from '../port.js';
import { normalizeCountFilter, normalizePurgeFilter, normalizeQuery, toPage } from '../query.js';
import { countRanges } from './counts.js';
import { applyEpisode } from './episode.js';
import { createdRange, dueInstance, dueTime, type HubKeys, hubKeys } from './keys.js';
import { firstMatches } from './listing.js';
import { Outbox, type Transfer, type TransferBatch } from './outbox.js';
import { HubRows, type QueueState, type StoredActivity, type StoredInstance } from './rows.js';
import { ChangeSet, type DurableObjectStorageLike } from './tx.js';

const RETRY = Symbol('retry');
/** Due entries examined per lease attempt. */
const LEASE_SCAN = 16;
const PURGE_BATCH = 64;

export interface DurableObjectTaskHubStoreOptions {
  /** Key prefix, to share one object's storage with other data. */
  prefix?: string;
  /**
   * This store is partition `index` of a hub of `count` partitions (`../partitions.ts`): what it
   * writes for another partition's instances goes to its outbox (`outbox.ts`) for the host to deliver.
   */
  partition?: { index: number; count: number };
}

/**
 * The port over one Durable Object's storage. It must be the only writer of its keys (one
 * instance per storage and prefix, as the task hub object keeps): it runs one operation at a
 * time and remembers what it learned of its due indexes between operations.
 */
export class DurableObjectTaskHubStore implements port.TaskHubStore {
  private readonly k: HubKeys;
  private readonly listeners = new Set<(n: port.StoreNotification) => void>();
  /** `waitForInstance` calls in progress, by instance. */
  private readonly watchers = new Map<string, Set<(status: RuntimeStatus) => void>>();
  private tail: Promise<unknown> = Promise.resolve();
  private readonly rows: HubRows;
  private readonly outbox: Outbox;
  private readonly partition: { index: number; count: number } | undefined;
  private readonly prefix: string;
  /**
   * Per due index (`r/`, `ar/`): no entry in it is due before this time; absent until an
   * operation has read the index. The object is the hub's only writer and every write goes
   * through `run`, which lowers the floor by what it writes, so a lease call that finds the
   * floor past `now` skips its scan: `list` is the dearest storage call in workerd, and a
   * drive pass looks for work several times per orchestration after it has all been handed on.
   */
  private readonly floors = new Map<string, number>();
  /** Floors the current operation read from storage, applied when it commits. */
  private readonly readFloors = new Map<string, number>();

  constructor(
    readonly taskHub: string,
    private readonly storage: DurableObjectStorageLike,
    options: DurableObjectTaskHubStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? '';
    this.k = hubKeys(this.prefix);
    this.rows = new HubRows(this.k);
    this.outbox = new Outbox(this.rows);
    const partition = options.partition;
    if (partition && partition.count > 1) {
      this.partition = partition;
      this.rows.sendElsewhere = async (tx, instanceId, body) => {
        const to = partitionOf(instanceId, partition.count);
        if (to === partition.index) return false;
        await this.outbox.stage(tx, to, body);
        return true;
      };
    }
  }

  async createInstance({ record, start }: port.NewInstance): Promise<port.InstanceRecord> {
    this.checkOwn(record.instanceId);
    const created = await this.run(async (tx) => {
      const existing = await tx.get<StoredInstance>(this.k.instance(record.instanceId));
      const refusal = createRefusal(record.instanceId, existing?.r.runtimeStatus);
      if (refusal) throw refusal;
      return this.rows.install(tx, record, start, existing);
    });
    this.notify({ kind: 'work' });
    this.notify({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
    return created;
  }

  async getInstance(instanceId: string): Promise<port.InstanceRecord | undefined> {
    return this.run(async (tx) => (await tx.get<StoredInstance>(this.k.instance(instanceId)))?.r);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.run(async (tx) => [...(await tx.listAll<HistoryEvent>(this.k.histories(instanceId))).values()]);
  }

  /** Reads the page's event keys only: events are keyed by their 0-based position, and the instance row holds the count. */
  async getHistoryPage(instanceId: string, from: number, top: number): Promise<port.HistoryPage> {
    return this.run(async (tx) => {
      const total = (await tx.get<StoredInstance>(this.k.instance(instanceId)))?.h ?? 0;
      if (from >= total) return { events: [], total };
      const page = await tx.list<HistoryEvent>({ start: this.k.history(instanceId, from), end: this.k.history(instanceId, Math.min(from + top, total)) });
      return { events: [...page.values()], total };
    });
  }

  async queryInstances(query: port.InstanceQuery): Promise<port.InstancePage> {
    const q = normalizeQuery(query);
    return this.run(async (tx) => {
      return toPage(await firstMatches(tx, this.k, q), q.pageSize);
    });
  }

  /** The maintained counters without a time range; with one, a count of the status index keys in it, per status. */
  async countInstances(filter: port.CountFilter): Promise<port.InstanceCounts> {
    const range = normalizeCountFilter(filter);
    const all = range.createdTimeFrom === undefined && range.createdTimeTo === undefined;
    return this.run((tx) => (all ? this.rows.counts.all(tx) : countRanges(tx, this.k, range)));
  }

  async enqueueMessages(messages: port.OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.run(async (tx) => {
      for (const m of messages) await this.rows.enqueue(tx, m);
    });
    this.notify({ kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined> {
    return this.untilSettled((tx) => this.tryLeaseOrchestration(tx, now, lockMs));
  }

  /** The batch form: one operation (one storage transaction) for up to `max` instances. */
  async leaseOrchestrations(now: number, lockMs: number, max: number): Promise<port.OrchestrationWorkItem[]> {
    return this.run((tx) => this.leaseBatch(tx, this.k.due, this.k.dueUntil(now + 1), max, (key) => this.rows.leaseDue(tx, key, now, lockMs)));
  }

  async abandonOrchestration(workItem: port.OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    await this.run(async (tx) => {
      const { instanceId } = workItem;
      const queue = await tx.get<QueueState>(this.k.queue(instanceId));
      if (!queue || queue.lock?.token !== workItem.lease.token) return;
      delete queue.lock;
      if (visibleAt !== undefined)
        await this.rows.delayMessages(
          tx,
          instanceId,
          workItem.messages.map((m) => m.id),
          visibleAt,
        );
      await this.rows.reschedule(tx, instanceId, queue);
    });
    this.notify({ kind: 'work' });
  }

  async commit(episodes: port.EpisodeCommit[]): Promise<port.CommitOutcome[]> {
    const changed: port.InstanceRecord[] = [];
    let work = false;
    const outcomes = await this.run(async (tx) => {
      const results: port.CommitOutcome[] = [];
      for (const episode of episodes) {
        const outcome = await applyEpisode(this.rows, tx, episode, changed);
        results.push(outcome);
        // Work someone could lease now or later: anything not handed back eagerly, or messages left in the inbox.
        work ||=
          outcome.ok &&
          (episode.messages.length > 0 ||
            episode.newInstances.length > 0 ||
            episode.activities.length > (outcome.leasedActivities?.length ?? 0) ||
            (await tx.get(this.k.queue(episode.instanceId))) !== undefined);
      }
      return results;
    });
    if (work) this.notify({ kind: 'work' });
    for (const r of changed) this.notify({ kind: 'instance', instanceId: r.instanceId, runtimeStatus: r.runtimeStatus });
    return outcomes;
  }

  async discardMessages(workItem: port.OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    await this.run(async (tx) => {
      const queue = await tx.get<QueueState>(this.k.queue(workItem.instanceId));
      if (!queue) return;
      await this.rows.removeMessages(tx, workItem.instanceId, queue, messageIds);
      if (queue.lock?.token === workItem.lease.token) delete queue.lock;
      await this.rows.reschedule(tx, workItem.instanceId, queue);
    });
  }

  async leaseActivity(now: number, lockMs: number): Promise<port.LeasedActivity | undefined> {
    return this.untilSettled((tx) => this.tryLeaseActivity(tx, now, lockMs));
  }

  /** The batch form: one operation (one storage transaction) for up to `max` activities. */
  async leaseActivities(now: number, lockMs: number, max: number): Promise<port.LeasedActivity[]> {
    return this.run((tx) =>
      this.leaseBatch(tx, this.k.activityDue, this.k.activityDueUntil(now + 1), max, (key) => this.rows.leaseActivityAt(tx, key, now, lockMs)),
    );
  }

  async completeActivities(completions: port.ActivityCompletion[]): Promise<port.CompletionOutcome[]> {
    let work = false;
    const outcomes = await this.run(async (tx) => {
      const done: port.CompletionOutcome[] = [];
      for (const { leased, result } of completions) {
        const stored = await tx.get<StoredActivity>(this.k.activity(leased.item.id));
        if (!stored || stored.token !== leased.lease.token) {
          done.push({ applied: false });
          continue;
        }
        this.rows.deleteActivity(tx, stored);
        await this.rows.enqueue(tx, result);
        done.push({ applied: true });
      }
      // Eager dispatch, once every result is in: each instance at most once, with all of them.
      const leased = new Set<string>();
      for (const [i, { result, leaseInstance }] of completions.entries()) {
        if (!done[i]!.applied || leased.has(result.instanceId)) continue;
        const workItem = leaseInstance && (await this.rows.leaseInstance(tx, result.instanceId, leaseInstance.now, leaseInstance.lockMs));
        if (workItem) {
          done[i]!.workItem = workItem;
          leased.add(result.instanceId);
        } else work = true;
      }
      return done;
    });
    if (work) this.notify({ kind: 'work' });
    return outcomes;
  }

  async abandonActivity(leased: port.LeasedActivity, visibleAt?: number): Promise<void> {
    await this.run(async (tx) => {
      const stored = await tx.get<StoredActivity>(this.k.activity(leased.item.id));
      if (!stored || stored.token !== leased.lease.token) return;
      this.rows.release(tx, stored, visibleAt);
    });
    this.notify({ kind: 'work' });
  }

  async nextWakeTime(): Promise<number | undefined> {
    return this.run(async (tx) => {
      const [due] = (await tx.list({ prefix: this.k.due, limit: 1 })).keys();
      const [activityDue] = (await tx.list({ prefix: this.k.activityDue, limit: 1 })).keys();
      this.readFloors.set(this.k.due, due ? dueTime(due, this.k.due) : Infinity);
      this.readFloors.set(this.k.activityDue, activityDue ? dueTime(activityDue, this.k.activityDue) : Infinity);
      const times = [due && dueTime(due, this.k.due), activityDue && dueTime(activityDue, this.k.activityDue)].filter(
        (t): t is number => typeof t === 'number',
      );
      return times.length ? Math.min(...times) : undefined;
    });
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    return this.run(async (tx) => {
      const stored = await tx.get<StoredInstance>(this.k.instance(instanceId));
      if (!stored || !onlyIf.includes(stored.r.runtimeStatus)) return 0;
      await this.rows.remove(tx, stored);
      return 1;
    });
  }

  async purgeInstances(filter: port.PurgeFilter): Promise<number> {
    const q = normalizePurgeFilter(filter);
    let deleted = 0;
    for (const status of q.runtimeStatus) {
      // In batches, each atomic, so that a large purge does not build one huge write.
      for (;;) {
        const n = await this.run(async (tx) => {
          const { start, end } = createdRange(this.k.status(status), q.createdTimeFrom, q.createdTimeTo);
          const ids = [...(await tx.list({ start, end, limit: PURGE_BATCH })).keys()].map((key) => key.slice(key.lastIndexOf('/') + 1));
          const found = await tx.getMany<StoredInstance>(ids.map((id) => this.k.instance(id)));
          for (const stored of found.values()) await this.rows.remove(tx, stored);
          return ids.length;
        });
        deleted += n;
        if (n < PURGE_BATCH) break;
      }
    }
    return deleted;
  }

  /**
   * For the object that runs the hub's engine, when it starts (see `TaskHubHost`): an earlier
   * incarnation of the object held every lease, and it is gone. One operation. With a
   * `horizon`, only leases that would lapse within it are looked for, through the due indexes
   * (a held lease is due when it lapses, at most the longest lock time after it was taken; one
   * that has lapsed holds nothing), so an object that starts does not read every queue of a
   * hub where many instances wait on timers. Without one, every queue and activity.
   */
  async releaseLeases(horizon?: { now: number; withinMs: number }): Promise<port.ReleasedLeases> {
    const released = await this.run(async (tx) => {
      const counts: port.ReleasedLeases = { instances: 0, activities: 0 };
      const releaseQueue = async (instanceId: string, queue: QueueState | undefined) => {
        if (!queue?.lock) return;
        delete queue.lock;
        await this.rows.reschedule(tx, instanceId, queue);
        counts.instances++;
      };
      const releaseActivity = (stored: StoredActivity | undefined) => {
        if (stored?.token === undefined) return;
        this.rows.release(tx, stored);
        counts.activities++;
      };
      if (horizon) {
        const { now, withinMs } = horizon;
        const due = await tx.list({ start: this.k.dueUntil(now + 1), end: this.k.dueUntil(now + withinMs + 1) });
        for (const key of due.keys()) {
          const instanceId = dueInstance(key, this.k.due);
          await releaseQueue(instanceId, await tx.get<QueueState>(this.k.queue(instanceId)));
        }
        const activityDue = await tx.list({ start: this.k.activityDueUntil(now + 1), end: this.k.activityDueUntil(now + withinMs + 1) });
        const ids = [...activityDue.keys()].map((key) => this.k.activity(key.slice(this.k.activityDue.length + 29)));
        for (const stored of (await tx.getMany<StoredActivity>(ids)).values()) releaseActivity(stored);
        return counts;
      }
      for (const [key, queue] of await tx.listAll<QueueState>(this.k.queues)) await releaseQueue(key.slice(this.k.queues.length), queue);
      for (const stored of (await tx.listAll<StoredActivity>(this.k.activities)).values()) releaseActivity(stored);
      return counts;
    });
    if (released.instances + released.activities > 0) this.notify({ kind: 'work' });
    return released;
  }

  subscribe(listener: (n: port.StoreNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits in the object, so a caller across RPC needs one call per wait (see the port). */
  async waitForInstance(instanceId: string, statuses: readonly RuntimeStatus[], timeoutMs: number): Promise<port.InstanceRecord | undefined> {
    let reached!: () => void;
    const changed = new Promise<void>((resolve) => {
      reached = resolve;
    });
    // Watching before the read: a change between the two is not missed.
    const watcher = (status: RuntimeStatus) => {
      if (statuses.includes(status)) reached();
    };
    let watchers = this.watchers.get(instanceId);
    if (!watchers) this.watchers.set(instanceId, (watchers = new Set()));
    watchers.add(watcher);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const record = await this.getInstance(instanceId);
      if (!record || statuses.includes(record.runtimeStatus) || !(timeoutMs > 0)) return record;
      await Promise.race([
        changed,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      return await this.getInstance(instanceId);
    } finally {
      clearTimeout(timer);
      watchers.delete(watcher);
      if (watchers.size === 0) this.watchers.delete(instanceId);
    }
  }

  /** Whether the hub holds no instance, message or activity. */
  async isEmpty(): Promise<boolean> {
    return this.run(async (tx) => {
      for (const prefix of [this.k.instances, this.k.queues, this.k.activities, this.k.outbox]) if ((await tx.list({ prefix, limit: 1 })).size) return false;
      return true;
    });
  }

  /** Deletes everything of the hub. */
  async clear(): Promise<void> {
    await this.run(async () => {
      this.rows.reset();
      this.outbox.reset();
      this.floors.clear();
      if (this.storage.deleteAll && this.prefix === '') return this.storage.deleteAll();
      for (;;) {
        const keys = [...(await this.storage.list({ prefix: this.prefix, limit: 1024 })).keys()];
        if (keys.length === 0) return;
        for (let i = 0; i < keys.length; i += 128) await this.storage.delete(keys.slice(i, i + 128));
      }
    });
  }

  // ---- between partitions (see outbox.ts) ----

  /** Up to `limit` transfers per receiving partition, oldest first, or undefined when the outbox is empty. */
  pendingTransfers(limit: number): Promise<{ epoch: string; to: Map<number, Transfer[]> } | undefined> {
    return this.run((tx) => this.outbox.pending(tx, limit));
  }

  /** Deletes the transfers that partition `to` acknowledged (those up to `seq`). */
  async acknowledgeTransfers(to: number, seq: number): Promise<void> {
    await this.run((tx) => this.outbox.acknowledge(tx, to, seq));
  }

  /** Takes in another partition's transfers, each once; returns the sequence number to acknowledge. */
  async receiveTransfers(batch: TransferBatch): Promise<number> {
    const changed: port.InstanceRecord[] = [];
    const ack = await this.run((tx) => this.outbox.receive(tx, batch, changed));
    this.notify({ kind: 'work' });
    for (const r of changed) this.notify({ kind: 'instance', instanceId: r.instanceId, runtimeStatus: r.runtimeStatus });
    return ack;
  }

  /** A start or a read must reach the instance's own partition: anything else is a caller that routes by another partition count. */
  private checkOwn(instanceId: string): void {
    const p = this.partition;
    if (p && partitionOf(instanceId, p.count) !== p.index) {
      throw new InvalidArgumentError(
        `Instance '${instanceId}' belongs to partition ${partitionOf(instanceId, p.count)} of ${p.count}, not to partition ${p.index}.`,
      );
    }
  }

  // ---- internals ----

  /** Runs one operation at a time; its staged writes are committed together. */
  private run<T>(operation: (tx: ChangeSet) => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.readFloors.clear();
      this.rows.counts.discard();
      const tx = new ChangeSet(this.storage);
      const value = await operation(tx);
      const counts = await this.rows.counts.stage(tx);
      // A floor read holds for storage as it was; the operation's own writes come on top.
      for (const [index, at] of this.readFloors) this.floors.set(index, at);
      for (const key of tx.written()) this.lowerFloor(key);
      try {
        if (tx.size) await tx.commit();
      } catch (error) {
        // A commit that failed may have been applied in part (storage without `write`): unknown again.
        this.floors.clear();
        this.rows.counts.forget();
        throw error;
      }
      this.rows.counts.committed(counts);
      return value;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Runs `attempt` in one operation after another until it settles: each `RETRY` fixed stale index entries first. */
  private async untilSettled<T>(attempt: (tx: ChangeSet) => Promise<T | typeof RETRY>): Promise<T> {
    for (;;) {
      const result = await this.run(attempt);
      if (result !== RETRY) return result;
    }
  }

  private async tryLeaseOrchestration(tx: ChangeSet, now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined | typeof RETRY> {
    const due = await tx.list({ prefix: this.k.due, end: this.k.dueUntil(now + 1), limit: LEASE_SCAN });
    if (due.size === 0) return undefined;
    for (const key of due.keys()) {
      const item = await this.rows.leaseDue(tx, key, now, lockMs);
      if (item) return item;
    }
    // Every entry looked at was out of date and is now fixed; look again.
    return RETRY;
  }

  /** Walks a due index from its start to `end`, leasing by `leaseAt` until `max` are leased. */
  private async leaseBatch<T>(tx: ChangeSet, prefix: string, end: string, max: number, leaseAt: (key: string) => Promise<T | undefined>): Promise<T[]> {
    const leased: T[] = [];
    if ((this.floors.get(prefix) ?? -Infinity) >= dueTime(end, prefix)) return leased; // nothing is due yet
    // Entries already looked at are skipped by key: `tx.list` reads storage, not this operation's own writes.
    let startAfter: string | undefined;
    while (leased.length < max) {
      // Not bounded by `end`: the first entry past it says when the index is next due.
      const due = await tx.list({ prefix, limit: LEASE_SCAN, startAfter });
      for (const key of due.keys()) {
        if (key >= end) {
          this.readFloors.set(prefix, dueTime(key, prefix));
          return leased;
        }
        startAfter = key;
        const one = await leaseAt(key);
        if (one && leased.push(one) >= max) return leased;
      }
      // Every entry was due and looked at: each one leased, dropped or moved (and those moves lower the floor).
      if (due.size < LEASE_SCAN) {
        this.readFloors.set(prefix, Infinity);
        return leased;
      }
    }
    return leased;
  }

  /** A write into a due index may make it due sooner. */
  private lowerFloor(key: string): void {
    for (const index of [this.k.due, this.k.activityDue]) {
      const floor = this.floors.get(index);
      if (floor !== undefined && key.startsWith(index)) this.floors.set(index, Math.min(floor, dueTime(key, index)));
    }
  }

  private async tryLeaseActivity(tx: ChangeSet, now: number, lockMs: number): Promise<port.LeasedActivity | undefined | typeof RETRY> {
    const [key] = (await tx.list({ prefix: this.k.activityDue, end: this.k.activityDueUntil(now + 1), limit: 1 })).keys();
    if (!key) return undefined;
    return (await this.rows.leaseActivityAt(tx, key, now, lockMs)) ?? RETRY;
  }

  private notify(n: port.StoreNotification): void {
    if (n.kind === 'instance') for (const watcher of this.watchers.get(n.instanceId) ?? []) watcher(n.runtimeStatus);
    for (const listener of this.listeners) listener(n);
  }
}
