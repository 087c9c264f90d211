import { describe, expect, it } from 'vitest';
import { batchReportLines, runBatch, summarizeBatch } from '../../src/commands/batch.js';

describe('runBatch', () => {
  it('runs every instance, reports each failure with its message and reports progress', async () => {
    const progress: number[] = [];
    const result = await runBatch(
      ['a', 'b', 'c', 'd'],
      async (id) => {
        if (id === 'c') throw new Error('410 gone');
      },
      { onProgress: (done) => progress.push(done) },
    );
    expect(result.succeeded.sort()).toEqual(['a', 'b', 'd']);
    expect(result.failed).toEqual([{ instanceId: 'c', error: '410 gone' }]);
    expect(progress.sort()).toEqual([1, 2, 3, 4]);
  });

  it('never runs more operations at once than the concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    await runBatch(
      Array.from({ length: 10 }, (_, i) => `i${i}`),
      async () => {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      },
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
  });

  it('stops starting new operations once cancelled', async () => {
    let cancelled = false;
    const result = await runBatch(
      ['a', 'b', 'c', 'd'],
      async (id) => {
        if (id === 'b') cancelled = true;
      },
      { concurrency: 1, isCancelled: () => cancelled },
    );
    expect(result.succeeded).toEqual(['a', 'b']);
    expect(result.notAttempted).toEqual(['c', 'd']);
  });
});

describe('batch report', () => {
  it('summarizes in one line and lists each failure', () => {
    const result = { succeeded: ['a', 'b'], failed: [{ instanceId: 'c', error: 'gone' }], notAttempted: [] };
    expect(summarizeBatch('Terminate', result, 2)).toBe('Terminate: 2 succeeded, 1 failed, 2 skipped (not applicable)');
    expect(batchReportLines('Terminate', result)).toEqual(['Terminate — 2 succeeded, 1 failed, 0 not attempted', '  FAILED c: gone']);
  });
});
