/**
 * HTTP errors: every rejected request gets a JSON body `{ "error": { "code", "message" } }`
 * with a stable `code` (a core `DurableErrorCode` or one of the HTTP-layer codes below).
 * Durable Functions' one exception is kept: GET status of a missing instance is an empty 404.
 * @module
 */
import type { Context } from 'hono';
import { type DurableErrorCode, isDurableError } from '../core/errors.js';
import type { ErrorBody as WireErrorBody } from '../core/wire/payloads.js';

/** Codes the HTTP layer adds to the core's. */
export type HttpErrorCode =
  | 'InvalidJson'
  | 'UnsupportedContentType'
  | 'PayloadTooLarge'
  | 'Unauthorized'
  | 'Forbidden'
  | 'RouteNotFound'
  | 'MethodNotAllowed'
  | 'TaskHubNotFound'
  | 'NotConfigured'
  | 'InternalError';

export type ErrorCode = DurableErrorCode | HttpErrorCode;

export type ErrorBody = WireErrorBody<ErrorCode>;

/** A response-shaped error: thrown anywhere in a route, rendered by the app's `onError`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Status of each core error code. Only true bugs (and a corrupted store) are 5xx. */
export const STATUS_BY_CODE: Readonly<Record<DurableErrorCode, number>> = {
  InvalidArgument: 400,
  Serialization: 400,
  UnknownOrchestrator: 400, // Durable Functions: an unknown function is an ArgumentException → 400
  UnknownActivity: 400,
  InstanceNotFound: 404,
  InstanceAlreadyExists: 409,
  InvalidState: 409, // routes that follow Durable Functions' 410 Gone override this
  VersionConflict: 409,
  PartitionCountMismatch: 409,
  Timeout: 408,
  StorageQuotaExceeded: 507,
  StorageCorrupted: 500,
  StoreInUse: 409,
  NonDeterminism: 500,
  TaskFailed: 500,
  Aggregated: 500,
  BundleFormat: 400,
};

export type StatusOverrides = Partial<Record<DurableErrorCode, number>>;

/** Turns a core error into an HttpError (with per-route status overrides); anything else is returned unchanged. */
export function toHttpError(error: unknown, overrides: StatusOverrides = {}): unknown {
  if (error instanceof HttpError || !isDurableError(error)) return error;
  return new HttpError(overrides[error.code] ?? STATUS_BY_CODE[error.code], error.code, error.message);
}

/** Runs a synchronous core call (a validation) and maps its typed errors. */
export function mapSync<T>(overrides: StatusOverrides, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toHttpError(error, overrides);
  }
}

/** Runs a core call and maps its typed errors with the route's overrides. */
export async function mapErrors<T>(overrides: StatusOverrides, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toHttpError(error, overrides);
  }
}

export function errorResponse(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const body: ErrorBody = { error: { code, message } };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** The app's `onError`: typed errors become their 4xx; anything else is a bug: logged, and a 500 without details. */
export function onError(log: (error: unknown) => void) {
  return (error: Error, _c: Context): Response => {
    const mapped = toHttpError(error);
    if (mapped instanceof HttpError) {
      if (mapped.status >= 500) log(error);
      return errorResponse(mapped.status, mapped.code, mapped.message, mapped.headers);
    }
    log(error);
    return errorResponse(500, 'InternalError', 'Something went wrong while processing your request.');
  };
}
