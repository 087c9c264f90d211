/**
 * Query parameters, validated strictly: a value that is present but malformed is a 400,
 * never silently replaced by the default (Durable Functions' `bool.TryParse` fallback).
 * @module
 */
import type { Context } from 'hono';
import { RUNTIME_STATUSES, type RuntimeStatus } from '../core/history.js';
import { HttpError } from './errors.js';

const bad = (name: string, value: string, expected: string) =>
  new HttpError(400, 'InvalidArgument', `Query parameter '${name}' is '${value}'; expected ${expected}.`);

/** A query value; the name is matched exactly first, then case-insensitively (as Durable Functions does for taskHub). */
export function query(c: Context, name: string): string | undefined {
  if (!c.req.url.includes('?')) return undefined;
  const exact = c.req.query(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(c.req.query())) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export function bool(c: Context, name: string, fallback: boolean): boolean {
  const value = query(c, name);
  if (value === undefined || value === '') return fallback;
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw bad(name, value, 'true or false');
}

/** Seconds as a finite, non-negative number (Durable Functions parses a double). */
export function seconds(c: Context, name: string, max: number): number | undefined {
  const value = query(c, name);
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > max) throw bad(name, value, `a number of seconds from 0 to ${max}`);
  return n;
}

export function integer(c: Context, name: string, min: number, max: number): number | undefined {
  const value = query(c, name);
  if (value === undefined || value === '') return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw bad(name, value, `an integer from ${min} to ${max}`);
  return n;
}

/** An ISO 8601 date-time (anything `Date.parse` reads); returned normalized. */
export function dateTime(c: Context, name: string): string | undefined {
  const value = query(c, name);
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw bad(name, value, 'an ISO 8601 date-time such as 2026-01-01T00:00:00Z');
  return new Date(ms).toISOString();
}

const BY_LOWER = new Map(RUNTIME_STATUSES.map((s) => [s.toLowerCase(), s]));
/** Durable Functions statuses this engine never produces: they match nothing. */
const NEVER = new Set(['canceled', 'unknown']);

/**
 * `runtimeStatus` as a comma list and/or repeated. Case-insensitive. Returns undefined when
 * absent, and an empty array when only statuses we never produce (Canceled, Unknown) were asked for.
 */
export function runtimeStatuses(c: Context, name = 'runtimeStatus'): RuntimeStatus[] | undefined {
  const values = c.req.queries(name);
  if (!values) return undefined;
  const statuses = new Set<RuntimeStatus>();
  let any = false;
  for (const part of values.flatMap((v) => v.split(','))) {
    const token = part.trim();
    if (token === '') continue;
    any = true;
    const status = BY_LOWER.get(token.toLowerCase());
    if (status) statuses.add(status);
    else if (!NEVER.has(token.toLowerCase())) throw bad(name, token, `one of ${RUNTIME_STATUSES.join(', ')}`);
  }
  return any ? [...statuses] : undefined;
}
