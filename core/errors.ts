/**
 * Typed errors with stable `name` and `code`. Hosts map them to transport errors
 * (the HTTP layer maps `code` to a status); callers test them with `isDurableError`
 * rather than `instanceof`, which fails across realms (workers, iframes, bundles).
 * @module
 */

/** The stable codes of the engine's own errors, in the order of the classes below. */
const CODES = [
  'InvalidArgument',
  'InstanceNotFound',
  'InstanceAlreadyExists',
  'InvalidState',
  'UnknownOrchestrator',
  'UnknownActivity',
  'NonDeterminism',
  'Serialization',
  'VersionConflict',
  'StorageCorrupted',
  'StorageQuotaExceeded',
  'StoreInUse',
  'Timeout',
  'TaskFailed',
  'Aggregated',
  'BundleFormat',
  'PartitionCountMismatch',
] as const;

export type DurableErrorCode = (typeof CODES)[number];

export class DurableError extends Error {
  override readonly name: string = 'DurableError';
  constructor(
    readonly code: DurableErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An error that says everything in its message: its class gives the name and, as `static code`, the code. */
export abstract class MessageError extends DurableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super((new.target as unknown as { readonly code: DurableErrorCode }).code, message, options);
  }
}

export class InvalidArgumentError extends MessageError {
  static readonly code = 'InvalidArgument';
  override readonly name = 'InvalidArgumentError';
}

export class InstanceNotFoundError extends DurableError {
  override readonly name = 'InstanceNotFoundError';
  constructor(
    readonly instanceId: string,
    detail = '',
  ) {
    super('InstanceNotFound', `No orchestration instance with ID '${instanceId}' exists${detail ? `; ${detail}` : ''}.`);
  }
}

export class InstanceAlreadyExistsError extends DurableError {
  override readonly name = 'InstanceAlreadyExistsError';
  constructor(
    readonly instanceId: string,
    readonly runtimeStatus: string,
  ) {
    super(
      'InstanceAlreadyExists',
      `An orchestration instance with ID '${instanceId}' already exists and is ${runtimeStatus}; wait for it to finish, terminate it, or use another ID.`,
    );
  }
}

/** The operation is not allowed in the instance's current runtime status. */
export class InvalidStateError extends DurableError {
  override readonly name = 'InvalidStateError';
  constructor(
    readonly instanceId: string,
    readonly operation: string,
    readonly runtimeStatus: string,
    readonly allowed: readonly string[],
  ) {
    super(
      'InvalidState',
      `Cannot ${operation} instance '${instanceId}': it is ${runtimeStatus}; ${operation} applies only to ${allowed.join(', ')} instances.`,
    );
  }
}

export class UnknownOrchestratorError extends DurableError {
  override readonly name = 'UnknownOrchestratorError';
  constructor(
    readonly orchestratorName: string,
    known: readonly string[],
  ) {
    super('UnknownOrchestrator', `No orchestrator named '${orchestratorName}' is registered${known.length ? `; registered: ${known.join(', ')}` : ''}.`);
  }
}

export class UnknownActivityError extends DurableError {
  override readonly name = 'UnknownActivityError';
  constructor(readonly activityName: string) {
    super('UnknownActivity', `No activity named '${activityName}' is registered.`);
  }
}

/** A step of the history or of the code, as a divergence report shows it. */
export interface ReplayStep {
  type: string;
  name?: string;
  /** JSON text. */
  input?: string;
}

/** Where a replay first disagrees with its history (0-based row); `location` is the code's call (file:line). */
export interface Divergence {
  position: number;
  /** The recorded row; absent when the history ends where the code does more. */
  recorded?: ReplayStep;
  /** What the code does there; absent when it issues nothing. */
  current?: ReplayStep;
  location?: { file: string; line: number; column: number };
}

/** Orchestrator code and its recorded history disagree. */
export class NonDeterminismError extends DurableError {
  override readonly name = 'NonDeterminismError';
  constructor(
    readonly position: number,
    readonly recorded: string,
    readonly current: string,
    readonly divergence?: Divergence,
    at?: string,
  ) {
    super(
      'NonDeterminism',
      `Non-deterministic orchestrator: at history position ${position} the history records ${recorded}, but the code now ${current}${at ? ` (at ${at})` : ''}.`,
    );
  }
}

