/**
 * Listing instances: pages read O(page) records, walking an index or the primary key and
 * stopping after a page and one. Shell rows (messages for an instance that does not exist) are
 * in neither listing index, and the primary-key walk skips them.
 * @module
 */
import type { IDBPObjectStore } from 'idb';
import { RUNTIME_STATUSES } from '../../history.js';
import type { InstanceCounts, InstancePage } from '../port.js';
import { compareInQueryOrder, matchesQuery, type NormalizedQuery, toPage, zeroCounts } from '../query.js';
import { checked, type InstanceRow, isInstance, type Name, type Schema, span, toRecord } from './schema.js';

type Instances = IDBPObjectStore<Schema, Name[], 'instances', 'readonly'>;

export async function listInstances(store: Instances, hub: string, q: NormalizedQuery): Promise<InstancePage> {
  const rows = await (q.instanceIdPrefix !== undefined ? byPrefix(store, hub, q) : newestFirst(store, hub, q));
  return toPage(rows.map(toRecord), q.pageSize);
}

/** Walks the primary key from the prefix (or the continuation point), filtering the rest, up to a page and one. */
async function byPrefix(store: Instances, hub: string, q: NormalizedQuery): Promise<InstanceRow[]> {
  const prefix = q.instanceIdPrefix!;
  const resume = q.after !== undefined && q.after.instanceId >= prefix;
  const rows: InstanceRow[] = [];
  let cursor = await store.openCursor(IDBKeyRange.bound([hub, resume ? q.after!.instanceId : prefix], [hub, []], resume, true));
  while (cursor) {
    const row = checked('instances', cursor.value);
    if (!row.instanceId.startsWith(prefix)) break;
    if (isInstance(row) && matchesQuery(row, q) && rows.push(row) > q.pageSize) break;
    cursor = await cursor.continue();
  }
  return rows;
}

/**
 * Newest first: one backward cursor over byCreated, or one per requested status over byStatus
 * merged by (createdTime, instanceId). The time range is part of each index range, so every
 * record read is a match.
 */
async function newestFirst(store: Instances, hub: string, q: NormalizedQuery): Promise<InstanceRow[]> {
  const sources = q.runtimeStatus
    ? [...q.runtimeStatus].map((status) => ({ index: store.index('byStatus'), range: span([hub, status], q) }))
    : [{ index: store.index('byCreated'), range: span([hub], q) }];
  const heads = await Promise.all(sources.filter((s) => s.range).map((s) => s.index.openCursor(s.range, 'prev')));
  const rows: InstanceRow[] = [];
  for (;;) {
    let next = -1;
    heads.forEach((head, i) => {
      if (head && (next < 0 || compareInQueryOrder(q, head.value as InstanceRow, heads[next]!.value as InstanceRow) < 0)) next = i;
    });
    if (next < 0 || rows.push(checked('instances', heads[next]!.value) as InstanceRow) > q.pageSize) break;
    heads[next] = await heads[next]!.continue();
  }
  return rows;
}

/** Per status, `count()` over its range of byStatus: the index answers, no record is read. Shell rows are in no listing index. */
export async function countInstances(
  store: Instances,
  hub: string,
  range: Pick<NormalizedQuery, 'createdTimeFrom' | 'createdTimeTo'>,
): Promise<InstanceCounts> {
  const index = store.index('byStatus');
  const found = await Promise.all(
    RUNTIME_STATUSES.map((status) => {
      const keys = span([hub, status], range);
      return keys ? index.count(keys) : 0;
    }),
  );
  const counts = zeroCounts();
  RUNTIME_STATUSES.forEach((status, i) => {
    counts[status] = found[i]!;
  });
  return counts;
}
