/** The partition function (stable forever) and the listing merged across partitions. */
import { describe, expect, it } from 'vitest';
import {
  decodePartitionToken,
  encodePartitionToken,
  fnv1a32,
  MAX_PARTITIONS,
  mergePartitionPages,
  partitionOf,
  validatePartitionCount,
} from '../../core/store/partitions.js';
import type { InstancePage, InstanceQuery, InstanceRecord } from '../../core/store/port.js';
import { compareInQueryOrder, firstMatches, normalizeQuery, toPage } from '../../core/store/query.js';

describe('partitionOf', () => {
  it('is FNV-1a 32 over UTF-8 (published vectors), finalized, and fixed forever', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    // UTF-8 bytes (C3 A9), not the UTF-16 code unit.
    expect(fnv1a32('é')).toBe(0x1e9de8c1);
    // Where these instances live is part of every partitioned hub's stored layout: pinned, never to change.
    expect(['order-1', 'order-2', 'order-3', 'ünïcode', 'p-0:0000'].map((id) => partitionOf(id, 16))).toEqual([12, 0, 14, 12, 8]);
    expect(partitionOf('anything', 1)).toBe(0);
  });

  it('spreads IDs that share a prefix and differ by a suffix over every partition', () => {
    for (const n of [4, 16, 64]) {
      const counts = new Array<number>(n).fill(0);
      for (let i = 0; i < 200 * n; i++) counts[partitionOf(`inst-${i}`, n)]!++;
      expect(Math.min(...counts)).toBeGreaterThan(120);
      expect(Math.max(...counts)).toBeLessThan(280);
      // A child ID (parent + fixed suffix) is not tied to its parent's partition.
      const apart = Array.from({ length: 100 }, (_, k) => partitionOf(`p-${k}`, n) !== partitionOf(`p-${k}:0000`, n)).filter(Boolean).length;
      expect(apart).toBeGreaterThan(50);
    }
  });

  it('takes counts 1..MAX_PARTITIONS only', () => {
    expect(validatePartitionCount(16)).toBe(16);
    for (const bad of [0, -1, 1.5, MAX_PARTITIONS + 1, '4', null]) expect(() => validatePartitionCount(bad)).toThrow(/integer from 1 to/);
  });
});

const row = (instanceId: string, createdTime: string): InstanceRecord => ({
  instanceId,
  name: 'N',
  executionId: 'e',
  runtimeStatus: 'Pending',
  createdTime,
  lastUpdatedTime: createdTime,
  version: 1,
});

describe('mergePartitionPages', () => {
  const records = Array.from({ length: 57 }, (_, i) => row(`id-${(i * 31) % 57}`, `2026-01-01T00:00:0${i % 7}.000Z`));
  /** A partition lists its own rows as every adapter does: a page after the token, in query order. */
  const partitionPage =
    (mine: InstanceRecord[]) =>
    async (query: InstanceQuery): Promise<InstancePage> => {
      const q = normalizeQuery(query);
      return toPage(firstMatches(mine, q), q.pageSize);
    };
  const walk = async (page: (q: InstanceQuery) => Promise<InstancePage>, query: InstanceQuery) => {
    const pages: string[][] = [];
    let continuationToken: string | undefined;
    do {
      const p = await page({ ...query, continuationToken });
      pages.push(p.instances.map((r) => r.instanceId));
      continuationToken = p.continuationToken;
    } while (continuationToken);
    return pages;
  };

  it('gives the pages of one partition holding everything, asking each partition for at most one page', async () => {
    for (const n of [2, 4, 16]) {
      const parts = Array.from({ length: n }, (_, i) => records.filter((r) => partitionOf(r.instanceId, n) === i));
      for (const query of [{ pageSize: 5 }, { pageSize: 57 }, { pageSize: 100 }, { pageSize: 4, instanceIdPrefix: 'id-1' }]) {
        const one = await walk(partitionPage(records), query);
        let asked = 0;
        const merged = await walk(
          (q) =>
            mergePartitionPages(n, q, (i, pq) => {
              asked++;
              expect(pq.pageSize).toBe(q.pageSize);
              return partitionPage(parts[i]!)(pq);
            }),
          query,
        );
        expect(merged).toEqual(one);
        expect(asked).toBeLessThanOrEqual(n * merged.length);
      }
    }
    // Sanity: the comparator is the one the pages follow.
    expect(compareInQueryOrder({}, records[0]!, records[0]!)).toBe(0);
  });

  it('refuses a malformed token or one for another partition count (InvalidArgumentError)', async () => {
    const never = () => Promise.reject(new Error('not called'));
    for (const token of ['%%%', 'bm90IGpzb24', encodePartitionToken([null, 0]), btoa(JSON.stringify({ v: 2, p: [null, null, null, null] }))]) {
      await expect(mergePartitionPages(4, { continuationToken: token }, never)).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    }
    expect(decodePartitionToken(encodePartitionToken([null, 0, 'x', 0]), 4)).toEqual([null, 0, 'x', 0]);
  });
});
