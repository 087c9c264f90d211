/**
 * A task hub over Durable Object storage: the recommended multi-writer deployment. The
 * object is the hub's single, strongly consistent owner; every port operation runs in
 * it, one at a time, and commits its writes atomically (see `tx.ts`). Queues and queries
 * use ordered index keys (`keys.ts`), so leasing, waking and paging never scan the hub.
 * @module
 */
import { InstanceAlreadyExistsError, VersionConflictError } from '../../errors.js';
import { instanceRecord } from '../record.js';
import { isTerminal, type HistoryEvent, type RuntimeStatus } from '../../history.js';
import { randomId } from '../../ids.js';
import type {
  ActivityCompletion, CompletionOutcome, ActivityWorkItem, CommitOutcome, EpisodeCommit, InstancePage, InstanceQuery, InstanceRecord, Lease,
  LeasedActivity, NewInstance, OrchestrationMessage, OrchestrationWorkItem, PurgeFilter, StoreNotification, TaskHubStore,
} from '../port.js';
import { compareInQueryOrder, matchesQuery, normalizePurgeFilter, normalizeQuery, toPage, type NormalizedQuery } from '../query.js';
import { createdRange, dueInstance, dueTime, hubKeys, type HubKeys } from './keys.js';
import { ChangeSet, type DurableObjectStorageLike } from './tx.js';

interface StoredInstance { r: InstanceRecord; h: number }
interface QueueState { n: number; at?: number; lock?: Lease }
interface StoredMessage { message: OrchestrationMessage; at: number; seq: number }
interface StoredActivity { item: ActivityWorkItem; at: number; seq: number; deliveries: number; token?: string; expiresAt?: number }

const RETRY = Symbol('retry');
/** Due entries examined per lease attempt. */
const LEASE_SCAN = 16;
const PURGE_BATCH = 64;

export interface DurableObjectTaskHubStoreOptions {
  /** Key prefix, to share one object's storage with other data. */
  prefix?: string;
}

/**
 * The port over one Durable Object's storage. It must be the only writer of its keys (one
 * instance per storage and prefix, as the task hub object keeps): it runs one operation at a
 * time and remembers what it learned of its due indexes between operations.
 */
export class DurableObjectTaskHubStore implements TaskHubStore {
  private readonly k: HubKeys;
  private readonly listeners = new Set<(n: StoreNotification) => void>();
  /** `waitForInstance` calls in progress, by instance. */
  private readonly watchers = new Map<string, Set<(status: RuntimeStatus) => void>>();
  private tail: Promise<unknown> = Promise.resolve();
  private seq: number | undefined;
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

  constructor(readonly taskHub: string, private readonly storage: DurableObjectStorageLike, options: DurableObjectTaskHubStoreOptions = {}) {
    this.prefix = options.prefix ?? '';
    this.k = hubKeys(this.prefix);
  }

