/**
 * Argument parsing on node:util `parseArgs`, plus the value parsers every command shares
 * (dates, runtime statuses, JSON inline or @file, counts, durations). Bad values are usage
 * errors (exit 2) that show an example of a good one.
 * @module
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateInstanceId } from '../core/limits.js';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../core/wire/status.js';
import { usageError } from './errors.js';
import type { CliIO } from './io.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder in help, e.g. `ID`. */
  value?: string;
  description: string;
  /** Following bare words that are runtime statuses join this option (`--runtime-status Failed Terminated`). */
  statusList?: boolean;
  /** A following bare `true`/`false` sets this boolean (`--show-input true`, as func durable). */
  boolValue?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;
export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

const STATUS_BY_LOWER = new Map(RUNTIME_STATUSES.map((s) => [s.toLowerCase(), s]));

export function parseCommandLine(command: string, args: readonly string[], specs: OptionSpecs, maxPositionals: number): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    // parseArgs validates every key it is given: `multiple` and `short` are set only where they hold a value.
    const option: (typeof options)[string] = { type: spec.type };
    if (spec.multiple) option.multiple = true;
    if (spec.short) option.short = spec.short;
    options[name] = option;
  }
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const hint = error instanceof Error ? error.message.split('\n').slice(1).join(' ') : '';
    throw usageError(message, `${hint ? `${hint} ` : ''}Run 'durable ${command} --help' for its options.`);
  }
  const values: Values = { ...(parsed.values as Values) };
  const positionals: string[] = [];
  let list: string | undefined;
  let flag: string | undefined;
  for (const token of parsed.tokens) {
    if (token.kind === 'option') {
      const spec = specs[token.name];
      list = spec?.statusList && !token.inlineValue ? token.name : undefined;
      flag = spec?.boolValue ? token.name : undefined;
      continue;
    }
    if (token.kind === 'option-terminator') {
      list = undefined;
      flag = undefined;
      continue;
    }
    if (list && token.value.split(',').every((s) => s.trim() === '' || STATUS_BY_LOWER.has(s.trim().toLowerCase()))) {
      const current = values[list];
      values[list] = Array.isArray(current) ? [...current, token.value] : [String(current ?? ''), token.value];
      continue;
    }
    list = undefined;
    if (flag && /^(true|false)$/i.test(token.value)) {
      values[flag] = token.value.toLowerCase() === 'true';
      flag = undefined;
      continue;
    }
    flag = undefined;
    positionals.push(token.value);
  }
  if (positionals.length > maxPositionals) {
    throw usageError(`Unexpected argument '${positionals[maxPositionals]}'.`, `Options take the form --name value; run 'durable ${command} --help'.`);
  }
  return { values, positionals };
}

// ---- value parsers ----

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[v.length - 1] : undefined;
}

export function list(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

export function required(values: Values, name: string, example: string): string {
  const v = str(values, name);
  if (v === undefined || v === '') throw usageError(`--${name} is required.`, `For example: ${example}`);
  return v;
}

export function instanceId(values: Values, command: string, name = 'id'): string {
  const id = required(values, name, `durable ${command} --${name} 0ab8c55a66644d68a3a8b220b12d209c`);
  try {
    return validateInstanceId(id);
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** ISO 8601 date or date-time; without an offset it is UTC. */
export function date(values: Values, name: string): string | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const t = v.trim();
  const match = ISO_DATE.exec(t);
  let ms = Number.NaN;
  if (match && validCalendarDate(t)) {
    let text = t.replace(' ', 'T');
    if (text.length > 10 && !match[1]) text += 'Z';
    ms = Date.parse(text);
  }
  if (!Number.isFinite(ms))
    throw usageError(`--${name} '${v}' is not a date.`, 'Use ISO 8601 (UTC unless an offset is given), e.g. 2026-01-31 or 2026-01-31T13:57:00Z.');
  return new Date(ms).toISOString();
}

function validCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, m - 1, d));
  return check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d;
}

/** Space- and/or comma-separated, case-insensitive; canonical names out. */
export function statuses(values: Values, name = 'runtime-status'): RuntimeStatus[] | undefined {
  const words = list(values, name)
    .flatMap((v) => v.split(/[\s,]+/))
    .filter(Boolean);
  if (words.length === 0) return undefined;
  const out: RuntimeStatus[] = [];
  for (const w of words) {
    const status = STATUS_BY_LOWER.get(w.toLowerCase());
    if (!status) {
      const canceled = /^cancell?ed$/i.test(w) ? ' (Canceled is never used: a cancelled instance is Terminated)' : '';
      throw usageError(`Unknown runtime status '${w}'${canceled}.`, `Use ${RUNTIME_STATUSES.join(', ')}; several separated by spaces or commas.`);
    }
    if (!out.includes(status)) out.push(status);
  }
  return out;
}

export function integer(values: Values, name: string, range: { min: number; max: number }, fallback?: number): number | undefined {
  const v = str(values, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n) || n < range.min || n > range.max) {
    throw usageError(`--${name} '${v}' must be a whole number from ${range.min} to ${range.max}.`);
  }
  return n;
}

export function seconds(values: Values, name: string, fallback: number): number {
  const v = str(values, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw usageError(`--${name} '${v}' must be a number of seconds (0 or more).`);
  return n;
}

/** JSON inline, or `@path` (relative to the working directory), or `@-` for stdin. */
export async function jsonValue(values: Values, name: string, io: CliIO): Promise<unknown> {
  const v = str(values, name);
  if (v === undefined) return undefined;
  let text = v;
  let source = `--${name}`;
  if (v.startsWith('@')) {
    const path = v.slice(1);
    if (!path) throw usageError(`--${name} '@' needs a file name, e.g. --${name} @input.json (or @- for stdin).`);
    source = path === '-' ? 'stdin' : `file '${path}'`;
    try {
      text = path === '-' ? await io.readStdin() : await io.readFile(resolve(io.cwd, path));
    } catch (error) {
      throw usageError(
        `Cannot read ${source} for --${name}: ${(error as { code?: string }).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}.`,
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw usageError(
      `${source === `--${name}` ? `--${name}` : `The ${source} given to --${name}`} is not valid JSON (${why}).`,
      `Write a JSON value: a string needs quotes, e.g. --${name} '"Tokyo"'; or pass a file: --${name} @data.json.`,
    );
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h30m`, `2d`, `500ms` (an optional leading `+`). */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().replace(/^\+/, '');
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}
