/** The fuzzer's own checks catch what they should: a wrong outcome fails and shrinks to the step that causes it. */
import { describe, expect, it } from 'vitest';
import { type Case, checkCase } from './case.js';
import { type Program, printProgram } from './program.js';
import { shrink } from './shrink.js';

// An unprotected activity that fails in the faulted run, with no rewind: the root ends Failed, the oracle Completed.
const program: Program = {
  generations: 1,
  steps: [
    { t: 'act', id: 0, retry: 3 },
    {
      t: 'all',
      items: [
        { t: 'timer', ms: 5000 },
        { t: 'act', id: 1 },
        { t: 'sub', id: 2, program: { generations: 0, steps: [{ t: 'act', id: 3 }] } },
      ],
    },
    { t: 'status' },
  ],
};
const failing: Case = { seed: 7, store: 'memory', program, plan: { failures: { A1: [1], A0: [1] }, crashes: ['r#2'], duplicates: [], rewind: false } };

describe('the oracle comparison and the shrinker', () => {
  it('a faulted run that ends differently fails, naming the instance and the difference', async () => {
    const verdict = await checkCase(failing);
    expect(verdict.problems).toContain(`instance 'r': runtimeStatus "Failed", oracle "Completed".`);
    expect(verdict.faulted?.injected).toBeGreaterThanOrEqual(2);
    expect(verdict.faulted?.crashes).toBe(1);
  });

  it('the same program without the harmful failure passes: a retried failure and a crash are absorbed', async () => {
    const verdict = await checkCase({ ...failing, plan: { ...failing.plan, failures: { A0: [1, 2] } } });
    expect(verdict.problems).toEqual([]);
    expect(verdict.faulted?.injected).toBe(2);
  });

  it('shrinking keeps only what the failure needs', async () => {
    const small = await shrink(failing, await checkCase(failing));
    expect(small.c.plan).toEqual({ failures: { A1: [1] }, crashes: [], duplicates: [], rewind: false });
    expect(printProgram(small.c.program)).toBe('  all [\n    activity A1\n  ]');
  });
});
