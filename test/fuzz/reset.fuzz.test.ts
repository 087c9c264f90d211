/** The differential fuzzer's reset scenario (reset.ts) over fixed seeds in the Node suite; longer runs: `npm run fuzz -- --mode reset`. */
import { describe, expect, it } from 'vitest';
import type { StoreKind } from './driver.js';
import { generateProgram, printProgram } from './program.js';
import { checkReset } from './reset.js';

const RANGES: Record<StoreKind, [from: number, count: number]> = { memory: [50_001, 100], sqlite: [60_001, 20], indexeddb: [70_001, 20] };

describe('differential fuzzer, reset: a completed root reset to any row of its history ends as the oracle did', () => {
  for (const [store, [from, count]] of Object.entries(RANGES) as [StoreKind, [number, number]][]) {
    it(`${count} seeds on the ${store} store, in place and as forks`, { timeout: 240_000 }, async () => {
      const reports: string[] = [];
      for (let seed = from; seed < from + count; seed++) {
        const problems = await checkReset(seed, store);
        if (problems.length)
          reports.push(
            [
              `seed ${seed} (store ${store}, reset) failed:`,
              ...problems.slice(0, 8).map((p) => `  - ${p}`),
              'program:',
              printProgram(generateProgram(seed)),
            ].join('\n'),
          );
      }
      expect(reports.join('\n\n')).toBe('');
    });
  }
});
