/** Binds every contributed command ID to its handler. The IDs must match package.json (a unit test checks both ways). */
import * as vscode from 'vscode';
import type { ResetTarget } from '../panel/reset.js';
import { checkAgainstCode, debugReplay, openReplayLocation } from '../replay/replay-commands.js';
import type { ConnectionNode } from '../tree/connection-node.js';
import type { InstanceRef } from '../tree/explorer-node.js';
import type { InstanceNode } from '../tree/instance-node.js';
import type { TaskHubNode } from '../tree/task-hub-node.js';
import { type CommandContext, reportErrors } from './command-context.js';
import { addConnection, editConnection, refresh, removeConnection } from './connection-commands.js';
import { batchOperation, clearFilter, deleteTaskHub, filterInstances, goToInstance, loadMore, purgeByFilter, startInstance } from './hub-commands.js';
import { showHubOverview } from './hub-overview-commands.js';
import {
  copyInstanceId,
  copyStatusUrl,
  purgeInstance,
  raiseEvent,
  restartInstance,
  runReasonOperation,
  showInstanceTimeline,
  showStatusDocument,
} from './instance-commands.js';
import { exportHistory, goToOrchestratorCode, openHistoryBundle, openInstance } from './panel-commands.js';
import { resetInstance } from './reset-commands.js';
import { multiSelection, runOnSelection, type SelectionOperation } from './selection-commands.js';

export function commandHandlers(ctx: CommandContext): Record<string, (...args: never[]) => Promise<unknown> | unknown> {
  return {
    'edgeDurable.addConnection': () => addConnection(ctx),
    'edgeDurable.editConnection': (target: ConnectionNode | string) => editConnection(ctx, target),
    'edgeDurable.removeConnection': (target: ConnectionNode | string) => removeConnection(ctx, target),
    'edgeDurable.refresh': (node?: vscode.TreeItem) => refresh(ctx, node),

    'edgeDurable.startInstance': (hub: TaskHubNode) => startInstance(ctx, hub),
    'edgeDurable.filterInstances': (hub: TaskHubNode) => filterInstances(ctx, hub),
    'edgeDurable.clearFilter': (hub: TaskHubNode) => clearFilter(ctx, hub),
    'edgeDurable.purgeByFilter': (hub: TaskHubNode) => purgeByFilter(ctx, hub),
    'edgeDurable.batchOperation': (hub: TaskHubNode) => batchOperation(ctx, hub),
    'edgeDurable.goToInstance': (hub: TaskHubNode) => goToInstance(ctx, hub),
    'edgeDurable.deleteTaskHub': (hub: TaskHubNode) => deleteTaskHub(ctx, hub),
    'edgeDurable.loadMore': (hub: TaskHubNode) => loadMore(ctx, hub),

    'edgeDurable.showStatus': (ref: InstanceRef) => showStatusDocument(ctx, ref, 'status'),
    'edgeDurable.showHistory': (ref: InstanceRef) => showStatusDocument(ctx, ref, 'history'),
    'edgeDurable.showTimeline': (ref: InstanceRef) => showInstanceTimeline(ref),
    'edgeDurable.terminate': (ref: InstanceRef, selected?: InstanceNode[]) =>
      selectionOr(selected, 'terminate', () => runReasonOperation(ctx, ref, 'terminate')),
    'edgeDurable.suspend': (ref: InstanceRef, selected?: InstanceNode[]) => selectionOr(selected, 'suspend', () => runReasonOperation(ctx, ref, 'suspend')),
    'edgeDurable.resume': (ref: InstanceRef, selected?: InstanceNode[]) => selectionOr(selected, 'resume', () => runReasonOperation(ctx, ref, 'resume')),
    'edgeDurable.rewind': (ref: InstanceRef, selected?: InstanceNode[]) => selectionOr(selected, 'rewind', () => runReasonOperation(ctx, ref, 'rewind')),
    'edgeDurable.raiseEvent': (ref: InstanceRef) => raiseEvent(ctx, ref),
    'edgeDurable.restart': (ref: InstanceRef) => restartInstance(ctx, ref),
    'edgeDurable.reset': (ref: InstanceRef, target?: ResetTarget) => resetInstance(ctx, ref, 'reset', target),
    'edgeDurable.fork': (ref: InstanceRef, target?: ResetTarget) => resetInstance(ctx, ref, 'fork', target),
    'edgeDurable.purge': (ref: InstanceRef, selected?: InstanceNode[]) => selectionOr(selected, 'purge', () => purgeInstance(ctx, ref)),
    'edgeDurable.copyInstanceId': (ref: InstanceRef) => copyInstanceId(ref),
    'edgeDurable.copyStatusUrl': (ref: InstanceRef) => copyStatusUrl(ref),
    'edgeDurable.openInstance': (ref: InstanceRef) => openInstance(ctx, ref),
    'edgeDurable.exportHistory': (ref: InstanceRef) => exportHistory(ref),
    'edgeDurable.openHistoryBundle': (uri?: vscode.Uri) => openHistoryBundle(ctx, uri instanceof vscode.Uri ? uri : undefined),
    'edgeDurable.closeHistoryBundles': () => {
      ctx.offline.clear();
      ctx.provider.refresh();
    },
    'edgeDurable.goToOrchestratorCode': (ref: InstanceRef, name?: string) => goToOrchestratorCode(ref, typeof name === 'string' ? name : undefined),
    'edgeDurable.showHubOverview': (hub: TaskHubNode) => showHubOverview(ctx, hub),
    'edgeDurable.checkAgainstCode': (target: InstanceRef | TaskHubNode) => checkAgainstCode(ctx, target),
    'edgeDurable.debugReplay': (ref: InstanceRef) => debugReplay(ctx, ref),
    'edgeDurable.openReplayLocation': (_ref: unknown, link: string) => openReplayLocation(link),
  };

  /** With several instances selected in the tree, the operation runs over all of them as one batch. */
  function selectionOr(selected: unknown, operation: SelectionOperation, single: () => Promise<unknown>): Promise<unknown> {
    const nodes = multiSelection(selected);
    return nodes ? runOnSelection(ctx, operation, nodes) : single();
  }
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return Object.entries(commandHandlers(ctx)).map(([id, handler]) =>
    vscode.commands.registerCommand(
      id,
      reportErrors(id.replace('edgeDurable.', ''), async (...args: unknown[]) => (handler as (...a: unknown[]) => unknown)(...args)),
    ),
  );
}
