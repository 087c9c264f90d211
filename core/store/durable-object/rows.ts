/**
 * The rows of one task hub inside its Durable Object, changed through a `ChangeSet`:
 * instances and their index keys, queues (`q/`) with their due entries (`r/`), messages,
 * and activities with theirs (`ar/`). Every change keeps a queue's due entry no later than
 * the instance is really leasable, and an activity's at its `at` (or its lease's expiry).
 * @module
 */

import { randomId } from '../../ids.js';
import type { ActivityWorkItem, InstanceRecord, Lease, LeasedActivity, OrchestrationMessage, OrchestrationWorkItem } from '../port.js';
import { instanceRecord } from '../record.js';
import { StatusCounts } from './counts.js';
import { dueInstance, dueTime, type HubKeys } from './keys.js';
import type { TransferBody } from './outbox.js';
import type { ChangeSet } from './tx.js';

export interface StoredInstance {
  r: InstanceRecord;
  h: number;
}
export interface QueueState {
  n: number;
  at?: number;
  lock?: Lease;
}
interface StoredMessage {
  message: OrchestrationMessage;
  at: number;
  seq: number;
}
export interface StoredActivity {
  item: ActivityWorkItem;
  at: number;
  seq: number;
  deliveries: number;
  token?: string;
  expiresAt?: number;
}

export class HubRows {
  /** The arrival counter, as stored once read: the hub's only writer keeps it. */
  private seq: number | undefined;
  /** Kept with the status index by `index`. */
  readonly counts: StatusCounts;
  /**
   * In a partition of a partitioned hub: stages `body` in the outbox (`outbox.ts`) if
   * `instanceId` lives in another partition, and says whether it did.
   */
  sendElsewhere?: (tx: ChangeSet, instanceId: string, body: TransferBody) => Promise<boolean>;

  constructor(readonly k: HubKeys) {
    this.counts = new StatusCounts(k);
  }

  /** Forgets what it read (the hub was cleared). */
  reset(): void {
    this.seq = undefined;
    this.counts.forget();
  }

  async install(
    tx: ChangeSet,
    row: Omit<InstanceRecord, 'version'>,
    start: OrchestrationMessage,
    replacing: StoredInstance | undefined,
  ): Promise<InstanceRecord> {
    if (replacing) await this.remove(tx, replacing);
    const record = instanceRecord(row, 1);
    tx.put(this.k.instance(record.instanceId), { r: record, h: 0 } satisfies StoredInstance);
    this.index(tx, undefined, record);
    await this.enqueue(tx, start);
    return record;
  }

  /** Moves the instance's index keys and its status count; most commits leave both keys where they are, and a new status moves only one. */
  index(tx: ChangeSet, before: InstanceRecord | undefined, after: InstanceRecord | undefined): void {
    this.counts.move(before?.runtimeStatus, after?.runtimeStatus);
    moveKey(tx, before && this.k.createdKey(before.createdTime, before.instanceId), after && this.k.createdKey(after.createdTime, after.instanceId));
    moveKey(
      tx,
      before && this.k.statusKey(before.runtimeStatus, before.createdTime, before.instanceId),
      after && this.k.statusKey(after.runtimeStatus, after.createdTime, after.instanceId),
    );
  }

  async remove(tx: ChangeSet, stored: StoredInstance): Promise<void> {
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

  // ---- queues ----

  async enqueue(tx: ChangeSet, message: OrchestrationMessage): Promise<void> {
    if (this.sendElsewhere && (await this.sendElsewhere(tx, message.instanceId, { message }))) return;
    const at = Date.parse(message.visibleAt);
    tx.put(this.k.message(message.instanceId, message.id), { message, at, seq: await this.nextSeq(tx) } satisfies StoredMessage);
    const queue = (await tx.get<QueueState>(this.k.queue(message.instanceId))) ?? { n: 0 };
    queue.n++;
    // While leased, the instance is due when the lease lapses at the earliest.
    this.setDue(tx, message.instanceId, queue, Math.min(queue.at ?? Infinity, queue.lock ? Math.max(queue.lock.expiresAt, at) : at));
  }

  async removeMessages(tx: ChangeSet, instanceId: string, queue: QueueState, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0 || queue.n === 0) return;
    const found = await tx.getMany(messageIds.map((id) => this.k.message(instanceId, id)));
    for (const key of found.keys()) tx.delete(key);
    queue.n -= found.size;
  }

  async delayMessages(tx: ChangeSet, instanceId: string, messageIds: readonly string[], visibleAt: number): Promise<void> {
    const keys = messageIds.map((id) => this.k.message(instanceId, id));
    for (const [key, stored] of await tx.getMany<StoredMessage>(keys)) tx.put(key, { ...stored, at: Math.max(stored.at, visibleAt) });
  }