  async createInstance({ record, start }: NewInstance): Promise<InstanceRecord> {
    const created = await this.run(async (tx) => {
      const existing = await tx.get<StoredInstance>(this.k.instance(record.instanceId));
      if (existing && !isTerminal(existing.r.runtimeStatus)) throw new InstanceAlreadyExistsError(record.instanceId, existing.r.runtimeStatus);
      return this.install(tx, record, start, existing);
    });
    this.notify({ kind: 'work' });
    this.notify({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
    return created;
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    return this.run(async (tx) => (await tx.get<StoredInstance>(this.k.instance(instanceId)))?.r);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.run(async (tx) => [...(await tx.listAll<HistoryEvent>(this.k.histories(instanceId))).values()]);
  }

  async queryInstances(query: InstanceQuery): Promise<InstancePage> {
    const q = normalizeQuery(query);
    return this.run(async (tx) => {
      const found = q.instanceIdPrefix !== undefined ? await this.queryByPrefix(tx, q) : await this.queryByTime(tx, q);
      return toPage(found, q.pageSize);
    });
  }

  async enqueueMessages(messages: OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.run(async (tx) => { for (const m of messages) await this.enqueue(tx, m); });
    this.notify({ kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    for (;;) {
      const result = await this.run((tx) => this.tryLeaseOrchestration(tx, now, lockMs));
      if (result !== RETRY) return result;
    }
  }

  /** The batch form: one operation (one storage transaction) for up to `max` instances. */
  async leaseOrchestrations(now: number, lockMs: number, max: number): Promise<OrchestrationWorkItem[]> {
    return this.run((tx) => this.leaseBatch(tx, this.k.due, this.k.dueUntil(now + 1), max, (key) => this.leaseDue(tx, key, now, lockMs)));
  }

  async abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    await this.run(async (tx) => {
      const { instanceId } = workItem;
      const queue = await tx.get<QueueState>(this.k.queue(instanceId));
      if (!queue || queue.lock?.token !== workItem.lease.token) return;
      delete queue.lock;
      if (visibleAt !== undefined) {
        const keys = workItem.messages.map((m) => this.k.message(instanceId, m.id));
        for (const [key, stored] of await tx.getMany<StoredMessage>(keys)) tx.put(key, { ...stored, at: Math.max(stored.at, visibleAt) });
      }
      await this.reschedule(tx, instanceId, queue);
    });
    this.notify({ kind: 'work' });
  }

  async commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    const changed: InstanceRecord[] = [];
    let work = false;
    const outcomes = await this.run(async (tx) => {
      const results: CommitOutcome[] = [];
      for (const episode of episodes) {
        const outcome = await this.applyEpisode(tx, episode, changed);
        results.push(outcome);
        // Work someone could lease now or later: anything not handed back eagerly, or messages left in the inbox.
        work ||= outcome.ok && (episode.messages.length > 0 || episode.newInstances.length > 0
          || episode.activities.length > (outcome.leasedActivities?.length ?? 0) || (await tx.get(this.k.queue(episode.instanceId))) !== undefined);
      }
      return results;
    });
    if (work) this.notify({ kind: 'work' });
    for (const r of changed) this.notify({ kind: 'instance', instanceId: r.instanceId, runtimeStatus: r.runtimeStatus });
    return outcomes;
  }

  async discardMessages(workItem: OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    await this.run(async (tx) => {
      const queue = await tx.get<QueueState>(this.k.queue(workItem.instanceId));
      if (!queue) return;
      await this.removeMessages(tx, workItem.instanceId, queue, messageIds);
      if (queue.lock?.token === workItem.lease.token) delete queue.lock;
      await this.reschedule(tx, workItem.instanceId, queue);
    });
  }

  async leaseActivity(now: number, lockMs: number): Promise<LeasedActivity | undefined> {
    for (;;) {
      const result = await this.run((tx) => this.tryLeaseActivity(tx, now, lockMs));
      if (result !== RETRY) return result;
    }
  }

  /** The batch form: one operation (one storage transaction) for up to `max` activities. */
  async leaseActivities(now: number, lockMs: number, max: number): Promise<LeasedActivity[]> {
    return this.run((tx) => this.leaseBatch(tx, this.k.activityDue, this.k.activityDueUntil(now + 1), max, (key) => this.leaseActivityAt(tx, key, now, lockMs)));
  }

  async completeActivities(completions: ActivityCompletion[]): Promise<CompletionOutcome[]> {
    let work = false;
    const outcomes = await this.run(async (tx) => {
      const done: CompletionOutcome[] = [];
      for (const { leased, result } of completions) {
        const stored = await tx.get<StoredActivity>(this.k.activity(leased.item.id));
        if (!stored || stored.token !== leased.lease.token) { done.push({ applied: false }); continue; }
        this.deleteActivity(tx, stored);
        await this.enqueue(tx, result);
        done.push({ applied: true });
      }
      // Eager dispatch, once every result is in: each instance at most once, with all of them.
      const leased = new Set<string>();
      for (const [i, { result, leaseInstance }] of completions.entries()) {
        if (!done[i]!.applied || leased.has(result.instanceId)) continue;
        const workItem = leaseInstance && await this.leaseInstance(tx, result.instanceId, leaseInstance.now, leaseInstance.lockMs);
        if (workItem) { done[i]!.workItem = workItem; leased.add(result.instanceId); } else work = true;
      }
      return done;
    });
    if (work) this.notify({ kind: 'work' });
    return outcomes;
  }

  async abandonActivity(leased: LeasedActivity, visibleAt?: number): Promise<void> {
    await this.run(async (tx) => {
      const stored = await tx.get<StoredActivity>(this.k.activity(leased.item.id));
      if (!stored || stored.token !== leased.lease.token) return;
      tx.delete(this.activityDueKey(stored));
      const { token: _t, expiresAt: _e, ...released } = stored;
      this.putActivity(tx, { ...released, at: visibleAt ?? stored.at });
    });
    this.notify({ kind: 'work' });
  }

  async nextWakeTime(): Promise<number | undefined> {
    return this.run(async (tx) => {
      const [due] = (await tx.list({ prefix: this.k.due, limit: 1 })).keys();
      const [activityDue] = (await tx.list({ prefix: this.k.activityDue, limit: 1 })).keys();
      this.readFloors.set(this.k.due, due ? dueTime(due, this.k.due) : Infinity);
      this.readFloors.set(this.k.activityDue, activityDue ? dueTime(activityDue, this.k.activityDue) : Infinity);
      const times = [due && dueTime(due, this.k.due), activityDue && dueTime(activityDue, this.k.activityDue)].filter((t): t is number => typeof t === 'number');
      return times.length ? Math.min(...times) : undefined;
    });
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    return this.run(async (tx) => {
      const stored = await tx.get<StoredInstance>(this.k.instance(instanceId));
      if (!stored || !onlyIf.includes(stored.r.runtimeStatus)) return 0;
      await this.remove(tx, stored);
      return 1;
    });
  }

  async purgeInstances(filter: PurgeFilter): Promise<number> {
    const q = normalizePurgeFilter(filter);
    let deleted = 0;
    for (const status of q.runtimeStatus) {
      // In batches, each atomic, so that a large purge does not build one huge write.
      for (;;) {
        const n = await this.run(async (tx) => {
          const { start, end } = createdRange(this.k.status(status), q.createdTimeFrom, q.createdTimeTo);
          const ids = [...(await tx.list({ start, end, limit: PURGE_BATCH })).keys()].map((key) => key.slice(key.lastIndexOf('/') + 1));
          const found = await tx.getMany<StoredInstance>(ids.map((id) => this.k.instance(id)));
          for (const stored of found.values()) await this.remove(tx, stored);
          return ids.length;
        });
        deleted += n;
        if (n < PURGE_BATCH) break;
      }
    }
    return deleted;
  }

  subscribe(listener: (n: StoreNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits in the object, so a caller across RPC needs one call per wait (see the port). */
  async waitForInstance(instanceId: string, statuses: readonly RuntimeStatus[], timeoutMs: number): Promise<InstanceRecord | undefined> {
    let reached!: () => void;
    const changed = new Promise<void>((resolve) => { reached = resolve; });
    // Watching before the read: a change between the two is not missed.
    const watcher = (status: RuntimeStatus) => { if (statuses.includes(status)) reached(); };
    let watchers = this.watchers.get(instanceId);
    if (!watchers) this.watchers.set(instanceId, watchers = new Set());
    watchers.add(watcher);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const record = await this.getInstance(instanceId);
      if (!record || statuses.includes(record.runtimeStatus) || !(timeoutMs > 0)) return record;
      await Promise.race([changed, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
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
      for (const prefix of [this.k.instances, this.k.queues, this.k.activities]) if ((await tx.list({ prefix, limit: 1 })).size) return false;
      return true;
    });
  }

  /** Deletes everything of the hub. */
  async clear(): Promise<void> {
    await this.run(async () => {
      this.seq = undefined;
      this.floors.clear();
      if (this.storage.deleteAll && this.prefix === '') return this.storage.deleteAll();
      for (;;) {
        const keys = [...(await this.storage.list({ prefix: this.prefix, limit: 1024 })).keys()];
        if (keys.length === 0) return;
        for (let i = 0; i < keys.length; i += 128) await this.storage.delete(keys.slice(i, i + 128));
      }
    });
  }

  // ---- internals ----

  /** Runs one operation at a time; its staged writes are committed together. */
  private run<T>(operation: (tx: ChangeSet) => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.readFloors.clear();
      const tx = new ChangeSet(this.storage);
      const value = await operation(tx);
      // A floor read holds for storage as it was; the operation's own writes come on top.
      for (const [index, at] of this.readFloors) this.floors.set(index, at);
      for (const key of tx.written()) this.lowerFloor(key);
      try {
        if (tx.size) await tx.commit();
      } catch (error) {
        // A commit that failed may have been applied in part (storage without `write`): unknown again.
        this.floors.clear();
        throw error;
      }
      return value;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async applyEpisode(tx: ChangeSet, e: EpisodeCommit, changed: InstanceRecord[]): Promise<CommitOutcome> {
    const stored = await tx.get<StoredInstance>(this.k.instance(e.instanceId));
    if (!stored || stored.r.version !== e.expectedVersion) {
      return { ok: false, error: new VersionConflictError(e.instanceId, e.expectedVersion, stored?.r.version) };
    }
    const completed = e.completesActivities ? await this.heldActivities(tx, e, stored.r.version) : [];
    if (completed instanceof Error) return { ok: false, error: completed };
    const children = await tx.getMany<StoredInstance>(e.newInstances.map((c) => this.k.instance(c.record.instanceId)));
    for (const child of children.values()) {
      if (!isTerminal(child.r.runtimeStatus)) return { ok: false, error: new InstanceAlreadyExistsError(child.r.instanceId, child.r.runtimeStatus) };
    }
    const version = e.expectedVersion + 1;
    const record = instanceRecord(e.instance, version);
    let length = stored.h;
    if ('replace' in e.history) {
      for (let n = 0; n < stored.h; n++) tx.delete(this.k.history(e.instanceId, n));
      length = 0;
    }
    const events = 'replace' in e.history ? e.history.replace : e.history.append;
    for (const event of events) tx.put(this.k.history(e.instanceId, length++), event);
    tx.put(this.k.instance(e.instanceId), { r: record, h: length } satisfies StoredInstance);
    this.index(tx, stored.r, record);

    const queue = (await tx.get<QueueState>(this.k.queue(e.instanceId))) ?? { n: 0 };
    await this.removeMessages(tx, e.instanceId, queue, e.consumedMessageIds);
    // Completed by this commit: their results are in the history, none is queued.
    for (const a of completed) this.deleteActivity(tx, a);
    if (e.lease && queue.lock?.token === e.lease.token) delete queue.lock;
    tx.put(this.k.queue(e.instanceId), queue);
    for (const m of e.messages) await this.enqueue(tx, m);
    // Eager dispatch: the first `max` activities are written already leased to the committer.
    const eager = e.leaseActivities;
    const leasedActivities: LeasedActivity[] = [];
    for (const a of e.activities) {
      const activity: StoredActivity = { item: a, at: Date.parse(a.enqueuedTime), seq: await this.nextSeq(tx), deliveries: 0 };
      if (eager && leasedActivities.length < eager.max) {
        Object.assign(activity, { token: randomId(), expiresAt: eager.now + eager.lockMs, deliveries: 1 });
        leasedActivities.push({ item: { ...a }, lease: { token: activity.token!, expiresAt: activity.expiresAt! }, deliveryCount: 1 });
      }
      this.putActivity(tx, activity);
    }
    for (const child of e.newInstances) {
      changed.push(await this.install(tx, child.record, child.start, children.get(this.k.instance(child.record.instanceId))));
    }
    await this.reschedule(tx, e.instanceId, (await tx.get<QueueState>(this.k.queue(e.instanceId)))!);
    if (stored.r.runtimeStatus !== record.runtimeStatus || isTerminal(record.runtimeStatus)) changed.push(record);
    return leasedActivities.length ? { ok: true, version, leasedActivities } : { ok: true, version };
  }

  /**
   * The activities a commit records directly (`completesActivities`), if that is still the same
   * as completing them and leasing the instance with exactly their results; else the conflict.
   */
  private async heldActivities(tx: ChangeSet, e: EpisodeCommit, version: number): Promise<StoredActivity[] | Error> {
    const { now, activities } = e.completesActivities!;
    if (await this.hasVisibleMessage(tx, e.instanceId, now)) return new VersionConflictError(e.instanceId, e.expectedVersion, version, 'a message for it is waiting');
    const found = await tx.getMany<StoredActivity>(activities.map(({ item }) => this.k.activity(item.id)));
    const held: StoredActivity[] = [];
    for (const { item, lease } of activities) {
      const stored = found.get(this.k.activity(item.id));
      if (!stored || stored.token !== lease.token) return new VersionConflictError(e.instanceId, e.expectedVersion, version, `activity '${item.id}' is no longer held`);
      held.push(stored);
    }
    return held;
  }

  /** Whether the instance has a message visible at `now`, from its queue row; its own messages are read only when the row cannot tell. */
  private async hasVisibleMessage(tx: ChangeSet, instanceId: string, now: number): Promise<boolean> {
    const queue = await tx.get<QueueState>(this.k.queue(instanceId));
    if (!queue || queue.n === 0) return false;
    // Unleased, the due time is never later than the earliest message (a lease moves it to the lease's expiry).
    if (!queue.lock && queue.at !== undefined && queue.at > now) return false;
    for (const m of (await tx.listAll<StoredMessage>(this.k.messages(instanceId))).values()) if (m.at <= now) return true;
    return false;
  }

  private async install(tx: ChangeSet, row: Omit<InstanceRecord, 'version'>, start: OrchestrationMessage, replacing: StoredInstance | undefined): Promise<InstanceRecord> {
    if (replacing) await this.remove(tx, replacing);
    const record = instanceRecord(row, 1);
    tx.put(this.k.instance(record.instanceId), { r: record, h: 0 } satisfies StoredInstance);
    this.index(tx, undefined, record);
    await this.enqueue(tx, start);
    return record;
  }

  /** Moves the instance's index keys; most commits leave both where they are, and a new status moves only one. */
  private index(tx: ChangeSet, before: InstanceRecord | undefined, after: InstanceRecord | undefined): void {
    this.moveKey(tx, before && this.k.createdKey(before.createdTime, before.instanceId), after && this.k.createdKey(after.createdTime, after.instanceId));
    this.moveKey(tx, before && this.k.statusKey(before.runtimeStatus, before.createdTime, before.instanceId), after && this.k.statusKey(after.runtimeStatus, after.createdTime, after.instanceId));
  }

  private moveKey(tx: ChangeSet, from: string | undefined, to: string | undefined): void {
    if (from === to) return;
    if (from) tx.delete(from);
    if (to) tx.put(to, '');
  }

  private async enqueue(tx: ChangeSet, message: OrchestrationMessage): Promise<void> {
    const at = Date.parse(message.visibleAt);
    tx.put(this.k.message(message.instanceId, message.id), { message, at, seq: await this.nextSeq(tx) } satisfies StoredMessage);
    const queue = (await tx.get<QueueState>(this.k.queue(message.instanceId))) ?? { n: 0 };
    queue.n++;
    // While leased, the instance is due when the lease lapses at the earliest.
    this.setDue(tx, message.instanceId, queue, Math.min(queue.at ?? Infinity, queue.lock ? Math.max(queue.lock.expiresAt, at) : at));
  }

  private async removeMessages(tx: ChangeSet, instanceId: string, queue: QueueState, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0 || queue.n === 0) return;
    const found = await tx.getMany(messageIds.map((id) => this.k.message(instanceId, id)));
    for (const key of found.keys()) tx.delete(key);
    queue.n -= found.size;
  }

  /** Sets the exact due time after messages or the lock changed. */
  private async reschedule(tx: ChangeSet, instanceId: string, queue: QueueState): Promise<void> {
    let at = queue.lock?.expiresAt;
    if (at === undefined && queue.n > 0) {
      at = Infinity;
      for (const stored of (await tx.listAll<StoredMessage>(this.k.messages(instanceId))).values()) at = Math.min(at, stored.at);
    }
    if (at === undefined || !Number.isFinite(at)) {
      if (queue.at !== undefined) tx.delete(this.k.dueKey(queue.at, instanceId));
      if (queue.n === 0 && !queue.lock) { tx.delete(this.k.queue(instanceId)); return; }
      delete queue.at;
      tx.put(this.k.queue(instanceId), queue);
      return;
    }
    this.setDue(tx, instanceId, queue, at);
  }

  private setDue(tx: ChangeSet, instanceId: string, queue: QueueState, at: number): void {
    if (queue.at !== at) {
      if (queue.at !== undefined) tx.delete(this.k.dueKey(queue.at, instanceId));
      tx.put(this.k.dueKey(at, instanceId), '');
      queue.at = at;
    }
    tx.put(this.k.queue(instanceId), queue);
  }

  private async tryLeaseOrchestration(tx: ChangeSet, now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined | typeof RETRY> {
    const due = await tx.list({ prefix: this.k.due, end: this.k.dueUntil(now + 1), limit: LEASE_SCAN });
    if (due.size === 0) return undefined;
    for (const key of due.keys()) {
      const item = await this.leaseDue(tx, key, now, lockMs);
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
      const due = await tx.list({ prefix, limit: LEASE_SCAN, ...(startAfter ? { startAfter } : {}) });
      for (const key of due.keys()) {
        if (key >= end) { this.readFloors.set(prefix, dueTime(key, prefix)); return leased; }
        startAfter = key;
        const one = await leaseAt(key);
        if (one && leased.push(one) >= max) return leased;
      }
      // Every entry was due and looked at: each one leased, dropped or moved (and those moves lower the floor).
      if (due.size < LEASE_SCAN) { this.readFloors.set(prefix, Infinity); return leased; }
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

  /** Leases the instance of one due entry, or fixes the entry if it is out of date. */
  private async leaseDue(tx: ChangeSet, key: string, now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    const instanceId = dueInstance(key, this.k.due);
    const queue = await tx.get<QueueState>(this.k.queue(instanceId));
    if (!queue || queue.at !== dueTime(key, this.k.due)) { tx.delete(key); return undefined; }
    if (queue.lock && queue.lock.expiresAt > now) { this.setDue(tx, instanceId, queue, queue.lock.expiresAt); return undefined; }
    return this.lockQueue(tx, instanceId, queue, now, lockMs);
  }

  /** Leases one instance if no live lease holds it and it has visible messages (eager dispatch). */
  private async leaseInstance(tx: ChangeSet, instanceId: string, now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    const queue = await tx.get<QueueState>(this.k.queue(instanceId));
    if (!queue || (queue.lock && queue.lock.expiresAt > now)) return undefined;
    return this.lockQueue(tx, instanceId, queue, now, lockMs);
  }

  /** Locks a queue with no live lease: every visible message, in arrival order; none visible releases it. */
  private async lockQueue(tx: ChangeSet, instanceId: string, queue: QueueState, now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    const messages = [...(await tx.listAll<StoredMessage>(this.k.messages(instanceId))).values()].sort((a, b) => a.seq - b.seq);
    const visible = messages.filter((m) => m.at <= now);
    if (visible.length === 0) {
      delete queue.lock;
      await this.reschedule(tx, instanceId, queue);
      return undefined;
    }
    const lease = { token: randomId(), expiresAt: now + lockMs };
    queue.lock = lease;
    this.setDue(tx, instanceId, queue, lease.expiresAt);
    return { instanceId, messages: visible.map((m) => m.message), lease: { ...lease } };
  }

  private async tryLeaseActivity(tx: ChangeSet, now: number, lockMs: number): Promise<LeasedActivity | undefined | typeof RETRY> {
    const [key] = (await tx.list({ prefix: this.k.activityDue, end: this.k.activityDueUntil(now + 1), limit: 1 })).keys();
    if (!key) return undefined;
    return (await this.leaseActivityAt(tx, key, now, lockMs)) ?? RETRY;
  }

  /** Leases the activity of one due entry, or drops the entry if it is out of date. */
  private async leaseActivityAt(tx: ChangeSet, key: string, now: number, lockMs: number): Promise<LeasedActivity | undefined> {
    const itemId = key.slice(this.k.activityDue.length + 29);
    const stored = await tx.get<StoredActivity>(this.k.activity(itemId));
    if (!stored || this.activityDueKey(stored) !== key) { tx.delete(key); return undefined; }
    tx.delete(key);
    const leased: StoredActivity = { ...stored, token: randomId(), expiresAt: now + lockMs, deliveries: stored.deliveries + 1 };
    this.putActivity(tx, leased);
    return { item: { ...stored.item }, lease: { token: leased.token!, expiresAt: leased.expiresAt! }, deliveryCount: leased.deliveries };
  }

  private activityDueKey(a: StoredActivity): string {
    return this.k.activityDueKey(a.token ? a.expiresAt! : a.at, a.seq, a.item.id);
  }

  private putActivity(tx: ChangeSet, a: StoredActivity): void {
    tx.put(this.k.activity(a.item.id), a);
    tx.put(this.k.instanceActivity(a.item.instanceId, a.item.id), '');
    tx.put(this.activityDueKey(a), '');
  }

  private deleteActivity(tx: ChangeSet, a: StoredActivity): void {
    tx.delete(this.k.activity(a.item.id));
    tx.delete(this.k.instanceActivity(a.item.instanceId, a.item.id));
    tx.delete(this.activityDueKey(a));
  }

  private async remove(tx: ChangeSet, stored: StoredInstance): Promise<void> {
    const id = stored.r.instanceId;
    tx.delete(this.k.instance(id));
    this.index(tx, stored.r, undefined);
    for (let n = 0; n < stored.h; n++) tx.delete(this.k.history(id, n));
    for (const key of (await tx.listAll(this.k.messages(id))).keys()) tx.delete(key);
    const queue = await tx.get<QueueState>(this.k.queue(id));
    if (queue?.at !== undefined) tx.delete(this.k.dueKey(queue.at, id));
    tx.delete(this.k.queue(id));
    const base = this.k.instanceActivities(id);
    const itemKeys = [...(await tx.listAll(base)).keys()].map((key) => this.k.activity(key.slice(base.length)));
    for (const a of (await tx.getMany<StoredActivity>(itemKeys)).values()) this.deleteActivity(tx, a);
  }

  private async nextSeq(tx: ChangeSet): Promise<number> {
    this.seq ??= (await tx.get<{ seq: number }>(this.k.meta))?.seq ?? 0;
    tx.put(this.k.meta, { seq: ++this.seq });
    return this.seq;
  }

  private async queryByPrefix(tx: ChangeSet, q: NormalizedQuery): Promise<InstanceRecord[]> {
    const found: InstanceRecord[] = [];
    let startAfter = q.after ? this.k.instance(q.after.instanceId) : undefined;
    for (;;) {
      const batch = await tx.list<StoredInstance>({ prefix: this.k.instance(q.instanceIdPrefix!), limit: q.pageSize + 1, ...(startAfter ? { startAfter } : {}) });
      for (const [key, stored] of batch) {
        startAfter = key;
        if (matchesQuery(stored.r, q)) found.push(stored.r);
        if (found.length > q.pageSize) return found;
      }
      if (batch.size <= q.pageSize) return found;
    }
  }

  private async queryByTime(tx: ChangeSet, q: NormalizedQuery): Promise<InstanceRecord[]> {
    const bases = q.runtimeStatus ? [...q.runtimeStatus].map((s) => this.k.status(s)) : [this.k.created];
    const keys: { createdTime: string; instanceId: string }[] = [];
    for (const base of bases) {
      const range = createdRange(base, q.createdTimeFrom, q.createdTimeTo);
      const end = q.after ? `${base}${q.after.createdTime}/${q.after.instanceId}` : range.end;
      const entries = await tx.list({ start: range.start, end: end < range.end ? end : range.end, reverse: true, limit: q.pageSize + 1 });
      for (const key of entries.keys()) {
        const rest = key.slice(base.length);
        const cut = rest.indexOf('/');
        keys.push({ createdTime: rest.slice(0, cut), instanceId: rest.slice(cut + 1) });
      }
    }
    // Each status list is in order; the first pageSize + 1 of their union are enough.
    const wanted = keys.sort((a, b) => compareInQueryOrder(q, a, b)).slice(0, q.pageSize + 1);
    const records = await tx.getMany<StoredInstance>(wanted.map((w) => this.k.instance(w.instanceId)));
    return wanted.flatMap((w) => {
      const r = records.get(this.k.instance(w.instanceId))?.r;
      return r && matchesQuery(r, q) ? [r] : [];
    });
  }

  private notify(n: StoreNotification): void {
    if (n.kind === 'instance') for (const watcher of this.watchers.get(n.instanceId) ?? []) watcher(n.runtimeStatus);
    for (const listener of this.listeners) listener(n);
  }
}
