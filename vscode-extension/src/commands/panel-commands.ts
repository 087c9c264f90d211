/** The instance panel, history bundles (export, open offline) and Go to Orchestrator Code. */
import * as vscode from 'vscode';
import { findOrchestrationCall, SOURCE_EXCLUDE, SOURCE_GLOB } from '../orchestrator-code.js';
import { LiveInstanceSource, OfflineBundle } from '../panel/instance-source.js';
import type { InstanceRef } from '../tree/explorer-node.js';
import { ApiError, type DurableHttpClient, exportBundle, type HistoryBundle, type InstanceBundle, isNotFound, parseBundle } from '../wire.js';
import type { CommandContext } from './command-context.js';

export async function openInstance(ctx: CommandContext, ref: InstanceRef): Promise<void> {
  if (ref.offline) {
    const source = ref.offline.source(ref.instanceId);
    if (!source) throw new Error(`Instance ${ref.instanceId} is not in the bundle ${ref.offline.label}.`);
    await ctx.panels.open(source);
    return;
  }
  await ctx.panels.open(new LiveInstanceSource(ref.connection, ref.taskHub, ref.instanceId, ref.services));
}

/**
 * The instance's bundle with every sub-orchestration it created (core/wire's `exportBundle`). The history comes from
 * the paged route: a server without it (Durable Functions) serves only merged rows, which a bundle does not hold.
 */
export async function buildBundle(client: DurableHttpClient, taskHub: string, instanceId: string, now: number): Promise<HistoryBundle> {
  const reader = {
    status: (id: string) =>
      client.getStatus(taskHub, id, { showInput: true }).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      }),
    history: (id: string) =>
      client.getHistoryAll(taskHub, id).catch((error: unknown) => {
        if (isNotFound(error))
          throw new Error(`${client.endpoint} has no paged history route (GET instances/{id}/history): its histories cannot be exported as bundles.`);
        throw error;
      }),
  };
  return exportBundle(reader, instanceId, {
    source: { taskHub, backend: 'http', endpoint: client.endpoint },
    exportedAt: new Date(now).toISOString(),
    children: true,
    notFound: (id) => new ApiError(404, 'InstanceNotFound', `Instance ${id} was not found in task hub ${taskHub}.`),
  });
}

/** Writes the bundle where the save dialog says, through `workspace.fs` (a virtual file system in the web host). */
export async function exportHistory(ref: InstanceRef): Promise<vscode.Uri | undefined> {
  if (ref.offline) throw new Error('This instance is already a bundle.');
  const client = await ref.services.client(ref.connection);
  const bundle = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Exporting the history of ${ref.instanceId}…` },
    () => buildBundle(client, ref.taskHub, ref.instanceId, ref.services.now()),
  );
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const fileName = `${ref.instanceId.replace(/[^\w.-]+/g, '_')}.history.json`;
  const target = await vscode.window.showSaveDialog({
    title: `Export History of ${ref.instanceId}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
    filters: { 'History bundle': ['json'] },
    saveLabel: 'Export',
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(`${JSON.stringify(bundle, null, 2)}\n`));
  const rows = countRows(bundle);
  void vscode.window.showInformationMessage(`Exported ${ref.instanceId} (${rows} history rows) to ${target.path.split('/').pop()}.`);
  return target;
}

function countRows(bundle: InstanceBundle): number {
  return bundle.history.length + (bundle.children ?? []).reduce((sum, child) => sum + countRows(child), 0);
}

export async function openHistoryBundle(ctx: CommandContext, uri?: vscode.Uri): Promise<OfflineBundle | undefined> {
  const target =
    uri ??
    (
      await vscode.window.showOpenDialog({
        title: 'Open History Bundle',
        canSelectMany: false,
        filters: { 'History bundle': ['json'] },
        openLabel: 'Open',
      })
    )?.[0];
  if (!target) return undefined;
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
  const bundle = new OfflineBundle(target.path.split('/').pop() ?? target.path, parseBundle(text));
  ctx.offline.add(bundle);
  ctx.provider.refresh();
  const source = bundle.source(bundle.root.instance.instanceId);
  if (source) await ctx.panels.open(source);
  return bundle;
}

/** Opens the line of `.orchestration('Name'` in the workspace; says so plainly when there are no local files. */
export async function goToOrchestratorCode(target: InstanceRef | string, name?: string): Promise<vscode.Uri | undefined> {
  let orchestrator = typeof target === 'string' ? target : name;
  if (!orchestrator && typeof target !== 'string') {
    if (target.offline) orchestrator = target.offline.instance(target.instanceId)?.instance.name;
    else orchestrator = (await (await target.services.client(target.connection)).getStatus(target.taskHub, target.instanceId, { showInput: false })).name;
  }
  if (!orchestrator) throw new Error('The orchestrator name is unknown.');
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showInformationMessage(
      `There is nothing to open: this window has no local files to search for orchestrator "${orchestrator}". Open the folder with its source first.`,
    );
    return undefined;
  }
  const files = await vscode.workspace.findFiles(SOURCE_GLOB, SOURCE_EXCLUDE, 5000);
  for (const file of files) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    const at = findOrchestrationCall(text, orchestrator);
    if (!at) continue;
    const position = new vscode.Position(at.line, at.character);
    await vscode.window.showTextDocument(file, { selection: new vscode.Range(position, position) });
    return file;
  }
  void vscode.window.showInformationMessage(`No .orchestration('${orchestrator}' was found in the ${files.length} source files of this workspace.`);
  return undefined;
}

/** The bundles opened in this window, shown under the tree's Offline node. */
export class OfflineBundles {
  private readonly bundles: OfflineBundle[] = [];

  add(bundle: OfflineBundle): void {
    const same = this.bundles.findIndex((b) => b.label === bundle.label);
    if (same >= 0) this.bundles[same] = bundle;
    else this.bundles.push(bundle);
  }

  list(): readonly OfflineBundle[] {
    return this.bundles;
  }

  clear(): void {
    this.bundles.length = 0;
  }
}
