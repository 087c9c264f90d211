// Hub overview, Go to Orchestrator Code and the history bundle reader: pure parts.
import { describe, expect, it } from 'vitest';
import { findOrchestrationCall } from '../../src/orchestrator-code.js';
import { creationHistogram, describeCounts, renderHistogramSvg } from '../../src/panel/hub-overview.js';
import { tally } from '../../src/server-api.js';
import { BundleFormatError, createBundle, parseBundle } from '../../src/wire.js';

describe('hub overview', () => {
  it('describes the non-zero counts in lifecycle order', () => {
    expect(describeCounts(tally([{ runtimeStatus: 'Failed' }, { runtimeStatus: 'Running' }, { runtimeStatus: 'Running' }, { runtimeStatus: 'Running' }]))).toBe(
      '3 running · 1 failed',
    );
    expect(describeCounts({})).toBe('no instances');
  });

  it('buckets creation times by status, every instance in exactly one bucket', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
    const instances = [
      { createdTime: at(0), runtimeStatus: 'Completed' as const },
      { createdTime: at(1), runtimeStatus: 'Failed' as const },
      { createdTime: at(3600), runtimeStatus: 'Running' as const },
    ];
    const histogram = creationHistogram(instances, 10);
    const sum = histogram.buckets.reduce((n, b) => n + b.Completed + b.Failed + b.Running, 0);
    expect(sum).toBe(3);
    expect(histogram.buckets[0]).toMatchObject({ Completed: 1, Failed: 1 });
    expect(histogram.buckets[histogram.buckets.length - 1]).toMatchObject({ Running: 1 });
    expect(renderHistogramSvg(histogram).match(/<rect class="seg"/g)).toHaveLength(3);
    expect(creationHistogram([]).buckets).toEqual([]);
  });
});

describe('Go to Orchestrator Code', () => {
  it('finds the registration line with any quote, not a longer name or another call', () => {
    const source = 'const app = durable()\n  .activity(\'Hello\', f)\n  .orchestration( "HelloSequence2", g)\n  .orchestration(`HelloSequence`, h);\n';
    expect(findOrchestrationCall(source, 'HelloSequence')).toEqual({ line: 3, character: 3 });
    expect(findOrchestrationCall(source, 'Hello')).toBeUndefined();
    expect(findOrchestrationCall(source, 'Hello.Sequence')).toBeUndefined();
  });
});

describe('history bundles', () => {
  const instance = {
    name: 'A',
    instanceId: 'a',
    runtimeStatus: 'Completed',
    input: null,
    customStatus: null,
    output: 1,
    createdTime: 'x',
    lastUpdatedTime: 'x',
  } as const;
  const bundle = createBundle({ exportedAt: '2026-01-01T00:00:00.000Z', source: { taskHub: 'h' }, instance: { ...instance }, history: [] });

  it('reads back what it writes', () => {
    expect(parseBundle(JSON.stringify(bundle))).toEqual(bundle);
  });

  it('refuses a newer version, another format and a missing field with a typed error naming it', () => {
    const refuse = (value: unknown, message: RegExp) => {
      const error = (() => {
        try {
          parseBundle(typeof value === 'string' ? value : JSON.stringify(value));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(BundleFormatError);
      expect((error as BundleFormatError).code).toBe('BundleFormat');
      expect((error as Error).message).toMatch(message);
    };
    refuse({ ...bundle, version: 2 }, /version 2, newer than this build reads/);
    refuse({ ...bundle, format: 'other' }, /format is 'other'/);
    refuse({ ...bundle, history: undefined }, /'bundle.history' is missing/);
    refuse({ ...bundle, children: [{ ...bundle, instance: {} }] }, /'bundle.children\[0\].instance.name' is missing/);
    refuse('{', /not JSON/);
  });
});
