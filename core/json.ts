/**
 * Payloads are stored and moved as JSON text, so a value is serialized once at the edge
 * and every store sees the same bytes. `undefined` is stored as `undefined` (no payload).
 * @module
 */
import { InvalidArgumentError, SerializationError } from './errors.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './limits.js';

const encoder = new TextEncoder();

/**
 * Serializes a value, rejecting what JSON would silently mangle (functions, symbols, bigint,
 * cycles). `what` names the value in errors; pass a function to build that name only when needed.
 */
export function serialize(what: string | (() => string), value: unknown, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): string | undefined {
  if (value === undefined) return undefined;
  // The common payloads need no replacer (it runs per value): finite numbers (whose JSON is
  // their String form), short strings, booleans, null.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === null || typeof value === 'boolean' || (typeof value === 'string' && value.length <= maxBytes / 6)) {
    return JSON.stringify(value);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'function' || typeof v === 'symbol') throw new TypeError(`a ${typeof v} is not JSON data`);
      if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError(`${v} is not JSON data`);
      return v;
    });
  } catch (cause) {
    throw new SerializationError(name(what), { cause });
  }
  if (text === undefined) throw new SerializationError(name(what));
  const size = text.length > maxBytes / 3 ? encoder.encode(text).length : text.length;
  if (size > maxBytes) {
    throw new InvalidArgumentError(`${name(what)} is ${size} bytes of JSON; the limit is ${maxBytes} bytes.`);
  }
  return text;
}

const name = (what: string | (() => string)): string => (typeof what === 'function' ? what() : what);
