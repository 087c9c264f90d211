/** Builds the extension's tree and command context against a backend, with the vscode stub, for unit tests. */
import type { CommandContext } from '../../src/commands/command-context.js';
import { OfflineBundles } from '../../src/commands/panel-commands.js';
import { type Connection, ConnectionStore } from '../../src/connections.js';
import { DOCUMENT_SCHEME, InstanceDocumentProvider } from '../../src/documents.js';
import { FilterStore } from '../../src/filter-store.js';
import { InstancePanels } from '../../src/panel/instance-panel.js';
import { ScopeStore } from '../../src/scopes.js';
import { type ExplorerNode, type ExplorerServices, hubKey } from '../../src/tree/explorer-node.js';
import { ExplorerProvider } from '../../src/tree/explorer-provider.js';
import { InstancePages } from '../../src/tree/instance-list.js';
import type { Backend } from './backend.js';
import * as vscode from './vscode-stub.js';

export interface Explorer {
  provider: ExplorerProvider;
  services: ExplorerServices;
  connections: ConnectionStore;
  secrets: vscode.MemorySecretStorage;
  filters: FilterStore;
  ctx: CommandContext;
  output: { lines: string[] };
  /** Walks the tree by labels from the root, e.g. expand('Test', 'default', 'abc'); fails on a missing label. */
  expand(...labels: string[]): Promise<ExplorerNode[]>;
  node(...labels: string[]): Promise<ExplorerNode>;
}

export async function makeExplorer(
  backend: Backend,
  {
    connections = [{ name: 'Test', endpoint: backend.endpoint }],
    token = backend.token,
    pageSize = 50,
    now,
  }: {
    connections?: Connection[];
    token?: string;
    pageSize?: number;
    now?: () => number;
  } = {},
): Promise<Explorer> {
  vscode.setConfiguration('edgeDurable.connections', connections);
  const secrets = new vscode.MemorySecretStorage();
  if (token) await secrets.store(`edgeDurable.token:${connections[0]!.name}`, token);
  const store = new ConnectionStore(secrets as never);
  const filters = new FilterStore(new vscode.MemoryMemento() as never);
  const scopes = new ScopeStore();
  const services: ExplorerServices = {
    scopes,
    client: (connection) => store.client(connection),
    filterFor: (connection, taskHub) => filters.get(hubKey(connection, taskHub)),
    pages: new InstancePages(),
    pageSize: () => pageSize,
    now: now ?? (() => Date.now()),
  };
  const provider = new ExplorerProvider(
    () => store.list(),
    services,
    () => ctx.offline.list(),
  );
  const documents = new InstanceDocumentProvider(
    (name) => store.get(name),
    (connection) => store.client(connection),
  );
  vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, documents as never);
  const output = vscode.window.createOutputChannel('Edge Durable');
  const offline = new OfflineBundles();
  const panels = new InstancePanels({
    now: services.now,
    readOnly: (source) => (source.ref ? scopes.isReadOnly(source.ref.connection) : true),
    autoRefresh: () => ({ enabled: false, intervalMs: 1000 }),
    runCommand: (command, source, ...args) => vscode.commands.executeCommand(command, source.ref, ...args),
  });
  const ctx: CommandContext = { provider, connections: store, filters, documents, output: output as never, panels, offline, scopes };

  const childrenOf = async (labels: string[]): Promise<ExplorerNode[]> => {
    let children = await provider.getChildren();
    for (const label of labels) {
      const next = children.find((c) => c.label === label);
      if (!next) throw new Error(`no node "${label}" among [${children.map((c) => c.label).join(', ')}]`);
      children = await provider.getChildren(next);
    }
    return children;
  };
  return {
    provider,
    services,
    connections: store,
    secrets,
    filters,
    ctx,
    output,
    expand: (...labels) => childrenOf(labels),
    node: async (...labels) => {
      const siblings = await childrenOf(labels.slice(0, -1));
      const found = siblings.find((c) => c.label === labels[labels.length - 1]);
      if (!found) throw new Error(`no node "${labels[labels.length - 1]}" among [${siblings.map((c) => c.label).join(', ')}]`);
      return found;
    },
  };
}

/** Polls until `check` returns a truthy value (instances progress in real time on the backend). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function uniqueHub(prefix = 'hub'): string {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}
