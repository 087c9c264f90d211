/**
 * Query semantics shared by every adapter: validation, matching, ordering and
 * continuation tokens, so that all adapters page the same way.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { isRuntimeStatus, isTerminal, RUNTIME_STATUSES, type RuntimeStatus, TERMINAL_STATUSES } from '../history.js';
import type { CountFilter, InstanceCounts, InstancePage, InstanceQuery, InstanceRecord, PurgeFilter } from './port.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface NormalizedQuery {
  runtimeStatus?: ReadonlySet<RuntimeStatus>;
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  pageSize: number;
  /** The sort key of the last instance of the previous page. */
  after?: SortKey;
}

/** Position of an instance in the query order. */
export type SortKey = { createdTime: string; instanceId: string };

function isoTime(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (typeof value !== 'string' || Number.isNaN(ms)) {
    throw new InvalidArgumentError(`${name} '${String(value)}' is not an ISO 8601 date-time.`);
  }
  return new Date(ms).toISOString();
}

export function normalizeStatuses(statuses: readonly string[] | undefined): ReadonlySet<RuntimeStatus> | undefined {
  if (statuses === undefined || statuses.length === 0) return undefined;
  for (const s of statuses) {
    if (!isRuntimeStatus(s))
      throw new InvalidArgumentError(`Unknown runtime status '${s}'; use Pending, Running, Completed, ContinuedAsNew, Failed, Terminated or Suspended.`);
  }
  return new Set(statuses as RuntimeStatus[]);
}

export function normalizeQuery(query: InstanceQuery): NormalizedQuery {
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError(`Page size must be an integer from 1 to ${MAX_PAGE_SIZE}; got ${String(pageSize)}.`);
  }
  const normalized: NormalizedQuery = { pageSize };
  const statuses = normalizeStatuses(query.runtimeStatus);
  if (statuses) normalized.runtimeStatus = statuses;
  const from = isoTime('createdTimeFrom', query.createdTimeFrom);
  const to = isoTime('createdTimeTo', query.createdTimeTo);
  if (from) normalized.createdTimeFrom = from;
  if (to) normalized.createdTimeTo = to;
  if (query.instanceIdPrefix) normalized.instanceIdPrefix = query.instanceIdPrefix;
  if (query.continuationToken) normalized.after = decodeContinuationToken(query.continuationToken);
  return normalized;
}

export function matchesQuery(
  record: InstanceRecord,
  q: Pick<NormalizedQuery, 'runtimeStatus' | 'createdTimeFrom' | 'createdTimeTo' | 'instanceIdPrefix'>,
): boolean {
  if (q.runtimeStatus && !q.runtimeStatus.has(record.runtimeStatus)) return false;
  if (q.createdTimeFrom && record.createdTime < q.createdTimeFrom) return false;
  if (q.createdTimeTo && record.createdTime > q.createdTimeTo) return false;
  if (q.instanceIdPrefix && !record.instanceId.startsWith(q.instanceIdPrefix)) return false;
  return true;
}

/** Negative when `a` comes first in the query's order. */
export function compareInQueryOrder(q: Pick<NormalizedQuery, 'instanceIdPrefix'>, a: SortKey, b: SortKey): number {
  if (q.instanceIdPrefix !== undefined) return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
  if (a.createdTime !== b.createdTime) return a.createdTime > b.createdTime ? -1 : 1;
  return a.instanceId > b.instanceId ? -1 : a.instanceId < b.instanceId ? 1 : 0;
}

/**
 * The page of a query from `rows`, its first matches in query order: up to a page and one, the
 * one more telling that a next page exists (its token points after the page's last instance).
 */
export function toPage(rows: readonly InstanceRecord[], pageSize: number): InstancePage {
  const instances = rows.slice(0, pageSize);
  const last = instances[instances.length - 1];
  return rows.length > pageSize && last ? { instances, continuationToken: encodeContinuationToken(last) } : { instances };
}

/**
 * For stores without listing indexes: the first page and one of `records` that match `q`, in
 * query order, from one pass that sorts only a bounded buffer (O(n log page), not O(n log n)).
 */
export function firstMatches(records: Iterable<InstanceRecord>, q: NormalizedQuery): InstanceRecord[] {
  const keep = q.pageSize + 1;
  const order = (a: InstanceRecord, b: InstanceRecord) => compareInQueryOrder(q, a, b);
  let found: InstanceRecord[] = [];
  for (const r of records) {
    if (!matchesQuery(r, q) || (q.after && compareInQueryOrder(q, q.after, r) >= 0)) continue;
    found.push(r);
    if (found.length >= 4 * keep) found = found.sort(order).slice(0, keep);
  }
  return found.sort(order).slice(0, keep);
}

/** Tokens are base64url of UTF-8 JSON: safe in headers and URLs, whatever the instance IDs hold. */
export function encodeContinuationToken(key: SortKey): string {
  const bytes = new TextEncoder().encode(JSON.stringify([key.createdTime, key.instanceId]));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function decodeContinuationToken(token: string): SortKey {
  try {
    const binary = atob(token.replaceAll('-', '+').replaceAll('_', '/'));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const [createdTime, instanceId] = JSON.parse(text) as unknown[];
    if (typeof createdTime === 'string' && typeof instanceId === 'string') return { createdTime, instanceId };
  } catch {
    /* reported below */
  }
  throw new InvalidArgumentError('The continuation token is malformed; pass back the token from the previous page unchanged.');
}

/** The statuses a purge by filter touches; non-terminal ones are refused, not ignored. */
export function purgeStatuses(filter: PurgeFilter): ReadonlySet<RuntimeStatus> {
  const statuses = normalizeStatuses(filter.runtimeStatus) ?? new Set(TERMINAL_STATUSES);
  for (const s of statuses) {
    if (!isTerminal(s))
      throw new InvalidArgumentError(`Instances that are ${s} cannot be purged; purge applies only to ${TERMINAL_STATUSES.join(', ')} instances.`);
  }
  return statuses;
}

export function normalizePurgeFilter(
  filter: PurgeFilter,
): Pick<NormalizedQuery, 'runtimeStatus' | 'createdTimeFrom' | 'createdTimeTo'> & { runtimeStatus: ReadonlySet<RuntimeStatus> } {
  const from = isoTime('createdTimeFrom', filter.createdTimeFrom);
  const to = isoTime('createdTimeTo', filter.createdTimeTo);
  return { runtimeStatus: purgeStatuses(filter), createdTimeFrom: from, createdTimeTo: to };
}

/** A count filter with its times checked and made canonical ISO (as stored), so that index ranges compare them as text. */
export function normalizeCountFilter(filter: CountFilter): Pick<NormalizedQuery, 'createdTimeFrom' | 'createdTimeTo'> {
  const range: Pick<NormalizedQuery, 'createdTimeFrom' | 'createdTimeTo'> = {};
  const from = isoTime('createdTimeFrom', filter.createdTimeFrom);
  const to = isoTime('createdTimeTo', filter.createdTimeTo);
  if (from) range.createdTimeFrom = from;
  if (to) range.createdTimeTo = to;
  return range;
}

/** Every status at 0, in the API's status order. */
export function zeroCounts(): InstanceCounts {
  const counts = {} as InstanceCounts;
  for (const status of RUNTIME_STATUSES) counts[status] = 0;
  return counts;
}
