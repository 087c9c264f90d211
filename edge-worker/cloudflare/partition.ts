/**
 * The partitions of a task hub as Durable Objects: how they are named and addressed, the store
 * a partition runs (its own instances, and reads of other partitions' instances through their
 * objects), and the courier that delivers its outbox (`core/store/durable-object/outbox.ts`).
 *
 * Partition 0 of hub `H` is the object named `H`, the one object of a one-partition hub, so a
 * hub made before partitions opens unchanged; partition `i > 0` is the object `H#i` (`#`
 * is not allowed in a hub name, so no hub's object has such a name). A call names its partition
 * by address: `H` for a one-partition hub, `H#i/N` for partition `i` of `N`.
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { TransferBatch } from '../../core/store/durable-object/outbox.js';
import { DurableObjectTaskHubStore } from '../../core/store/durable-object/store.js';
import type { DurableObjectStorageLike } from '../../core/store/durable-object/tx.js';
import { partitionOf } from '../../core/store/partitions.js';
import type { CommitOutcome, EpisodeCommit, InstanceRecord } from '../../core/store/port.js';
import { invokeHub, type TaskHubNamespaceLike } from './remote.js';

export interface HubAddress {
  name: string;
  index: number;
  count: number;
}

export function hubAddress(name: string, index: number, count: number): string {
  return count === 1 ? name : `${name}#${index}/${count}`;
}

const PARTITIONED = /^([^#/]+)#(\d+)\/(\d+)$/;

export function parseHubAddress(address: string): HubAddress {
  const m = PARTITIONED.exec(address);
  if (!m) return { name: address, index: 0, count: 1 };
  const index = Number(m[2]);
  const count = Number(m[3]);
  if (!(count > 1 && index < count)) throw new InvalidArgumentError(`'${address}' is not a task hub partition: partition ${index} of ${count}.`);
  return { name: m[1]!, index, count };
}

/** The object that holds partition `index` of hub `name`. */
export function objectName(name: string, index: number): string {
  return index === 0 ? name : `${name}#${index}`;
}

/** A partition's store: reads of another partition's instance (a sub-orchestration the engine looks up) go to that partition's object. */
export class PartitionStore extends DurableObjectTaskHubStore {
  constructor(
    private readonly address: HubAddress,
    storage: DurableObjectStorageLike,
    private readonly peers: TaskHubNamespaceLike<unknown>,
    private readonly committed: () => void,
  ) {
    super(address.name, storage, { partition: address });
  }

  override async commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    const outcomes = await super.commit(episodes);
    if (episodes.some((e) => e.messages.length || e.newInstances.length)) this.committed();
    return outcomes;
  }

  override getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const p = partitionOf(instanceId, this.address.count);
    if (p === this.address.index) return super.getInstance(instanceId);
    return invokeHub(peer(this.peers, this.address.name, p), hubAddress(this.address.name, p, this.address.count), 'getInstance', [instanceId]);
  }
}

function peer(peers: TaskHubNamespaceLike<unknown>, name: string, index: number) {
  return peers.get(peers.idFromName(objectName(name, index)));
}

/** Transfers per receiver in one delivery. */
const BATCH = 128;

/**
 * Delivers a partition's outbox: one delivery at a time (so each receiver gets its batches in
 * sequence order, one in flight), until the outbox is empty or a receiver cannot be reached.
 */
export class Courier {
  private running: Promise<boolean> | undefined;
  private again = false;

  constructor(
    private readonly store: DurableObjectTaskHubStore,
    private readonly address: HubAddress,
    private readonly peers: TaskHubNamespaceLike<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves true once the outbox is empty, false if some transfers wait for a retry. */
  deliver(): Promise<boolean> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<boolean> {
    for (;;) {
      this.again = false;
      const pending = await this.store.pendingTransfers(BATCH);
      if (!pending) {
        if (this.again) continue;
        return true;
      }
      const { name, index, count } = this.address;
      const sent = await Promise.allSettled(
        [...pending.to].map(async ([to, transfers]) => {
          const batch: TransferBatch = { from: index, epoch: pending.epoch, transfers };
          const ack = await invokeHub<number>(peer(this.peers, name, to), hubAddress(name, to, count), 'receiveTransfers', [batch]);
          await this.store.acknowledgeTransfers(to, ack);
        }),
      );
      const failed = sent.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed.length) {
        for (const f of failed) this.onError(f.reason);
        return false;
      }
    }
  }
}
