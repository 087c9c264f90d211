/**
 * The differential fuzzer in the Node suite: a fixed range of seeds per store, plus every seed
 * listed in regressions.json. Each seed's program runs once without faults (the oracle) and
 * once with activity failures, crashes and duplicate deliveries; see oracle.ts for what must
 * agree. regressions.json lists seeds that once failed ({ seed, store, mode }); the faults-mode
 * ones run here, the rewind-mode ones in rewind.fuzz.ts. A failure prints the shrunk program, its fault plan, history and rerun command.
 */
import { describe, expect, it } from 'vitest';
import { checkSeed, describeFailure, type Mode } from './case.js';
import type { StoreKind } from './driver.js';
import regressions from './regressions.json' with { type: 'json' };
import { shrink } from './shrink.js';

const RANGES: Record<StoreKind, [from: number, count: number]> = {
  memory: [1, 300],
  sqlite: [10_001, 40],
  indexeddb: [20_001, 40],
};

async function failures(
  seeds: { seed: number; store: StoreKind; mode: Mode }[],
): Promise<{ reports: string[]; injected: number; crashes: number; duplicated: number }> {
  const reports: string[] = [];
  let [injected, crashes, duplicated] = [0, 0, 0];
  for (const { seed, store, mode } of seeds) {
    const { c, verdict } = await checkSeed(seed, store, mode);
    injected += verdict.faulted?.injected ?? 0;
    crashes += verdict.faulted?.crashes ?? 0;
    duplicated += verdict.faulted?.duplicated ?? 0;
    if (!verdict.problems.length) continue;
    const small = await shrink(c, verdict);
    reports.push(describeFailure(small.c, small.verdict, mode));
  }
  return { reports, injected, crashes, duplicated };
}

describe('differential fuzzer: faulted runs end as the fault-free oracle did', () => {
  for (const [store, [from, count]] of Object.entries(RANGES) as [StoreKind, [number, number]][]) {
    it(`${count} seeds and the listed regressions on the ${store} store`, { timeout: 240_000 }, async () => {
      const listed = (regressions as { seed: number; store: StoreKind; mode: Mode }[]).filter((r) => r.store === store && r.mode === 'faults');
      const seeds = [...Array.from({ length: count }, (_, i) => ({ seed: from + i, store, mode: 'faults' as const })), ...listed];
      const result = await failures(seeds);
      expect(result.reports.join('\n\n')).toBe('');
      // The faults really happen: a run that injects nothing would pass vacuously.
      expect(result.injected).toBeGreaterThan(count / 10);
      expect(result.crashes).toBeGreaterThan(count / 10);
      expect(result.duplicated).toBeGreaterThan(count / 10);
    });
  }
});
