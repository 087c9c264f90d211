/**
 * Listing instances over the `instances` indexes: newest first over `instances_by_created`
 * (or `instances_by_status`, one range per status, merged), or by instanceId over
 * `instances_by_id` for a prefix; each range stops after a page and one.
 * @module
 */
import { RUNTIME_STATUSES, type RuntimeStatus } from '../../history.js';
import type { InstanceCounts, InstancePage } from '../port.js';
import { type NormalizedQuery, type SortKey, toPage, zeroCounts } from '../query.js';
import type { Connection, Param } from './connection.js';
import { toRecord } from './rows.js';
import { INSTANCE_COLUMNS, type InstanceRow } from './schema.js';

/**
 * Code-point order, which is how SQLite orders UTF-8 text: UTF-16 units U+E000..U+FFFF move
 * below the surrogates (which stand for code points above U+FFFF).
 */
function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** Newest first: createdTime (ASCII ISO text), then instanceId, both descending. */
function newestFirst(a: SortKey, b: SortKey): number {
  if (a.createdTime !== b.createdTime) return a.createdTime > b.createdTime ? -1 : 1;
  return -compareText(a.instanceId, b.instanceId);
}

/** Adds the created-time range (both ends inclusive, either open) to a WHERE clause and its parameters. */
export function whereCreatedIn(where: string[], params: Param[], range: Pick<NormalizedQuery, 'createdTimeFrom' | 'createdTimeTo'>): void {
  if (range.createdTimeFrom !== undefined) {
    where.push('created_time >= ?');
    params.push(range.createdTimeFrom);
  }
  if (range.createdTimeTo !== undefined) {
    where.push('created_time <= ?');
    params.push(range.createdTimeTo);
  }
}

export function queryPage(sql: Connection, hub: string, q: NormalizedQuery): InstancePage {
  const rows = sql.read(() => {
    if (q.instanceIdPrefix !== undefined) return byPrefix(sql, hub, q, q.instanceIdPrefix);
    // One index range per status, each newest first and at most a page and one, merged.
    const sources = q.runtimeStatus ? [...q.runtimeStatus].map((s) => byCreated(sql, hub, q, s)) : [byCreated(sql, hub, q)];
    return sources.length === 1
      ? sources[0]!
      : sources
          .flat()
          .sort((a, b) => newestFirst({ createdTime: a.created_time, instanceId: a.instance_id }, { createdTime: b.created_time, instanceId: b.instance_id }))
          .slice(0, q.pageSize + 1);
  });
  return toPage(
    rows.map((row) => toRecord(hub, row)),
    q.pageSize,
  );
}

/** Newest first over `instances_by_created` or, for one status, `instances_by_status`; the time range and continuation point bound the index range. */
function byCreated(sql: Connection, hub: string, q: NormalizedQuery, status?: RuntimeStatus): InstanceRow[] {
  const where = ['hub = ?'];
  const params: Param[] = [hub];
  if (status !== undefined) {
    where.push('runtime_status = ?');
    params.push(status);
  }
  whereCreatedIn(where, params, q);
  if (q.after) {
    where.push('(created_time, instance_id) < (?, ?)');
    params.push(q.after.createdTime, q.after.instanceId);
  }
  const index = status === undefined ? 'instances_by_created' : 'instances_by_status';
  return sql.all<InstanceRow>(
    `SELECT ${INSTANCE_COLUMNS} FROM instances INDEXED BY ${index} WHERE ${where.join(' AND ')} ORDER BY created_time DESC, instance_id DESC LIMIT ?`,
    ...params,
    q.pageSize + 1,
  );
}

/** By instanceId ascending over `instances_by_id`, from the prefix (or the continuation point) to the end of the prefix. */
function byPrefix(sql: Connection, hub: string, q: NormalizedQuery, prefix: string): InstanceRow[] {
  const after = q.after?.instanceId;
  if (after !== undefined && !after.startsWith(prefix) && compareText(after, prefix) > 0) return [];
  // biome-ignore lint/complexity/useOptionalChain: the comparison narrows `after` to a string for the query below.
  const resume = after !== undefined && after.startsWith(prefix);
  // No UTF-8 text contains the byte 0xFF, so prefix || 0xFF is above every ID that starts with the prefix.
  const where = ['hub = ?', resume ? 'instance_id > ?' : 'instance_id >= ?', `instance_id < CAST(? || x'ff' AS TEXT)`];
  const params: Param[] = [hub, resume ? after : prefix, prefix];
  if (q.runtimeStatus) {
    where.push(`runtime_status IN (${[...q.runtimeStatus].map(() => '?').join(', ')})`);
    params.push(...q.runtimeStatus);
  }
  whereCreatedIn(where, params, q);
  return sql.all<InstanceRow>(
    `SELECT ${INSTANCE_COLUMNS} FROM instances INDEXED BY instances_by_id WHERE ${where.join(' AND ')} ORDER BY instance_id LIMIT ?`,
    ...params,
    q.pageSize + 1,
  );
}

/** Per status, a count over its range of `instances_by_status` (a covering index: no instance row is read), in one snapshot. */
export function countByStatus(sql: Connection, hub: string, range: Pick<NormalizedQuery, 'createdTimeFrom' | 'createdTimeTo'>): InstanceCounts {
  const where = ['hub = ?', 'runtime_status = ?'];
  const params: Param[] = [];
  whereCreatedIn(where, params, range);
  const statement = `SELECT count(*) AS n FROM instances INDEXED BY instances_by_status WHERE ${where.join(' AND ')}`;
  return sql.read(() => {
    const counts = zeroCounts();
    for (const status of RUNTIME_STATUSES) counts[status] = sql.get<{ n: number }>(statement, hub, status, ...params)?.n ?? 0;
    return counts;
  });
}
