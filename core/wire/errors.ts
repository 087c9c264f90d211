/**
 * What a caller of the HTTP API gets when a request fails: an `ApiError` for every answer
 * with an error status (its HTTP status, the server's `code` and message, and a `kind` to
 * branch on), or an `EndpointUnreachableError` when no answer came.
 * @module
 */

/** How a request failed, whatever the server's wording. */
export type ApiErrorKind = 'NotFound' | 'UnknownOrchestrator' | 'InvalidState' | 'InvalidArgument' | 'Conflict' | 'Unauthorized' | 'Failed';

/** The server answered with an error status. `code` is the body's `error.code`, or one derived from the status for a body without one. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly kind: ApiErrorKind;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.kind = kindOf(status, code);
  }
}

/** 401: the token is missing or wrong. */
export class UnauthorizedError extends ApiError {
  override name = 'UnauthorizedError';
}

/** No HTTP answer at all: DNS, refused connection, a CORS rejection in a browser, or the timeout. */
export class EndpointUnreachableError extends Error {
  override name = 'EndpointUnreachableError';
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`Cannot reach ${endpoint}: ${reason}`);
  }
}

/** The endpoint given is not an http:// or https:// URL. */
export class InvalidEndpointError extends Error {
  override name = 'InvalidEndpointError';
  constructor(
    readonly endpoint: string,
    reason: string,
  ) {
    super(`'${endpoint}' ${reason}`);
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

function kindOf(status: number, code: string): ApiErrorKind {
  if (code === 'UnknownOrchestrator') return 'UnknownOrchestrator';
  if (status === 400) return 'InvalidArgument';
  if (status === 401 || status === 403) return 'Unauthorized';
  if (status === 404) return 'NotFound';
  // 409 is also InstanceAlreadyExists and VersionConflict; 410 is Durable Functions' "finished".
  if (status === 409) return code === 'InvalidState' ? 'InvalidState' : 'Conflict';
  if (status === 410) return 'InvalidState';
  return 'Failed';
}

/** The error for a response with status `status` and body `text` (JSON or not). */
export function toApiError(status: number, text: string, request: string): ApiError {
  const detail = errorDetail(parseBody(text));
  const code = detail.code ?? codeOfStatus(status);
  const message = detail.message ?? (text.trim() || `HTTP ${status} from ${request}`);
  return status === 401 ? new UnauthorizedError(status, code, message) : new ApiError(status, code, message);
}

/** JSON when it parses, else the text itself; undefined for an empty body. */
export function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Our `{error: {code, message}}`, and ASP.NET's `{Message, ExceptionMessage}` that Durable Functions returns. */
function errorDetail(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const error = (body as { error?: unknown }).error;
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : undefined, message: typeof message === 'string' ? message : undefined };
  }
  if (typeof error === 'string') return { message: error };
  const { Message, ExceptionMessage, message } = body as { Message?: unknown; ExceptionMessage?: unknown; message?: unknown };
  const text = [Message, ExceptionMessage, message].filter((m): m is string => typeof m === 'string').join(' ');
  return text ? { message: text } : {};
}

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Gone',
};

function codeOfStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? `Http${status}`;
}

/** Node's fetch keeps the useful part (ECONNREFUSED, ...) in `cause`. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause && (typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : '');
  return detail ? `${error.message} (${detail})` : error.message;
}
