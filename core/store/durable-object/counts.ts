/**
 * Per-status instance counters of one hub (`{p}counts`): the storage API has no count, so
 * the counters are kept with the status index. Every index move of an operation (`move`) is
 * staged as a delta and written with the operation's change set (`stage`), so counters and
 * index change in the same atomic write; the cached copy is taken only once that write
 * succeeded. A hub written before the counters existed has no `{p}counts` row: the first
 * change rebuilds it from the status index keys.
 * @module
 */
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../history.js';
import type { InstanceCounts } from '../port.js';
import { zeroCounts } from '../query.js';
import { createdRange, type HubKeys } from './keys.js';
import type { ChangeSet } from './tx.js';

/** Index keys read per `list` call when counting a range. */
const LIST_BATCH = 1024;

export class StatusCounts {
  /** The stored counters, as last committed; absent until read (or after a failed write). */
  private cached: InstanceCounts | undefined;
  private readonly deltas = new Map<RuntimeStatus, number>();

  constructor(private readonly k: HubKeys) {}

  /** An instance left status `from` and entered `to` (either absent for a new or removed instance). */
  move(from: RuntimeStatus | undefined, to: RuntimeStatus | undefined): void {
    if (from === to) return;
    if (from) this.deltas.set(from, (this.deltas.get(from) ?? 0) - 1);
    if (to) this.deltas.set(to, (this.deltas.get(to) ?? 0) + 1);
  }

  /** Drops the deltas of an operation that is not committed (called before each operation). */
  discard(): void {
    this.deltas.clear();
  }

  /** Forgets the cached counters: the hub was cleared, or a write may have been applied in part. */
  forget(): void {
    this.cached = undefined;
    this.deltas.clear();
  }

  /** Stages the counters with the operation's deltas; returns them, for `committed` once the write succeeds. */
  async stage(tx: ChangeSet): Promise<InstanceCounts | undefined> {
    if (![...this.deltas.values()].some((d) => d !== 0)) return undefined;
    const counts = { ...(await this.stored(tx)) };
    for (const [status, delta] of this.deltas) counts[status] += delta;
    this.deltas.clear();
    tx.put(this.k.counts, counts);
    return counts;
  }

  committed(counts: InstanceCounts | undefined): void {
    if (counts) this.cached = counts;
  }

  /** The counts of every instance, without the current operation's deltas. */
  async all(tx: ChangeSet): Promise<InstanceCounts> {
    return { ...(await this.stored(tx)) };
  }

  /** The counters as stored, rebuilt from the status index where there are none yet. Reads storage only (nothing staged). */
  private async stored(tx: ChangeSet): Promise<InstanceCounts> {
    if (this.cached) return this.cached;
    this.cached = (await tx.get<InstanceCounts>(this.k.counts)) ?? (await countRanges(tx, this.k, {}));
    return this.cached;
  }
}

/** Per status, the number of status index keys with a creation time in the range (keys only: no instance row is read). */
export async function countRanges(tx: ChangeSet, k: HubKeys, range: { createdTimeFrom?: string; createdTimeTo?: string }): Promise<InstanceCounts> {
  const counts = zeroCounts();
  for (const status of RUNTIME_STATUSES) {
    const { start, end } = createdRange(k.status(status), range.createdTimeFrom, range.createdTimeTo);
    let after: string | undefined;
    for (;;) {
      const keys = [...(await tx.list(after === undefined ? { start, end, limit: LIST_BATCH } : { startAfter: after, end, limit: LIST_BATCH })).keys()];
      counts[status] += keys.length;
      if (keys.length < LIST_BATCH) break;
      after = keys[keys.length - 1];
    }
  }
  return counts;
}
