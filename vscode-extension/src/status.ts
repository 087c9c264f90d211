/** Runtime statuses of an orchestration instance and which management operations apply to each. Pure. */

export const RUNTIME_STATUSES = [
  'Pending',
  'Running',
  'Suspended',
  'ContinuedAsNew',
  'Completed',
  'Failed',
  'Terminated',
] as const;

export type RuntimeStatus = (typeof RUNTIME_STATUSES)[number];

export function isRuntimeStatus(value: unknown): value is RuntimeStatus {
  return typeof value === 'string' && (RUNTIME_STATUSES as readonly string[]).includes(value);
}

/** Statuses an instance never leaves on its own; only purge and restart still apply. */
export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Statuses that can change without anyone acting on the instance, so the tree polls them.
 * Suspended is excluded on purpose: it only changes when someone resumes or terminates it.
 */
export function changesOnItsOwn(status: RuntimeStatus): boolean {
  return status === 'Pending' || status === 'Running' || status === 'ContinuedAsNew';
}

/** The operations of the HTTP API that act on one instance, with the statuses each one accepts (DF's handler matrix). */
export type InstanceOperation = 'terminate' | 'suspend' | 'resume' | 'rewind' | 'raiseEvent' | 'purge' | 'restart';

const APPLICABLE: Record<InstanceOperation, readonly RuntimeStatus[]> = {
  terminate: ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'],
  suspend: ['Pending', 'Running', 'ContinuedAsNew'],
  resume: ['Suspended'],
  rewind: ['Failed'],
  raiseEvent: ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'],
  purge: TERMINAL_STATUSES,
  restart: RUNTIME_STATUSES,
};

export function operationApplies(operation: InstanceOperation, status: RuntimeStatus): boolean {
  return APPLICABLE[operation].includes(status);
}
