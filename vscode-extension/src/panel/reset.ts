/**
 * Reset and fork from the panel (beyond Durable Functions; `DurableHttpClient.reset`): what the prompts say, what
 * they accept and the request they build. A row's 1-based position in the lossless history is reset's `eventId`:
 * the instance keeps the rows up to and including it and runs on from there, in place (reset) or as a new instance
 * (fork). Pure (no vscode import).
 */
import { isRuntimeStatus, offers, type ResetRequest } from '../wire.js';

export type ResetKind = 'reset' | 'fork';

/** Where the history is known: its length and, when the user picked a row, that row. */
export interface ResetTarget {
  instanceId: string;
  /** Rows in the whole (lossless) history. */
  total: number;
  /** The chosen row's 1-based position; asked for when absent. */
  position?: number;
  /** How the chosen row reads in the table, e.g. "TaskCompleted Work". */
  row?: string;
}

/** Reset and fork are offered on the statuses of the shared table (every status with a history: all but Pending). */
export function resetOffered(status: string): boolean {
  return isRuntimeStatus(status) && offers('reset', status);
}

export function validatePosition(text: string, total: number): string | undefined {
  const value = text.trim();
  if (!/^\d+$/.test(value)) return `Enter a row number from 1 to ${total} (the # column of the History tab).`;
  const position = Number(value);
  if (position < 1 || position > total) return `Row ${position} is not in the history: enter a number from 1 to ${total}.`;
  return undefined;
}

/** The fork's suggested ID: the instance's, marked with the row it forks from. */
export function suggestForkId(instanceId: string, position: number): string {
  return `${instanceId}-fork-${position}`;
}

export function validateForkId(id: string, instanceId: string, idProblem: (id: string) => string | undefined): string | undefined {
  const value = id.trim();
  if (!value) return 'Enter the new instance ID.';
  if (value === instanceId) return 'A fork needs an ID of its own; to go back in place, use Reset.';
  return idProblem(value);
}

export function resetRequest(position: number, reason: string, newInstanceId?: string): ResetRequest {
  const request: ResetRequest = { eventId: position };
  const text = reason.trim();
  if (text) request.reason = text;
  if (newInstanceId !== undefined) request.newInstanceId = newInstanceId.trim();
  return request;
}

/** The modal confirmation: message, detail and the button that goes ahead. */
export function resetConfirmation(
  kind: ResetKind,
  target: Required<Pick<ResetTarget, 'instanceId' | 'total' | 'position'>> & Pick<ResetTarget, 'row'>,
  forkId?: string,
) {
  const row = `row ${target.position}${target.row ? ` (${target.row})` : ''}`;
  const dropped = target.total - target.position;
  const after = dropped > 0 ? `the ${dropped} row${dropped === 1 ? '' : 's'} after it` : 'nothing after it (it is the last row)';
  if (kind === 'reset') {
    return {
      message: `Reset ${target.instanceId} to ${row}?`,
      detail: `The instance keeps its history up to and including ${row}, drops ${after}, and runs on from there. This cannot be undone.`,
      button: 'Reset',
    };
  }
  return {
    message: `Fork ${target.instanceId} from ${row} as ${forkId}?`,
    detail: `A new instance ${forkId} starts with the history up to and including ${row} and runs on from there; ${target.instanceId} is left as it is.`,
    button: 'Fork',
  };
}
