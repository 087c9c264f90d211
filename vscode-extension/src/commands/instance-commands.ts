/** Context-menu commands on one instance (and on a sub-orchestration node that knows its child's ID). */
import * as vscode from 'vscode';
import { openInstanceDocument } from '../documents.js';
import { showTimeline } from '../timeline-panel.js';
import type { InstanceRef } from '../tree/explorer-node.js';
import type { StatusPayload } from '../wire.js';
import type { CommandContext } from './command-context.js';
import { showNewInstance } from './hub-commands.js';
import { parseJsonInput, validateEventName, validateJsonInput } from './validation.js';

type ReasonOperation = 'terminate' | 'suspend' | 'resume' | 'rewind';

const VERBS: Record<ReasonOperation, string> = { terminate: 'Terminate', suspend: 'Suspend', resume: 'Resume', rewind: 'Rewind' };

/** Terminate, suspend, resume and rewind: ask for an optional reason, send, then follow the status change. */
export async function runReasonOperation(ctx: CommandContext, ref: InstanceRef, operation: ReasonOperation): Promise<void> {
  const verb = VERBS[operation];
  const reason = await vscode.window.showInputBox({
    title: `${verb} ${ref.instanceId}`,
    prompt: 'Reason (optional), recorded in the instance history',
    placeHolder: 'Press Enter to continue without a reason',
    ignoreFocusOut: true,
  });
  if (reason === undefined) return; // Escape cancels
  const client = await ref.services.client(ref.connection);
  const before = await client.getStatus(ref.taskHub, ref.instanceId).catch(() => undefined);
  await client[operation](ref.taskHub, ref.instanceId, reason.trim());
  void vscode.window.showInformationMessage(`${verb} request accepted for ${ref.instanceId}.`);
  await followStatusChange(ctx, ref, before);
}

export async function raiseEvent(ctx: CommandContext, ref: InstanceRef): Promise<void> {
  const name = await vscode.window.showInputBox({
    title: `Raise event on ${ref.instanceId} (1/2)`,
    prompt: 'Event name (the name the orchestrator waits for)',
    validateInput: validateEventName,
    ignoreFocusOut: true,
  });
  if (name === undefined) return;
  const dataText = await vscode.window.showInputBox({
    title: `Raise event "${name.trim()}" on ${ref.instanceId} (2/2)`,
    prompt: 'Event data as JSON (empty for null), e.g. true, 42, "text" or {"approved": true}',
    validateInput: validateJsonInput,
    ignoreFocusOut: true,
  });
  if (dataText === undefined) return;
  const client = await ref.services.client(ref.connection);
  const before = await client.getStatus(ref.taskHub, ref.instanceId).catch(() => undefined);
  await client.raiseEvent(ref.taskHub, ref.instanceId, name.trim(), parseJsonInput(dataText) ?? null);
  void vscode.window.showInformationMessage(`Event "${name.trim()}" sent to ${ref.instanceId}.`);
  await followStatusChange(ctx, ref, before);
}

export async function restartInstance(ctx: CommandContext, ref: InstanceRef): Promise<void> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'New instance ID', description: 'start a fresh instance with the same orchestrator and input', newId: true },
      { label: 'Same instance ID', description: `replace ${ref.instanceId}`, newId: false },
    ],
    { title: `Restart ${ref.instanceId}`, ignoreFocusOut: true },
  );
  if (!choice) return;
  const client = await ref.services.client(ref.connection);
  const payload = await client.restart(ref.taskHub, ref.instanceId, choice.newId);
  await showNewInstance(ctx, client, ref.connection, ref.taskHub, payload.id);
  void vscode.window.showInformationMessage(`Restarted ${ref.instanceId} as ${payload.id}.`);
}

export async function purgeInstance(ctx: CommandContext, ref: InstanceRef): Promise<void> {
  const confirmed = await vscode.window.showWarningMessage(
    `Purge instance ${ref.instanceId} and all of its history from task hub ${ref.taskHub}?`,
    { modal: true, detail: 'This cannot be undone.' },
    'Purge',
  );
  if (confirmed !== 'Purge') return;
  const client = await ref.services.client(ref.connection);
  const deleted = await client.purgeInstance(ref.taskHub, ref.instanceId);
  ctx.provider.removeInstance(ref.connection, ref.taskHub, ref.instanceId);
  void vscode.window.showInformationMessage(`Purged ${ref.instanceId} (${deleted} instance${deleted === 1 ? '' : 's'} deleted).`);
}

export async function copyInstanceId(ref: InstanceRef): Promise<void> {
  await vscode.env.clipboard.writeText(ref.instanceId);
  vscode.window.setStatusBarMessage(`Copied instance ID ${ref.instanceId}`, 3000);
}

/** The status URL never contains the token: it is meant to be pasted into tickets and chats. */
export async function copyStatusUrl(ref: InstanceRef): Promise<void> {
  const client = await ref.services.client(ref.connection);
  const url = client.statusUrl(ref.taskHub, ref.instanceId);
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage(`Copied status URL of ${ref.instanceId}`, 3000);
}

export async function showStatusDocument(ctx: CommandContext, ref: InstanceRef, kind: 'status' | 'history'): Promise<void> {
  await openInstanceDocument(ctx.documents, { connectionName: ref.connection.name, taskHub: ref.taskHub, instanceId: ref.instanceId, kind });
}

export async function showInstanceTimeline(ref: InstanceRef): Promise<void> {
  await showTimeline(ref);
}

/**
 * The API accepts operations with 202 and applies them asynchronously. Poll briefly until the instance shows
 * the change, then update the tree; the auto-refresh takes over for anything slower.
 */
export async function followStatusChange(
  ctx: CommandContext,
  ref: InstanceRef,
  before: StatusPayload | undefined,
  { attempts = 10, delayMs = 300 }: { attempts?: number; delayMs?: number } = {},
): Promise<StatusPayload | undefined> {
  const client = await ref.services.client(ref.connection);
  let latest: StatusPayload | undefined;
  for (let i = 0; i < attempts; i++) {
    latest = await client.getStatus(ref.taskHub, ref.instanceId).catch(() => undefined);
    const changed = !before || !latest || latest.runtimeStatus !== before.runtimeStatus || latest.lastUpdatedTime !== before.lastUpdatedTime;
    if (changed) break;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  if (latest) ctx.provider.updateInstance(ref.connection, ref.taskHub, latest);
  return latest;
}
