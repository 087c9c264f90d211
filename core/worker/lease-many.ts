/**
 * Leasing several work items in one call: the store's batch method when it has one (one
 * transaction for the lot), else the single form called up to `max` times, stopping at the
 * first call that finds nothing.
 *
 * `onLeased` gets each item as soon as it is leased: in the fallback, before the next call,
 * so a caller can start on it while the rest are being leased (each lease is a round trip on
 * a remote store). A failing call is thrown; items leased before it have already gone to
 * `onLeased`, and without `onLeased` they are dropped, which is safe: their leases lapse and
 * they are delivered again.
 * @module
 */
import type { LeasedActivity, OrchestrationWorkItem, TaskHubStore } from '../store/port.js';

/** Leases up to `max` items, each handed to `onLeased` as soon as it is leased. */
export type LeaseUpTo<T> = (store: TaskHubStore, now: number, lockMs: number, max: number, onLeased?: (item: T) => void) => Promise<T[]>;

/** Up to `max` orchestration work items, each for a distinct instance. */
export const leaseOrchestrations: LeaseUpTo<OrchestrationWorkItem> = (store, now, lockMs, max, onLeased) =>
  leaseUpTo(max, store.leaseOrchestrations && ((n) => store.leaseOrchestrations!(now, lockMs, n)), () => store.leaseOrchestration(now, lockMs), onLeased);

/** Up to `max` distinct activity work items. */
export const leaseActivities: LeaseUpTo<LeasedActivity> = (store, now, lockMs, max, onLeased) =>
  leaseUpTo(max, store.leaseActivities && ((n) => store.leaseActivities!(now, lockMs, n)), () => store.leaseActivity(now, lockMs), onLeased);

/** `leaseMany` is the store's batch method bound to its arguments, undefined when the store has none. */
function leaseUpTo<T>(
  max: number,
  leaseMany: ((n: number) => Promise<T[]>) | undefined,
  leaseOne: () => Promise<T | undefined>,
  onLeased: ((item: T) => void) | undefined,
): Promise<T[]> {
  const n = Math.floor(max);
  if (!(n >= 1)) return Promise.resolve([]);
  if (leaseMany) return leaseMany(n).then((items) => handOut(items, onLeased));
  return loop(n, leaseOne, onLeased);
}

function handOut<T>(items: T[], onLeased: ((item: T) => void) | undefined): T[] {
  if (onLeased) for (const item of items) onLeased(item);
  return items;
}

async function loop<T>(max: number, leaseOne: () => Promise<T | undefined>, onLeased: ((item: T) => void) | undefined): Promise<T[]> {
  const leased: T[] = [];
  for (let item: T | undefined; leased.length < max && (item = await leaseOne()) !== undefined; ) {
    leased.push(item);
    onLeased?.(item);
  }
  return leased;
}
