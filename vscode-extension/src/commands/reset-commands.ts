/** Reset and Fork (panel buttons and the History tab's rows): a row, a fork's ID, a reason, a modal confirmation, then the request. */
import * as vscode from 'vscode';
import { LiveInstanceSource } from '../panel/instance-source.js';
import { type ResetKind, type ResetTarget, resetConfirmation, resetRequest, suggestForkId, validateForkId, validatePosition } from '../panel/reset.js';
import type { InstanceRef } from '../tree/explorer-node.js';
import type { CommandContext } from './command-context.js';
import { showNewInstance } from './hub-commands.js';
import { followStatusChange } from './instance-commands.js';
import { validateInstanceId } from './validation.js';

/** Returns the ID of the instance that continues (the fork's, or the same), or undefined when cancelled. */
export async function resetInstance(ctx: CommandContext, ref: InstanceRef, kind: ResetKind, target: ResetTarget | undefined): Promise<string | undefined> {
  if (ref.offline) throw new Error('An offline bundle cannot be reset; open the instance from its connection.');
  if (!target || !(target.total > 0)) throw new Error(`Open ${ref.instanceId} in its panel to ${kind} it: the row is picked from its history.`);
  const verb = kind === 'reset' ? 'Reset' : 'Fork';
  let position = target.position;
  if (position === undefined) {
    const text = await vscode.window.showInputBox({
      title: `${verb} ${ref.instanceId}`,
      prompt: `Row to keep up to and including (1-${target.total}, the # column of the History tab)`,
      value: String(target.total),
      validateInput: (value) => validatePosition(value, target.total),
      ignoreFocusOut: true,
    });
    if (text === undefined) return undefined;
    position = Number(text.trim());
  }
  let forkId: string | undefined;
  if (kind === 'fork') {
    const suggestion = suggestForkId(ref.instanceId, position);
    const text = await vscode.window.showInputBox({
      title: `Fork ${ref.instanceId} from row ${position}`,
      prompt: 'Instance ID of the new instance',
      value: suggestion,
      validateInput: (value) => validateForkId(value, ref.instanceId, (id) => validateInstanceId(id, { optional: false })),
      ignoreFocusOut: true,
    });
    if (text === undefined) return undefined;
    forkId = text.trim();
  }
  const reason = await vscode.window.showInputBox({
    title: `${verb} ${ref.instanceId} at row ${position}`,
    prompt: 'Reason (optional), recorded in the history',
    placeHolder: 'Press Enter to continue without a reason',
    ignoreFocusOut: true,
  });
  if (reason === undefined) return undefined;
  const confirm = resetConfirmation(kind, { instanceId: ref.instanceId, total: target.total, position, row: target.row }, forkId);
  const answer = await vscode.window.showWarningMessage(confirm.message, { modal: true, detail: confirm.detail }, confirm.button);
  if (answer !== confirm.button) return undefined;
  const client = await ref.services.client(ref.connection);
  const before = await client.getStatus(ref.taskHub, ref.instanceId).catch(() => undefined);
  const continuing = await client.reset(ref.taskHub, ref.instanceId, resetRequest(position, reason, forkId));
  if (kind === 'fork') {
    await showNewInstance(ctx, client, ref.connection, ref.taskHub, continuing);
    await ctx.panels.open(new LiveInstanceSource(ref.connection, ref.taskHub, continuing, ref.services));
    void vscode.window.showInformationMessage(`Forked ${ref.instanceId} from row ${position} as ${continuing}.`);
  } else {
    await followStatusChange(ctx, ref, before);
    await ctx.panels.refreshWhere(
      (source) => source.ref?.connection.name === ref.connection.name && source.ref.taskHub === ref.taskHub && source.instanceId === ref.instanceId,
    );
    void vscode.window.showInformationMessage(`Reset ${ref.instanceId} to row ${position}.`);
  }
  return continuing;
}
