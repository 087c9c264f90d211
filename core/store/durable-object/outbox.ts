/**
 * Messages between the partitions of a partitioned hub, exactly once.
 *
 * A partition's writes that address an instance of another partition (a message, or a new
 * instance: a sub-orchestration's start, a parent's completion, an event raised or a terminate
 * sent by an orchestration) are staged as transfers in its own outbox (`o/{partition}/{seq}`),
 * in the same atomic write as the episode that made them. The host delivers each partition's
 * transfers in sequence order, one batch in flight per receiver; the receiver takes in those
 * after the last sequence number it took from the sender (its watermark `w/{sender}`, written
 * in the same atomic write as what it took in) and acknowledges; the sender then deletes them.
 * A delivery cut short anywhere (the sender evicted or reset before the acknowledgement, the
 * reply lost) is sent again whole, and the receiver skips what it already has. A transfer's ID
 * is (sender, epoch, seq); the epoch is drawn when the sender's outbox is first written, so
 * a cleared hub's new sequence numbers are not mistaken for old ones.
 * @module
 */
import { toFailureDetails } from '../../errors.js';
import { event } from '../../history.js';
import { randomId } from '../../ids.js';
import { createRefusal } from '../commit-rules.js';
import type { InstanceRecord, NewInstance, OrchestrationMessage } from '../port.js';
import type { HubRows, StoredInstance } from './rows.js';
import type { ChangeSet } from './tx.js';

export type TransferBody = { message: OrchestrationMessage } | { create: NewInstance };
export type Transfer = TransferBody & { seq: number };

/** What a sender delivers to one receiver. */
export interface TransferBatch {
  from: number;
  epoch: string;
  transfers: Transfer[];
}

interface Watermark {
  epoch: string;
  seq: number;
}

export class Outbox {
  private epoch: string | undefined;

  constructor(private readonly rows: HubRows) {}

  /** Forgets what it read (the hub was cleared). */
  reset(): void {
    this.epoch = undefined;
  }

  async stage(tx: ChangeSet, partition: number, body: TransferBody): Promise<void> {
    const seq = await this.rows.nextSeq(tx);
    await this.currentEpoch(tx, true);
    tx.put(this.rows.k.outboxKey(partition, seq), { ...body, seq } satisfies Transfer);
  }

  /** Up to `limit` transfers waiting for each receiver, oldest first, under this partition's epoch. */
  async pending(tx: ChangeSet, limit: number): Promise<{ epoch: string; to: Map<number, Transfer[]> } | undefined> {
    const { k } = this.rows;
    const to = new Map<number, Transfer[]>();
    let startAfter: string | undefined;
    for (;;) {
      const page = await tx.list<Transfer>({ prefix: k.outbox, startAfter, limit: 256 });
      let skipped = false;
      for (const [key, transfer] of page) {
        const partition = Number(key.slice(k.outbox.length, k.outbox.length + 4));
        let list = to.get(partition);
        if (!list) to.set(partition, (list = []));
        list.push(transfer);
        startAfter = key;
        if (list.length >= limit) {
          // The rest for this receiver waits for its next delivery.
          startAfter = `${k.outboxTo(partition)}\uffff`;
          skipped = true;
          break;
        }
      }
      if (!skipped && page.size < 256) break;
    }
    const epoch = to.size ? await this.currentEpoch(tx, false) : undefined;
    return epoch ? { epoch, to } : undefined;
  }

  /** Deletes the transfers to `partition` up to `seq`, which it acknowledged. */
  async acknowledge(tx: ChangeSet, partition: number, seq: number): Promise<void> {
    const { k } = this.rows;
    const keys = await tx.list({ start: k.outboxTo(partition), end: k.outboxKey(partition, seq + 1) });
    for (const key of keys.keys()) tx.delete(key);
  }

  /** Takes in the transfers of `batch` not taken yet; records in `changed` the instances it created. */
  async receive(tx: ChangeSet, batch: TransferBatch, changed: InstanceRecord[]): Promise<number> {
    const { k } = this.rows;
    const mark = await tx.get<Watermark>(k.watermark(batch.from));
    const after = mark?.epoch === batch.epoch ? mark.seq : -1;
    let last = after;
    for (const t of batch.transfers) {
      if (t.seq <= last) continue;
      last = t.seq;
      if ('message' in t) await this.rows.enqueue(tx, t.message);
      else await this.create(tx, t.create, changed);
    }
    if (last !== after) tx.put(k.watermark(batch.from), { epoch: batch.epoch, seq: last } satisfies Watermark);
    return batch.transfers.length ? batch.transfers[batch.transfers.length - 1]!.seq : -1;
  }

  /** A child created across partitions: over a non-terminal instance it is refused, and the parent told so, as a same-partition commit would have been. */
  private async create(tx: ChangeSet, child: NewInstance, changed: InstanceRecord[]): Promise<void> {
    const existing = await tx.get<StoredInstance>(this.rows.k.instance(child.record.instanceId));
    const refusal = createRefusal(child.record.instanceId, existing?.r.runtimeStatus);
    const start = child.start.event;
    const parent = start.type === 'ExecutionStarted' ? start.parentInstance : undefined;
    if (!refusal) {
      changed.push(await this.rows.install(tx, child.record, child.start, existing));
      return;
    }
    if (!parent) return;
    // Stamped with the time the parent asked for the child, as its own commit would have been.
    const now = child.record.createdTime;
    await this.rows.enqueue(tx, {
      id: `${child.start.id}:refused`,
      instanceId: parent.instanceId,
      executionId: parent.executionId,
      event: event('SubOrchestrationInstanceFailed', now, { taskScheduledId: parent.taskScheduledId, failureDetails: toFailureDetails(refusal) }),
      visibleAt: now,
    });
  }

  private async currentEpoch(tx: ChangeSet, create: boolean): Promise<string | undefined> {
    this.epoch ??= (await tx.get<{ epoch: string }>(this.rows.k.outboxEpoch))?.epoch;
    if (!this.epoch && create) {
      this.epoch = randomId();
      tx.put(this.rows.k.outboxEpoch, { epoch: this.epoch });
    }
    return this.epoch;
  }
}