  /** Whether the instance has a message visible at `now`, from its queue row; its own messages are read only when the row cannot tell. */
  async hasVisibleMessage(tx: ChangeSet, instanceId: string, now: number): Promise<boolean> {
    const queue = await tx.get<QueueState>(this.k.queue(instanceId));
    if (!queue || queue.n === 0) return false;
    // Unleased, the due time is never later than the earliest message (a lease moves it to the lease's expiry).
    if (!queue.lock && queue.at !== undefined && queue.at > now) return false;
    for (const m of (await tx.listAll<StoredMessage>(this.k.messages(instanceId))).values()) if (m.at <= now) return true;
    return false;
  }

  /** Sets the exact due time after messages or the lock changed. */
  async reschedule(tx: ChangeSet, instanceId: string, queue: QueueState): Promise<void> {
    let at = queue.lock?.expiresAt;
    if (at === undefined && queue.n > 0) {
      at = Infinity;
      for (const stored of (await tx.listAll<StoredMessage>(this.k.messages(instanceId))).values()) at = Math.min(at, stored.at);
    }
    if (at === undefined || !Number.isFinite(at)) {
      if (queue.at !== undefined) tx.delete(this.k.dueKey(queue.at, instanceId));
      if (queue.n === 0 && !queue.lock) {
        tx.delete(this.k.queue(instanceId));
        return;
      }
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

  /** Leases the instance of one due entry, or fixes the entry if it is out of date. */
  async leaseDue(tx: ChangeSet, key: string, now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    const instanceId = dueInstance(key, this.k.due);
    const queue = await tx.get<QueueState>(this.k.queue(instanceId));
    if (!queue || queue.at !== dueTime(key, this.k.due)) {
      tx.delete(key);
      return undefined;
    }
    if (queue.lock && queue.lock.expiresAt > now) {
      this.setDue(tx, instanceId, queue, queue.lock.expiresAt);
      return undefined;
    }
    return this.lockQueue(tx, instanceId, queue, now, lockMs);
  }

  /** Leases one instance if no live lease holds it and it has visible messages (eager dispatch). */
  async leaseInstance(tx: ChangeSet, instanceId: string, now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
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

  // ---- activities ----

  /** Queues an activity an episode scheduled; leased to the committer (eager dispatch) when `lease` is given. */
  async schedule(tx: ChangeSet, item: ActivityWorkItem, lease?: Lease): Promise<void> {
    const activity: StoredActivity = { item, at: Date.parse(item.enqueuedTime), seq: await this.nextSeq(tx), deliveries: 0 };
    if (lease) Object.assign(activity, { token: lease.token, expiresAt: lease.expiresAt, deliveries: 1 });
    this.putActivity(tx, activity);
  }

  /** Leases the activity of one due entry, or drops the entry if it is out of date. */
  async leaseActivityAt(tx: ChangeSet, key: string, now: number, lockMs: number): Promise<LeasedActivity | undefined> {
    const itemId = key.slice(this.k.activityDue.length + 29);
    const stored = await tx.get<StoredActivity>(this.k.activity(itemId));
    if (!stored || this.activityDueKey(stored) !== key) {
      tx.delete(key);
      return undefined;
    }
    tx.delete(key);
    const leased: StoredActivity = { ...stored, token: randomId(), expiresAt: now + lockMs, deliveries: stored.deliveries + 1 };
    this.putActivity(tx, leased);
    return { item: { ...stored.item }, lease: { token: leased.token!, expiresAt: leased.expiresAt! }, deliveryCount: leased.deliveries };
  }

  /** Releases an activity's lease, due again at `visibleAt` (default: when it was due before). */
  release(tx: ChangeSet, stored: StoredActivity, visibleAt?: number): void {
    tx.delete(this.activityDueKey(stored));
    const { token: _t, expiresAt: _e, ...released } = stored;
    this.putActivity(tx, { ...released, at: visibleAt ?? stored.at });
  }

  private activityDueKey(a: StoredActivity): string {
    return this.k.activityDueKey(a.token ? a.expiresAt! : a.at, a.seq, a.item.id);
  }

  private putActivity(tx: ChangeSet, a: StoredActivity): void {
    tx.put(this.k.activity(a.item.id), a);
    tx.put(this.k.instanceActivity(a.item.instanceId, a.item.id), '');
    tx.put(this.activityDueKey(a), '');
  }

  deleteActivity(tx: ChangeSet, a: StoredActivity): void {
    tx.delete(this.k.activity(a.item.id));
    tx.delete(this.k.instanceActivity(a.item.instanceId, a.item.id));
    tx.delete(this.activityDueKey(a));
  }

  /** The next arrival number (also a transfer's sequence number, `outbox.ts`). */
  async nextSeq(tx: ChangeSet): Promise<number> {
    this.seq ??= (await tx.get<{ seq: number }>(this.k.meta))?.seq ?? 0;
    tx.put(this.k.meta, { seq: ++this.seq });
    return this.seq;
  }
}

function moveKey(tx: ChangeSet, from: string | undefined, to: string | undefined): void {
  if (from === to) return;
  if (from) tx.delete(from);
  if (to) tx.put(to, '');
}
