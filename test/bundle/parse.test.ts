/** createBundle and parseBundle: what a bundle must hold, and the errors that name what is wrong. */
import { describe, expect, it } from 'vitest';
import { isDurableError } from '../../core/errors.js';
import { BUNDLE_FORMAT, BundleFormatError, createBundle, exportBundle, type HistoryBundle, parseBundle } from '../../core/wire/bundle.js';
import type { HistoryRow, StatusPayload } from '../../core/wire/payloads.js';

const status = (instanceId: string, name = 'Parent'): StatusPayload => ({
  name,
  instanceId,
  runtimeStatus: 'Completed',
  input: { n: 1 },
  customStatus: null,
  output: 'done',
  createdTime: '2026-01-01T00:00:00Z',
  lastUpdatedTime: '2026-01-01T00:00:05Z',
});
const row = (EventType: string, extra: Record<string, unknown> = {}): HistoryRow => ({ EventType, Timestamp: '2026-01-01T00:00:01Z', ...extra });

function sample(): HistoryBundle {
  return createBundle({
    exportedAt: '2026-01-02T00:00:00.000Z',
    source: { taskHub: 'Hub', backend: 'sqlite' },
    instance: { ...status('p'), historyEvents: [row('ExecutionStarted')] },
    history: [row('ExecutionStarted'), row('ExecutionCompleted')],
    children: [{ exportedAt: '2026-01-02T00:00:00.000Z', source: { taskHub: 'Hub', backend: 'sqlite' }, instance: status('c', 'Child'), history: [] }],
  });
}

/** The sample with `change` applied to its parsed JSON, as text. */
function edited(change: (bundle: Record<string, any>) => void): string {
  const value = JSON.parse(JSON.stringify(sample()));
  change(value);
  return JSON.stringify(value);
}

function parseError(text: string): BundleFormatError {
  try {
    parseBundle(text);
  } catch (error) {
    expect(error).toBeInstanceOf(BundleFormatError);
    expect(isDurableError(error, 'BundleFormat')).toBe(true);
    return error as BundleFormatError;
  }
  throw new Error('parseBundle accepted it');
}

describe('history bundles', () => {
  it('createBundle stamps format and version and leaves the merged historyEvents out; parseBundle reads it back', () => {
    const bundle = sample();
    expect(bundle.format).toBe(BUNDLE_FORMAT);
    expect(bundle.version).toBe(1);
    expect(bundle.instance).not.toHaveProperty('historyEvents');
    expect(bundle.children![0]).not.toHaveProperty('format');
    expect(parseBundle(JSON.stringify(bundle))).toEqual(bundle);
  });

  it('refuses a newer version, another format, non-JSON and a bad version, saying so', () => {
    expect(parseError(edited((b) => (b.version = 2))).message).toMatch(/version 2, newer than this build reads \(1\).*Upgrade/);
    expect(parseError(edited((b) => (b.format = 'something/else'))).message).toContain("format is 'something/else'");
    expect(parseError(edited((b) => delete b.format)).message).toContain(`"format": "${BUNDLE_FORMAT}"`);
    expect(parseError('{"format": "edge-durable/history-bundle", "version": 1.5}').message).toContain("'version' must be a whole number");
    expect(parseError('not json').message).toMatch(/^The history bundle is not JSON/);
    expect(parseError('[1]').message).toBe('The history bundle must be a JSON object.');
  });

  it('names the path of a missing or malformed field, nested children included', () => {
    expect(parseError(edited((b) => delete b.instance.instanceId)).message).toBe("The history bundle's 'bundle.instance.instanceId' is missing.");
    expect(parseError(edited((b) => delete b.instance.output)).message).toContain("'bundle.instance.output' is missing (null stands for no value)");
    expect(parseError(edited((b) => (b.instance.runtimeStatus = 'Done'))).message).toContain(
      "'bundle.instance.runtimeStatus' is 'Done'; expected one of Pending",
    );
    expect(parseError(edited((b) => (b.history[1].EventType = 7))).message).toContain("'bundle.history[1].EventType' must be a string");
    expect(parseError(edited((b) => (b.source.backend = 'postgres'))).message).toContain("'bundle.source.backend' is 'postgres'");
    expect(parseError(edited((b) => delete b.children[0].history)).message).toContain("'bundle.children[0].history' is missing");
    expect(parseError(edited((b) => delete b.exportedAt)).message).toContain("'bundle.exportedAt' is missing");
  });

  it('exportBundle nests children depth first, once each, skips a purged one and refuses a missing root', async () => {
    const histories: Record<string, HistoryRow[]> = {
      p: [row('SubOrchestrationInstanceCreated', { InstanceId: 'c1' }), row('SubOrchestrationInstanceCreated', { InstanceId: 'gone' })],
      c1: [row('SubOrchestrationInstanceCreated', { InstanceId: 'g1' }), row('SubOrchestrationInstanceCreated', { InstanceId: 'p' })],
      g1: [],
    };
    const reader = {
      status: async (id: string) => (id in histories ? status(id) : undefined),
      history: async (id: string) => histories[id] ?? [],
    };
    const options = { source: { taskHub: 'Hub' }, exportedAt: '2026-01-02T00:00:00.000Z', notFound: (id: string) => new Error(`no ${id}`) };
    const nested = await exportBundle(reader, 'p', { ...options, children: true });
    expect(nested.children!.map((c) => c.instance.instanceId)).toEqual(['c1']);
    expect(nested.children![0]!.children!.map((c) => c.instance.instanceId)).toEqual(['g1']);
    expect((await exportBundle(reader, 'p', options)).children).toBeUndefined();
    await expect(exportBundle(reader, 'nobody', options)).rejects.toThrow('no nobody');
  });
});
