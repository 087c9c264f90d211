/** Human-readable durations, ages and JSON previews for tree descriptions and tooltips. Pure. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "850 ms", "1.2 s", "2 m 5 s", "1 h 2 m", "3 d 4 h": two units at most, because more is noise in a tree. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < 10 * SECOND) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`;
  if (ms < HOUR) return twoUnits(ms, MINUTE, 'm', SECOND, 's');
  if (ms < DAY) return twoUnits(ms, HOUR, 'h', MINUTE, 'm');
  return twoUnits(ms, DAY, 'd', HOUR, 'h');
}

function twoUnits(ms: number, big: number, bigName: string, small: number, smallName: string): string {
  const major = Math.floor(ms / big);
  const minor = Math.floor((ms - major * big) / small);
  return minor ? `${major} ${bigName} ${minor} ${smallName}` : `${major} ${bigName}`;
}

/** "just now", "42 s ago", "5 m ago", "3 h ago", "2 d ago". */
export function formatAge(isoTime: string, now: number): string {
  const then = Date.parse(isoTime);
  if (Number.isNaN(then)) return '';
  const age = now - then;
  if (age < 2 * SECOND) return 'just now';
  if (age < MINUTE) return `${Math.floor(age / SECOND)} s ago`;
  if (age < HOUR) return `${Math.floor(age / MINUTE)} m ago`;
  if (age < DAY) return `${Math.floor(age / HOUR)} h ago`;
  return `${Math.floor(age / DAY)} d ago`;
}

/** Milliseconds between two ISO times, or undefined when either is missing or unparsable. */
export function millisBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const start = Date.parse(from);
  const end = Date.parse(to);
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : end - start;
}

/** Compact one-line JSON, cut at `max` characters, for descriptions and tooltips. */
export function previewJson(value: unknown, max = 200): string {
  if (value === undefined) return '';
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "10:00:00.250" in UTC: the episode and history labels only need the time of day. */
export function formatClock(isoTime: string): string {
  const time = Date.parse(isoTime);
  if (Number.isNaN(time)) return isoTime;
  const iso = new Date(time).toISOString();
  const clock = iso.slice(11, 23);
  return clock.endsWith('.000') ? clock.slice(0, 8) : clock;
}
