/** The instance filter of a task hub: its query form, its one-line description and the parsing of user input. Pure. */
import type { InstanceQuery, RuntimeStatus } from './wire.js';

export interface InstanceFilter {
  statuses: RuntimeStatus[];
  /** ISO times, inclusive bounds on `createdTime`. */
  createdFrom?: string;
  createdTo?: string;
  idPrefix?: string;
}

export const EMPTY_FILTER: InstanceFilter = { statuses: [] };

export function isEmptyFilter(filter: InstanceFilter): boolean {
  return filter.statuses.length === 0 && !filter.createdFrom && !filter.createdTo && !filter.idPrefix;
}

export function filterToQuery(filter: InstanceFilter): InstanceQuery {
  return {
    runtimeStatus: filter.statuses.length ? filter.statuses : undefined,
    createdTimeFrom: filter.createdFrom || undefined,
    createdTimeTo: filter.createdTo || undefined,
    instanceIdPrefix: filter.idPrefix || undefined,
  };
}

/** "Running, Failed · from 2026-11-25 10:00 · to … · id abc*", or "" for no filter. */
export function describeFilter(filter: InstanceFilter): string {
  const parts: string[] = [];
  if (filter.statuses.length) parts.push(filter.statuses.join(', '));
  if (filter.createdFrom) parts.push(`from ${shortTime(filter.createdFrom)}`);
  if (filter.createdTo) parts.push(`to ${shortTime(filter.createdTo)}`);
  if (filter.idPrefix) parts.push(`id ${filter.idPrefix}*`);
  return parts.join(' · ');
}

function shortTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const text = new Date(time).toISOString();
  return text.endsWith('T00:00:00.000Z') ? text.slice(0, 10) : `${text.slice(0, 16).replace('T', ' ')}Z`;
}

const RELATIVE = /^(\d+)\s*(m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Accepts an ISO date ("2026-11-25"), an ISO date-time ("2026-11-25T10:00:00Z"; no zone means UTC) or an age
 * relative to `now` ("30m", "24h", "7d", "2w" = that long ago). Returns the ISO time, undefined for empty
 * input, or throws with a message fit for an input box.
 */
export function parseTimeInput(input: string, now: number): string | undefined {
  const value = input.trim();
  if (!value) return undefined;
  const relative = RELATIVE.exec(value);
  if (relative) return new Date(now - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    throw new Error('Use an ISO date or time (2026-11-25, 2026-11-25T10:00:00Z) or an age such as 30m, 24h, 7d.');
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value) && value.length > 10;
  const normalized = value.replace(' ', 'T');
  const time = Date.parse(value.length === 10 ? `${normalized}T00:00:00Z` : hasZone ? normalized : `${normalized}Z`);
  if (Number.isNaN(time)) throw new Error(`"${value}" is not a valid date.`);
  return new Date(time).toISOString();
}
