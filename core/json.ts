/**
 * Payloads are stored and moved as JSON text, so a value is serialized once at the edge
 * and every store sees the same bytes. `undefined` is stored as `undefined` (no payload).
 * @module
 */
import { InvalidArgumentError, SerializationError } from './errors.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './limits.js';

const encoder = new TextEncoder();

/** Serializes a value, rejecting what JSON would silently mangle (functions, symbols, bigint, cycles). */
export function serialize(what: string, value: unknown, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): string | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'function' || typeof v === 'symbol') throw new TypeError(`a ${typeof v} is not JSON data`);
      if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError(`${v} is not JSON data`);
      return v;
    });
  } catch (cause) {
    throw new SerializationError(what, { cause });
  }
  if (text === undefined) throw new SerializationError(what);
  const size = text.length > maxBytes / 3 ? encoder.encode(text).length : text.length;
  if (size > maxBytes) {
    throw new InvalidArgumentError(`${what} is ${size} bytes of JSON; the limit is ${maxBytes} bytes.`);
  }
  return text;
}

export function deserialize<T = unknown>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
