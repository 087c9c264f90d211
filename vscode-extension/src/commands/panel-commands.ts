/** The instance panel, history bundles (export, open offline) and Go to Orchestrator Code. */
import * as vscode from 'vscode';
import { findOrchestrationCall, SOURCE_EXCLUDE, SOURCE_GLOB } from '../orchestrator-code.js';
import { childInstances } from '../panel/children.js';
import { LiveInstanceSource, OfflineBundle } from '../panel/instance-source.js';
import { mergedRows } from '../panel/lossless.js';
import { createBundle, getHistoryAll, type NestedBundle, parseBundle } from '../server-api.js';
import type { InstanceRef } from '../tree/explorer-node.js';
import type { DurableHttpClient } from '../wire.js';
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

/** Sub-orchestrations nest this deep at most in one bundle. */
const MAX_BUNDLE_DEPTH = 8;

export async function buildBundle(client: DurableHttpClient, taskHub: string, instanceId: string, now: number) {
  const exportedAt = new Date(now).toISOString();
  const seen = new Set<string>();
  const nested = async (id: string, depth: number): Promise<NestedBundle> => {
    seen.add(id);
    const [instance, history] = await Promise.all([client.getStatus(taskHub, id, { showInput: true }), getHistoryAll(client, taskHub, id)]);
    const bundle: NestedBundle = { exportedAt, source: { taskHub, backend: 'http', endpoint: client.endpoint }, instance, history };
    if (depth < MAX_BUNDLE_DEPTH) {
      const children = childInstances(mergedRows(history)).filter((child) => !seen.has(child.instanceId));
      if (children.length) bundle.children = await Promise.all(children.map((child) => nested(child.instanceId, depth + 1)));
    }
    return bundle;
  };
  const root = await nested(instanceId, 0);
  return createBundle(root);
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

function countRows(bundle: NestedBundle): number {
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
