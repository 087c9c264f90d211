/**
 * The panel's action buttons: each runs the explorer command of the same operation on the panel's instance, and is
 * offered on the statuses of the shared operation x status table (core/wire/status.ts `offers`). Reset and fork
 * pick a row of the history, so they are offered only where the rows are the stored events. Pure (no vscode import).
 */
import { type InstanceOperation, isRuntimeStatus, offers } from '../wire.js';

export interface PanelAction {
  /** Sent by the button as `data-id`. */
  id: string;
  label: string;
  /** The VS Code command run with the panel's InstanceRef. */
  command: string;
  /** Changes the instance: hidden on read-only connections and offline bundles. */
  mutating: boolean;
  /** Picks a row of the lossless history (reset's `eventId`): run with `{ total }`, hidden without such a history. */
  picksRow?: boolean;
  offered(status: string): boolean;
}

const byOperation = (operation: InstanceOperation, label: string, command: string): PanelAction => ({
  id: operation,
  label,
  command,
  mutating: true,
  offered: (status) => isRuntimeStatus(status) && offers(operation, status),
});

const ACTIONS: PanelAction[] = [
  byOperation('raiseEvent', 'Raise Event…', 'edgeDurable.raiseEvent'),
  byOperation('suspend', 'Suspend…', 'edgeDurable.suspend'),
  byOperation('resume', 'Resume…', 'edgeDurable.resume'),
  byOperation('terminate', 'Terminate…', 'edgeDurable.terminate'),
  byOperation('rewind', 'Rewind…', 'edgeDurable.rewind'),
  byOperation('restart', 'Restart…', 'edgeDurable.restart'),
  byOperation('purge', 'Purge…', 'edgeDurable.purge'),
  { ...byOperation('reset', 'Reset…', 'edgeDurable.reset'), picksRow: true },
  { ...byOperation('reset', 'Fork…', 'edgeDurable.fork'), id: 'fork', picksRow: true },
];

/** Adds an action (e.g. reset, fork) after the built-in ones; a second action with the same id replaces the first. */
export function registerPanelAction(action: PanelAction): void {
  const index = ACTIONS.findIndex((a) => a.id === action.id);
  if (index >= 0) ACTIONS[index] = action;
  else ACTIONS.push(action);
}

export function panelActions(): readonly PanelAction[] {
  return ACTIONS;
}

/** `lossless`: the history's rows are the stored events (absent or false on a Durable Functions server's merged rows). */
export function offeredActions(status: string, options: { readOnly: boolean; lossless?: boolean }): PanelAction[] {
  return ACTIONS.filter((action) => action.offered(status) && !(options.readOnly && action.mutating) && !(action.picksRow && !options.lossless));
}
