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

/** Up to `max` orchestration work items, each for a distinct instance. */
export function leaseOrchestrations(
  store: TaskHubStore,
  now: number,
  lockMs: number,
  max: number,
  onLeased?: (item: OrchestrationWorkItem) => void,
): Promise<OrchestrationWorkItem[]> {
  const n = Math.floor(max);
  if (!(n >= 1)) return Promise.resolve([]);
  if (store.leaseOrchestrations) return store.leaseOrchestrations(now, lockMs, n).then((items) => handOut(items, onLeased));
  return loop(n, () => store.leaseOrchestration(now, lockMs), onLeased);
}

/** Up to `max` distinct activity work items. */
export function leaseActivities(
  store: TaskHubStore,
  now: number,
  lockMs: number,
  max: number,
  onLeased?: (leased: LeasedActivity) => void,
): Promise<LeasedActivity[]> {
  const n = Math.floor(max);
  if (!(n >= 1)) return Promise.resolve([]);
  if (store.leaseActivities) return store.leaseActivities(now, lockMs, n).then((items) => handOut(items, onLeased));
  return loop(n, () => store.leaseActivity(now, lockMs), onLeased);
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
