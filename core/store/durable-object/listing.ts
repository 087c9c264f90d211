/**
 * Listing instances in the Durable Object: by prefix over the instance keys, or newest first
 * over the creation-time index (one range per status, merged); each stops after a page and one.
 * @module
 */
import type { InstanceRecord } from '../port.js';
import { compareInQueryOrder, matchesQuery, type NormalizedQuery } from '../query.js';
import { createdRange, type HubKeys } from './keys.js';
import type { StoredInstance } from './rows.js';
import type { ChangeSet } from './tx.js';

/** The first page and one of instances matching `q`, in query order. */
export function firstMatches(tx: ChangeSet, k: HubKeys, q: NormalizedQuery): Promise<InstanceRecord[]> {
  return q.instanceIdPrefix !== undefined ? byPrefix(tx, k, q, q.instanceIdPrefix) : byTime(tx, k, q);
}

async function byPrefix(tx: ChangeSet, k: HubKeys, q: NormalizedQuery, prefix: string): Promise<InstanceRecord[]> {
  const found: InstanceRecord[] = [];
  let startAfter = q.after ? k.instance(q.after.instanceId) : undefined;
  for (;;) {
    const batch = await tx.list<StoredInstance>({ prefix: k.instance(prefix), limit: q.pageSize + 1, startAfter });
    for (const [key, stored] of batch) {
      startAfter = key;
      if (matchesQuery(stored.r, q)) found.push(stored.r);
      if (found.length > q.pageSize) return found;
    }
    if (batch.size <= q.pageSize) return found;
  }
}

async function byTime(tx: ChangeSet, k: HubKeys, q: NormalizedQuery): Promise<InstanceRecord[]> {
  const bases = q.runtimeStatus ? [...q.runtimeStatus].map((s) => k.status(s)) : [k.created];
  const keys: { createdTime: string; instanceId: string }[] = [];
  for (const base of bases) {
    const range = createdRange(base, q.createdTimeFrom, q.createdTimeTo);
    const end = q.after ? `${base}${q.after.createdTime}/${q.after.instanceId}` : range.end;
    // biome-ignore lint/complexity/useMathMinMax: keys are strings; Math.min would give NaN.
    const entries = await tx.list({ start: range.start, end: end < range.end ? end : range.end, reverse: true, limit: q.pageSize + 1 });
    for (const key of entries.keys()) {
      const rest = key.slice(base.length);
      const cut = rest.indexOf('/');
      keys.push({ createdTime: rest.slice(0, cut), instanceId: rest.slice(cut + 1) });
    }
  }
  // Each status list is in order; the first pageSize + 1 of their union are enough.
  const wanted = keys.sort((a, b) => compareInQueryOrder(q, a, b)).slice(0, q.pageSize + 1);
  const records = await tx.getMany<StoredInstance>(wanted.map((w) => k.instance(w.instanceId)));
  return wanted.flatMap((w) => {
    const r = records.get(k.instance(w.instanceId))?.r;
    return r && matchesQuery(r, q) ? [r] : [];
  });
}
