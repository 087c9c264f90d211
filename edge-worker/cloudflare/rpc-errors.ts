/**
 * Errors across the Durable Object boundary. RPC keeps only an error's message, so the
 * object sends the typed fields and the caller rebuilds the same typed error (same
 * `name`, `code` and message) that an in-process store would have thrown.
 * @module
 */
import { DurableError, type DurableErrorCode, InstanceAlreadyExistsError, InvalidArgumentError, VersionConflictError } from '../../core/errors.js';

export interface WireError {
  name: string;
  message: string;
  code?: string;
  instanceId?: string;
  runtimeStatus?: string;
  expected?: number;
  actual?: number | null;
}

export type WireResult = { ok: true; value: unknown } | { ok: false; error: WireError };

export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const e = error as Error & Partial<Record<'code' | 'instanceId' | 'runtimeStatus' | 'expected' | 'actual', unknown>>;
  const wire: WireError = { name: e.name, message: e.message };
  if (typeof e.code === 'string') wire.code = e.code;
  if (typeof e.instanceId === 'string') wire.instanceId = e.instanceId;
  if (typeof e.runtimeStatus === 'string') wire.runtimeStatus = e.runtimeStatus;
  if (typeof e.expected === 'number') wire.expected = e.expected;
  if ('actual' in e) wire.actual = typeof e.actual === 'number' ? e.actual : null;
  return wire;
}

export function fromWire(w: WireError): Error {
  switch (w.name) {
    case 'InstanceAlreadyExistsError':
      return new InstanceAlreadyExistsError(w.instanceId ?? '', w.runtimeStatus ?? '');
    case 'VersionConflictError': {
      const error = new VersionConflictError(w.instanceId ?? '', w.expected ?? 0, w.actual ?? undefined);
      // The message may carry what was in the way (a conflict's detail is not a field of its own).
      error.message = w.message;
      return error;
    }
    case 'InvalidArgumentError':
      return new InvalidArgumentError(w.message);
  }
  const error = w.code ? new DurableError(w.code as DurableErrorCode, w.message) : new Error(w.message);
  Object.defineProperty(error, 'name', { value: w.name });
  return error;
}
