/**
 * A history bundle with what legitimately differs between runs and stores taken out: times
 * become '<time>', instance IDs '<id 1>', '<id 2>'… in order of first appearance, and the
 * export's own `exportedAt` and `source` are dropped. Two runs of the same orchestration on
 * any stores normalize to equal values.
 */
import type { HistoryBundle, InstanceBundle } from '../../core/wire/bundle.js';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

export function normalizeBundle(bundle: HistoryBundle): unknown {
  const ids = new Map<string, string>();
  const collect = (b: InstanceBundle) => {
    const name = (id: string) => ids.get(id) ?? ids.set(id, `<id ${ids.size + 1}>`).get(id)!;
    name(b.instance.instanceId);
    for (const row of b.history) {
      if (typeof row.InstanceId === 'string') name(row.InstanceId);
      const started = row.OrchestrationInstance as { executionId?: string } | undefined;
      if (started?.executionId) name(started.executionId);
    }
    for (const child of b.children ?? []) collect(child);
  };
  collect(bundle);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return TIME.test(value) ? '<time>' : (ids.get(value) ?? value);
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'exportedAt' && k !== 'source') out[k] = walk(v);
    return out;
  };
  return walk(bundle);
}
