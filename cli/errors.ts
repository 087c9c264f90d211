/**
 * Exit codes and the errors that carry them. Every failure the CLI reports says what
 * happened and, where it can, what to do about it.
 * @module
 */
import { isDurableError } from '../core/errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string) => new CliError(message, EXIT.usage, hint);
export const notFoundError = (message: string, hint?: string) => new CliError(message, EXIT.notFound, hint);
export const failedError = (message: string, hint?: string) => new CliError(message, EXIT.failed, hint);

/** How a backend operation failed, whatever the transport. */
export type BackendErrorKind =
  | 'NotFound'
  | 'UnknownOrchestrator'
  | 'InvalidState'
  | 'InvalidArgument'
  | 'Conflict'
  | 'Unauthorized'
  | 'Unreachable'
  | 'Unsupported'
  | 'Failed';

export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly kind: BackendErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const EXIT_BY_KIND: Record<BackendErrorKind, ExitCode> = {
  NotFound: EXIT.notFound,
  UnknownOrchestrator: EXIT.notFound,
  InvalidArgument: EXIT.usage,
  InvalidState: EXIT.failed,
  Conflict: EXIT.failed,
  Unauthorized: EXIT.failed,
  Unreachable: EXIT.failed,
  Unsupported: EXIT.failed,
  Failed: EXIT.failed,
};

const HINT_BY_KIND: Partial<Record<BackendErrorKind, string>> = {
  NotFound: 'Check the instance ID and --task-hub-name; `durable get-instances` lists the instances.',
  Unauthorized: 'Pass --token (or set DURABLE_TOKEN) with a token the endpoint accepts.',
  Unreachable: 'Is the host running? Check --endpoint (or DURABLE_ENDPOINT).',
};

/** Core errors (store mode) become backend errors, so both modes report alike. */
export function toBackendError(error: unknown): unknown {
  if (error instanceof BackendError || !isDurableError(error)) return error;
  switch (error.code) {
    case 'InstanceNotFound':
      return new BackendError('NotFound', error.message);
    case 'UnknownOrchestrator':
      return new BackendError('UnknownOrchestrator', error.message);
    case 'InvalidState':
      return new BackendError('InvalidState', error.message);
    case 'InvalidArgument':
    case 'Serialization':
    case 'BundleFormat':
      return new BackendError('InvalidArgument', error.message);
    case 'InstanceAlreadyExists':
      return new BackendError('Conflict', error.message);
    default:
      return new BackendError('Failed', error.message);
  }
}

/** The exit code, message and hint for any error a command throws. */
export function describeError(error: unknown): { exitCode: ExitCode; message: string; hint?: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message, hint: error.hint };
  const converted = toBackendError(error);
  if (converted instanceof BackendError) {
    return { exitCode: EXIT_BY_KIND[converted.kind], message: converted.message, hint: HINT_BY_KIND[converted.kind] };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.failed, message };
}
