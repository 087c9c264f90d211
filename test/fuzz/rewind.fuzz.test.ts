/**
 * The differential fuzzer's rewind mode: failures may hit unprotected calls, and the root is
 * rewound (faults off) as soon as it fails; it must then end as the oracle did. Longer runs:
 * `npm run fuzz -- --mode rewind --seeds N`.
 */
import { describe, expect, it } from 'vitest';
import { checkSeed, describeFailure, type Mode } from './case.js';
import type { StoreKind } from './driver.js';
import regressions from './regressions.json' with { type: 'json' };
import { shrink } from './shrink.js';

const RANGES: Record<StoreKind, [from: number, count: number]> = { memory: [1, 300], sqlite: [30_001, 30], indexeddb: [40_001, 30] };

describe('differential fuzzer, rewind mode: a failed root, rewound with the faults off, ends as the oracle did', () => {
  for (const [store, [from, count]] of Object.entries(RANGES) as [StoreKind, [number, number]][]) {
    it(`${count} seeds and the listed rewind regressions on the ${store} store`, { timeout: 240_000 }, async () => {
      const listed = (regressions as { seed: number; store: StoreKind; mode: Mode }[]).filter((r) => r.store === store && r.mode === 'rewind');
      const seeds = [...Array.from({ length: count }, (_, i) => from + i), ...listed.map((r) => r.seed)];
      const reports: string[] = [];
      let rewinds = 0;
      for (const seed of seeds) {
        const { c, verdict } = await checkSeed(seed, store, 'rewind');
        rewinds += verdict.faulted?.rewinds ?? 0;
        if (!verdict.problems.length) continue;
        const small = await shrink(c, verdict);
        reports.push(describeFailure(small.c, small.verdict, 'rewind'));
      }
      expect(reports.join('\n\n')).toBe('');
      expect(rewinds).toBeGreaterThan(count / 10);
    });
  }
});
