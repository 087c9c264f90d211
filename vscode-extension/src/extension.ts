/**
 * Entry point. One CommonJS bundle serves as both `main` (Node extension host) and `browser` (web worker
 * extension host): the extension reaches the server only through `fetch`.
 */
import * as vscode from 'vscode';
import { AutoRefresher } from './auto-refresh.js';
import type { CommandContext } from './commands/command-context.js';
import { OfflineBundles } from './commands/panel-commands.js';
import { registerCommands } from './commands/register-commands.js';
import { ConnectionStore } from './connections.js';
import { DOCUMENT_SCHEME, InstanceDocumentProvider } from './documents.js';
import { FilterStore } from './filter-store.js';
import { InstancePanels } from './panel/instance-panel.js';
import { type InstanceSource, OfflineInstanceSource } from './panel/instance-source.js';
import { setNodeHostContext, trackDebugBundles } from './replay/replay-commands.js';
import { ScopeStore } from './scopes.js';
import { type ExplorerNode, type ExplorerServices, hubKey } from './tree/explorer-node.js';
import { ExplorerProvider } from './tree/explorer-provider.js';
import { InstancePages } from './tree/instance-list.js';

export const VIEW_ID = 'edgeDurable.explorer';

export interface EdgeDurableExtensionApi {
  provider: ExplorerProvider;
  connections: ConnectionStore;
  panels: InstancePanels;
}

export function activate(context: vscode.ExtensionContext): EdgeDurableExtensionApi {
  const settings = () => vscode.workspace.getConfiguration('edgeDurable');
  const connections = new ConnectionStore(context.secrets);
  const filters = new FilterStore(context.workspaceState);
  const scopes = new ScopeStore();
  const services: ExplorerServices = {
    scopes,
    client: (connection) => connections.client(connection),
    filterFor: (connection, taskHub) => filters.get(hubKey(connection, taskHub)),
    pages: new InstancePages(),
    pageSize: () => clamp(settings().get<number>('pageSize') ?? 50, 1, 1000),
    now: () => Date.now(),
  };
  const offline = new OfflineBundles();
  const provider = new ExplorerProvider(
    () => connections.list(),
    services,
    () => offline.list(),
  );
  const treeView = vscode.window.createTreeView<ExplorerNode>(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true, canSelectMany: true });
  const autoRefreshSettings = () => ({
    enabled: settings().get<boolean>('autoRefresh') ?? true,
    intervalMs: clamp(settings().get<number>('autoRefreshIntervalSeconds') ?? 5, 1, 3600) * 1000,
  });
  const panels = new InstancePanels({
    now: () => Date.now(),
    readOnly: (source) => (source.ref ? scopes.isReadOnly(source.ref.connection) : true),
    autoRefresh: autoRefreshSettings,
    runCommand: (command, source, ...args) => vscode.commands.executeCommand(command, source.ref ?? offlineRef(source), ...args),
  });
  const offlineRef = (source: InstanceSource) => (source instanceof OfflineInstanceSource ? { ...placeholderRef(source), offline: source.bundle } : undefined);
  const placeholderRef = (source: InstanceSource) => ({
    connection: { name: source.where, endpoint: '' },
    taskHub: '',
    instanceId: source.instanceId,
    services,
  });
  const documents = new InstanceDocumentProvider(
    (name) => connections.get(name),
    (connection) => connections.client(connection),
  );
  const output = vscode.window.createOutputChannel('Edge Durable');
  const ctx: CommandContext = {
    provider,
    connections,
    filters,
    documents,
    output,
    panels,
    offline,
    scopes,
    workspaceState: context.workspaceState,
    reveal: (node, options) => treeView.reveal(node, options),
  };
  const autoRefresh = new AutoRefresher(
    () => provider.refreshActiveInstances(),
    autoRefreshSettings,
    () => treeView.visible,
  );
  autoRefresh.restart();
  void setNodeHostContext();

  context.subscriptions.push(
    connections,
    provider,
    treeView,
    output,
    documents,
    autoRefresh,
    panels,
    vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, documents),
    ...registerCommands(ctx),
    trackDebugBundles(),
    // one edit changes a setting and up to two secrets: refresh once, after the last of them
    connections.onDidChange(debounce(() => provider.refresh(), 150)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('edgeDurable.autoRefresh') || e.affectsConfiguration('edgeDurable.autoRefreshIntervalSeconds')) {
        autoRefresh.restart();
        void setNodeHostContext();
      }
      if (e.affectsConfiguration('edgeDurable.pageSize')) provider.refresh();
    }),
  );
  return { provider, connections, panels };
}

export function deactivate(): void {}

function debounce(action: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      action();
    }, ms);
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(Number.isFinite(value) ? value : min, min), max);
}