export class SerializationError extends DurableError {
  override readonly name = 'SerializationError';
  constructor(what: string, options?: { cause?: unknown }) {
    super('Serialization', `${what} cannot be serialized to JSON${options?.cause instanceof Error ? `: ${options.cause.message}` : ''}.`, options);
  }
}

/** A store write lost a race: someone else committed first. Never an overwrite. */
export class VersionConflictError extends DurableError {
  override readonly name = 'VersionConflictError';
  /** `detail` says what else was in the way of a commit that records activity results directly (`EpisodeCommit.completesActivities`). */
  constructor(
    readonly instanceId: string,
    readonly expected: number,
    readonly actual: number | undefined,
    detail?: string,
  ) {
    super('VersionConflict', `Instance '${instanceId}' changed concurrently: ${detail ?? `expected version ${expected}, found ${actual ?? 'none'}`}.`);
  }
}

export class StorageCorruptedError extends MessageError {
  static readonly code = 'StorageCorrupted';
  override readonly name = 'StorageCorruptedError';
}

export class StorageQuotaExceededError extends MessageError {
  static readonly code = 'StorageQuotaExceeded';
  override readonly name = 'StorageQuotaExceededError';
}

/**
 * A store that admits one owner at a time (the Node host's SQLite file) is owned by another live
 * process; the message names it (process ID, host, since when). Nothing was written.
 */
export class StoreInUseError extends MessageError {
  static readonly code = 'StoreInUse';
  override readonly name = 'StoreInUseError';
}

export class TimeoutError extends MessageError {
  static readonly code = 'Timeout';
  override readonly name = 'TimeoutError';
}

/**
 * A task hub's partition count is fixed when the hub is first used (an instance lives in the
 * partition its ID hashes to): a caller set to another count is refused, never served.
 */
export class PartitionCountMismatchError extends DurableError {
  override readonly name = 'PartitionCountMismatchError';
  constructor(
    readonly taskHub: string,
    readonly recorded: number,
    readonly requested: number,
  ) {
    super(
      'PartitionCountMismatch',
      `Task hub '${taskHub}' has ${recorded} partition(s), but this Worker is set to ${requested} for it. A hub's partition count is fixed at its first use: set it back to ${recorded} for '${taskHub}', or delete the hub first.`,
    );
  }
}

/** What an orchestrator sees when an activity or sub-orchestration it awaited failed. */
export class TaskFailedError extends DurableError {
  override readonly name = 'TaskFailedError';
  constructor(
    message: string,
    readonly details: FailureDetails,
  ) {
    super('TaskFailed', message);
  }
  /** durable-functions v3's name for `details`. */
  get failureDetails(): FailureDetails {
    return this.details;
  }
}

/** Thrown into an orchestrator by `Task.all` when some of its tasks failed. */
export class AggregatedError extends DurableError {
  override readonly name = 'AggregatedError';
  constructor(readonly errors: Error[]) {
    super('Aggregated', `${errors.length} task(s) failed: ${errors.map((e) => e.message).join('; ')}`);
  }
}

export interface FailureDetails {
  errorType: string;
  errorMessage: string;
  stackTrace?: string;
  innerFailure?: FailureDetails;
}

/** A history bundle that this build cannot read: not JSON, another format, a newer major version, or a field missing or malformed (named in the message). */
export class BundleFormatError extends MessageError {
  static readonly code = 'BundleFormat';
  override readonly name = 'BundleFormatError';
}

const KNOWN_CODES: ReadonlySet<string> = new Set(CODES);

/** True for the engine's own errors (by their stable code, so it works across realms); other libraries' `code`s do not count. */
export function isDurableError(value: unknown, code?: DurableErrorCode): value is DurableError {
  if (!(value instanceof Error)) return false;
  const own = (value as Partial<DurableError>).code;
  return typeof own === 'string' && KNOWN_CODES.has(own) && (code === undefined || own === code);
}

export function toFailureDetails(error: unknown): FailureDetails {
  if (error instanceof TaskFailedError) {
    return { errorType: error.name, errorMessage: error.message, innerFailure: error.details, stackTrace: error.stack || undefined };
  }
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, stackTrace: error.stack || undefined };
  }
  return { errorType: 'Error', errorMessage: String(error) };
}

/** What `check` complains about, as its error's message; undefined when it passes. For validators that report rather than throw. */
export function problemOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
