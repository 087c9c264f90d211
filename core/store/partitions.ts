/**
 * Partitioned task hubs: which partition holds an instance, and listing across partitions.
 *
 * An instance lives in partition `fmix32(fnv1a32(utf8(instanceId))) mod count`: FNV-1a, 32 bits
 * (offset basis 2166136261, prime 16777619) over the ID's UTF-8 bytes, then MurmurHash3's 32-bit
 * finalizer (`fmix32`). The finalizer matters: FNV-1a's low bits depend only on the low bits of
 * each byte, so FNV-1a alone mod a power of two sends IDs that differ by a fixed suffix to the
 * same partition. The function is part of the stored layout: changing it would strand every
 * instance of every partitioned hub, so it never changes. A hub's partition count is fixed when
 * the hub is first used.
 *
 * Listing merges the partitions' pages: each partition is asked for one page in the query
 * order after its own position, and the first `pageSize` of their union (in the same order)
 * is the page. So a page costs at most `pageSize + 1` rows per partition, never a scan, and
 * the pages are the ones a one-partition hub would give for the same instances.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import type { InstancePage, InstanceQuery, InstanceRecord } from './port.js';
import { compareInQueryOrder, encodeContinuationToken, normalizeQuery } from './query.js';

/** The most partitions a hub may have: a listing or count calls each one, and a Worker invocation has 1,000 subrequests (50 on the free plan). */
export const MAX_PARTITIONS = 64;

/** FNV-1a (32 bits) of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** MurmurHash3's 32-bit finalizer: every input bit reaches every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The partition of `instanceId` in a hub of `count` partitions. */
export function partitionOf(instanceId: string, count: number): number {
  return count === 1 ? 0 : fmix32(fnv1a32(instanceId)) % count;
}

export function validatePartitionCount(count: unknown, what = 'A partition count'): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS) {
    throw new InvalidArgumentError(`${what} must be an integer from 1 to ${MAX_PARTITIONS}; got ${JSON.stringify(count)}.`);
  }
  return count;
}

/** A partition's position in a listing: its own continuation token, `null` before its first page, `0` once it has no more. */
export type PartitionPosition = string | null | 0;

interface MergedToken {
  v: 1;
  /** One position per partition. */
  p: PartitionPosition[];
}

const BAD_TOKEN = 'The continuation token is malformed or belongs to another listing; pass back the token from the previous page unchanged.';

function toBase64Url(text: string): string {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function encodePartitionToken(positions: readonly PartitionPosition[]): string {
  return toBase64Url(JSON.stringify({ v: 1, p: [...positions] } satisfies MergedToken));
}

/** The positions in a merged token, or an `InvalidArgumentError` (400) if it is not one for `count` partitions. */
export function decodePartitionToken(token: string, count: number): PartitionPosition[] {
  let parsed: unknown;
  try {
    const binary = atob(token.replaceAll('-', '+').replaceAll('_', '/'));
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    throw new InvalidArgumentError(BAD_TOKEN);
  }
  const p = (parsed as Partial<MergedToken> | null)?.p;
  const valid =
    (parsed as Partial<MergedToken> | null)?.v === 1 &&
    Array.isArray(p) &&
    p.length === count &&
    p.every((x) => x === null || x === 0 || (typeof x === 'string' && x.length > 0));
  if (!valid) throw new InvalidArgumentError(BAD_TOKEN);
  return p as PartitionPosition[];
}

/**
 * One page of a listing over `count` partitions: `page(i, query)` lists partition `i`. Each
 * partition still in play is asked once, for `pageSize` rows after its position; the merged
 * token records, per partition, its token after the last row taken from it.
 */
export async function mergePartitionPages(
  count: number,
  query: InstanceQuery,
  page: (partition: number, query: InstanceQuery) => Promise<InstancePage>,
): Promise<InstancePage> {
  // Validates the filter and page size once, before any partition is called.
  const q = normalizeQuery({ ...query, continuationToken: undefined });
  const positions: PartitionPosition[] = query.continuationToken ? decodePartitionToken(query.continuationToken, count) : Array(count).fill(null);
  const pages = await Promise.all(
    positions.map((position, i) => (position === 0 ? undefined : page(i, { ...query, pageSize: q.pageSize, continuationToken: position ?? undefined }))),
  );
  const rows: { record: InstanceRecord; partition: number }[] = [];
  for (const [i, p] of pages.entries()) for (const record of p?.instances ?? []) rows.push({ record, partition: i });
  rows.sort((a, b) => compareInQueryOrder(q, a.record, b.record));
  const taken = rows.slice(0, q.pageSize);
  const last = new Map<number, InstanceRecord>();
  const takenFrom = new Array<number>(count).fill(0);
  for (const { record, partition } of taken) {
    last.set(partition, record);
    takenFrom[partition]!++;
  }
  const next = positions.map((position, i): PartitionPosition => {
    const p = pages[i];
    if (!p) return position;
    // Every row this partition gave was taken: it goes on from its own token, or is done.
    if (takenFrom[i] === p.instances.length) return p.continuationToken ?? 0;
    const lastTaken = last.get(i);
    return lastTaken ? encodeContinuationToken(lastTaken) : position;
  });
  const instances = taken.map((t) => t.record);
  return next.every((x) => x === 0) ? { instances } : { instances, continuationToken: encodePartitionToken(next) };
}
