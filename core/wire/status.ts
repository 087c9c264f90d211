/**
 * Runtime statuses and THE operation x status matrix, defined once. `ACCEPTED` is what the
 * server does: the management client (and through it the HTTP routes) carries out an operation
 * on these statuses and refuses it on the others with an `InvalidStateError` (HTTP 410, or 409
 * for purge). `offers` is what the tools (CLI batch, the VS Code explorer) propose: the accepted
 * statuses minus those where the operation changes nothing.
 * @module
 */
import { isRuntimeStatus, isTerminal, RUNTIME_STATUSES, type RuntimeStatus, TERMINAL_STATUSES } from '../history.js';

export { isRuntimeStatus, isTerminal, RUNTIME_STATUSES, type RuntimeStatus, TERMINAL_STATUSES };

/** The statuses an instance leaves by itself or by an operation: everything but the terminal ones. */
export const ACTIVE_STATUSES: readonly RuntimeStatus[] = RUNTIME_STATUSES.filter((s) => !isTerminal(s));

/** For pickers: the active statuses in the order an instance meets them, then the terminal ones. */
export const STATUSES_IN_LIFECYCLE_ORDER: readonly RuntimeStatus[] = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew', ...TERMINAL_STATUSES];

/** Whether a status a server reports is final: a terminal one, or Durable Functions' `Canceled` (which this engine never produces). */
export function hasFinished(status: string): boolean {
  return status === 'Canceled' || (isRuntimeStatus(status) && isTerminal(status));
}

/** Whether an instance in this status can change without anyone acting on it (Suspended waits for resume or terminate). */
export function changesOnItsOwn(status: RuntimeStatus): boolean {
  return !isTerminal(status) && status !== 'Suspended';
}

/** The management operations on one instance. */
export type InstanceOperation = 'terminate' | 'suspend' | 'resume' | 'rewind' | 'raiseEvent' | 'purge' | 'restart' | 'reset';

/**
 * The statuses each operation is carried out on (Durable Functions' handler matrix, with this
 * engine's divergences: rewind only Failed, purge only terminal). Restart is accepted on every
 * status under a new ID; under the same ID only on a terminal one (checked by the client). Reset
 * (beyond Durable Functions) needs a history to go back in: every status but Pending.
 */
const ACCEPTED: Readonly<Record<InstanceOperation, readonly RuntimeStatus[]>> = {
  terminate: ACTIVE_STATUSES,
  suspend: ACTIVE_STATUSES,
  resume: ACTIVE_STATUSES,
  raiseEvent: ACTIVE_STATUSES,
  rewind: ['Failed'],
  purge: TERMINAL_STATUSES,
  restart: RUNTIME_STATUSES,
  reset: RUNTIME_STATUSES.filter((s) => s !== 'Pending'),
};

/** Accepted statuses on which the operation is a no-op: suspending a suspended instance, resuming one that is not suspended. */
const NO_OP: Readonly<Partial<Record<InstanceOperation, readonly RuntimeStatus[]>>> = {
  suspend: ['Suspended'],
  resume: ACTIVE_STATUSES.filter((s) => s !== 'Suspended'),
};

const offered = (operation: InstanceOperation): readonly RuntimeStatus[] => ACCEPTED[operation].filter((s) => !NO_OP[operation]?.includes(s));

const OFFERED: Readonly<Record<InstanceOperation, readonly RuntimeStatus[]>> = {
  terminate: offered('terminate'),
  suspend: offered('suspend'),
  resume: offered('resume'),
  raiseEvent: offered('raiseEvent'),
  rewind: offered('rewind'),
  purge: offered('purge'),
  restart: offered('restart'),
  reset: offered('reset'),
};

/** The statuses the server carries the operation out on, in RUNTIME_STATUSES order. */
export function acceptedStatuses(operation: InstanceOperation): readonly RuntimeStatus[] {
  return ACCEPTED[operation];
}

export function accepts(operation: InstanceOperation, status: RuntimeStatus): boolean {
  return ACCEPTED[operation].includes(status);
}

/** The statuses the tools offer the operation on, in RUNTIME_STATUSES order. */
export function offeredStatuses(operation: InstanceOperation): readonly RuntimeStatus[] {
  return OFFERED[operation];
}

export function offers(operation: InstanceOperation, status: RuntimeStatus): boolean {
  return OFFERED[operation].includes(status);
}
