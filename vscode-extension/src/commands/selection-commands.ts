/** One operation over the instances selected in the tree (multi-select), with progress and a per-instance report. */
import * as vscode from 'vscode';
import type { InstanceNode } from '../tree/instance-node.js';
import { type InstanceOperation, offers } from '../wire.js';
import { batchReportLines, runBatch, summarizeBatch } from './batch.js';
import type { CommandContext } from './command-context.js';

export type SelectionOperation = Extract<InstanceOperation, 'terminate' | 'suspend' | 'resume' | 'rewind' | 'purge'>;

const VERBS: Record<SelectionOperation, string> = { terminate: 'Terminate', suspend: 'Suspend', resume: 'Resume', rewind: 'Rewind', purge: 'Purge' };

/** The selected instance nodes when more than one is selected (VS Code passes the selection as the second argument). */
export function multiSelection(selected: unknown): InstanceNode[] | undefined {
  if (!Array.isArray(selected)) return undefined;
  const instances = selected.filter(
    (node): node is InstanceNode => typeof node === 'object' && node !== null && 'status' in node && 'taskHub' in node && !('offline' in node && node.offline),
  );
  return instances.length > 1 ? instances : undefined;
}

export async function runOnSelection(ctx: CommandContext, operation: SelectionOperation, nodes: readonly InstanceNode[]): Promise<void> {
  const verb = VERBS[operation];
  const applicable = nodes.filter((node) => offers(operation, node.status.runtimeStatus) && !ctx.scopes?.isReadOnly(node.connection));
  const skipped = nodes.length - applicable.length;
  if (applicable.length === 0) {
    void vscode.window.showInformationMessage(`${verb} applies to none of the ${nodes.length} selected instances.`);
    return;
  }
  let reason = '';
  if (operation === 'purge') {
    const confirmed = await vscode.window.showWarningMessage(
      `Purge ${applicable.length} instances and their history?`,
      { modal: true, detail: `${applicable.map((n) => n.instanceId).join(', ')}. This cannot be undone.` },
      'Purge',
    );
    if (confirmed !== 'Purge') return;
  } else {
    const answer = await vscode.window.showInputBox({
      title: `${verb} ${applicable.length} instances`,
      prompt: 'Reason (optional), recorded in each instance history',
      placeHolder: 'Press Enter to continue without a reason',
      ignoreFocusOut: true,
    });
    if (answer === undefined) return;
    reason = answer.trim();
  }
  const byId = new Map(applicable.map((node) => [`${node.connection.name}/${node.taskHub}/${node.instanceId}`, node]));
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${verb} ${applicable.length} instances`, cancellable: true },
    (progress, token) =>
      runBatch(
        [...byId.keys()],
        async (key) => {
          const node = byId.get(key)!;
          const client = await node.services.client(node.connection);
          if (operation === 'purge') await client.purgeInstance(node.taskHub, node.instanceId);
          else await client[operation](node.taskHub, node.instanceId, reason);
        },
        {
          isCancelled: () => token.isCancellationRequested,
          onProgress: (done, total) => progress.report({ increment: 100 / total, message: `${done}/${total}` }),
        },
      ),
  );
  ctx.output.appendLine(`[${new Date().toISOString()}] selection of ${applicable.length}`);
  for (const line of batchReportLines(verb, result)) ctx.output.appendLine(line);
  for (const node of applicable) ctx.provider.refreshHub(node.connection, node.taskHub);
  await ctx.panels.refreshWhere((source) => byId.has(`${source.ref?.connection.name}/${source.ref?.taskHub}/${source.instanceId}`));
  const summary = summarizeBatch(verb, result, skipped);
  if (result.failed.length) {
    ctx.output.show(true);
    void vscode.window.showWarningMessage(`${summary}. See the "Edge Durable" output for each failure.`);
  } else {
    void vscode.window.showInformationMessage(summary);
  }
}
