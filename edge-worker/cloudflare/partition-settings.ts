/**
 * How many partitions each task hub has: `createWorker(app, { partitions })` or the var
 * `DURABLE_PARTITIONS`, either a number for every hub or `{ "default": 1, "hubs": { "big": 16 } }`
 * (hub names exactly as the API names them). A hub keeps the count it had at its first use;
 * a Worker set to another count for it is refused (`PartitionCountMismatchError`, 409).
 * @module
 */
import { validatePartitionCount } from '../../core/store/partitions.js';

export type PartitionSettings = number | { default?: number; hubs?: Record<string, number> };

export function partitionsFor(settings: PartitionSettings, hub: string): number {
  if (typeof settings === 'number') return settings;
  return settings.hubs?.[hub] ?? settings.default ?? 1;
}

/** Checks every count in `settings` (1..MAX_PARTITIONS); throws `InvalidArgumentError` naming the bad one. */
export function validatePartitionSettings(settings: unknown): PartitionSettings {
  if (typeof settings === 'number') return validatePartitionCount(settings, 'The partition count');
  const s = settings as { default?: unknown; hubs?: unknown } | null;
  const valid = typeof s === 'object' && s !== null && Object.keys(s).every((k) => k === 'default' || k === 'hubs');
  const hubs = s?.hubs;
  if (!valid || (hubs !== undefined && (typeof hubs !== 'object' || hubs === null || Array.isArray(hubs)))) {
    return validatePartitionCount(Number.NaN, 'Partitions (a number, or { "default": n, "hubs": { "<hub>": n } })');
  }
  if (s.default !== undefined) validatePartitionCount(s.default, 'The default partition count');
  for (const [hub, n] of Object.entries((hubs ?? {}) as Record<string, unknown>)) validatePartitionCount(n, `The partition count of hub '${hub}'`);
  return s as PartitionSettings;
}

/** The var's value: a number, or the JSON object form. */
export function parsePartitionsVar(text: string): PartitionSettings {
  let value: unknown = Number(text);
  if (!/^\s*\d+\s*$/.test(text)) {
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
  }
  return validatePartitionSettings(value);
}
