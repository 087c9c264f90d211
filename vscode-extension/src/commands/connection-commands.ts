/** Add, edit, remove and refresh connections. Tokens go to SecretStorage through the ConnectionStore. */
import * as vscode from 'vscode';
import { type Connection, validateEndpoint } from '../connections.js';
import { ConnectionNode } from '../tree/connection-node.js';
import { TaskHubNode } from '../tree/task-hub-node.js';
import { normalizeEndpoint } from '../wire.js';
import type { CommandContext } from './command-context.js';

export async function addConnection(ctx: CommandContext): Promise<Connection | undefined> {
  const name = await vscode.window.showInputBox({
    title: 'Add connection (1/3)',
    prompt: 'Name shown in the tree',
    validateInput: (value) => validateName(ctx, value, undefined),
    ignoreFocusOut: true,
  });
  if (name === undefined) return undefined;
  const endpoint = await vscode.window.showInputBox({
    title: 'Add connection (2/3)',
    prompt: 'Endpoint URL of the edge-durable HTTP API',
    value: 'http://127.0.0.1:7071',
    validateInput: validateEndpoint,
    ignoreFocusOut: true,
  });
  if (endpoint === undefined) return undefined;
  const token = await vscode.window.showInputBox({
    title: 'Add connection (3/3)',
    prompt: 'Bearer token (empty for none); stored in the secret storage, not in settings',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return undefined;
  const connection = { name: name.trim(), endpoint: normalizeEndpoint(endpoint) };
  // the tree refreshes itself on the store's change event
  await ctx.connections.add(connection, token.trim() || undefined);
  return connection;
}

/** Accepts the connection node (context menu) or a connection name (the "Unauthorized" error node's link). */
export async function editConnection(ctx: CommandContext, target: ConnectionNode | string): Promise<Connection | undefined> {
  const existing = resolve(ctx, target);
  const hasToken = Boolean(await ctx.connections.getToken(existing.name));
  const name = await vscode.window.showInputBox({
    title: `Edit connection ${existing.name} (1/3)`,
    prompt: 'Name shown in the tree',
    value: existing.name,
    validateInput: (value) => validateName(ctx, value, existing.name),
    ignoreFocusOut: true,
  });
  if (name === undefined) return undefined;
  const endpoint = await vscode.window.showInputBox({
    title: `Edit connection ${existing.name} (2/3)`,
    prompt: 'Endpoint URL of the edge-durable HTTP API',
    value: existing.endpoint,
    validateInput: validateEndpoint,
    ignoreFocusOut: true,
  });
  if (endpoint === undefined) return undefined;
  const tokenInput = await vscode.window.showInputBox({
    title: `Edit connection ${existing.name} (3/3)`,
    prompt: hasToken ? 'New bearer token; empty keeps the current one, "none" removes it' : 'Bearer token; empty for none',
    password: true,
    ignoreFocusOut: true,
  });
  if (tokenInput === undefined) return undefined;
  const token = tokenInput.trim() === '' ? undefined : tokenInput.trim() === 'none' ? null : tokenInput.trim();
  const updated = { name: name.trim(), endpoint: normalizeEndpoint(endpoint) };
  await ctx.connections.update(existing.name, updated, token);
  return updated;
}

export async function removeConnection(ctx: CommandContext, target: ConnectionNode | string): Promise<void> {
  const existing = resolve(ctx, target);
  const confirmed = await vscode.window.showWarningMessage(
    `Remove connection ${existing.name} (${existing.endpoint})?`,
    { modal: true, detail: 'Its stored token is deleted too. Nothing on the server changes.' },
    'Remove',
  );
  if (confirmed !== 'Remove') return;
  await ctx.connections.remove(existing.name);
}

/** Refreshes one connection or task hub node, or the whole tree from the title bar. */
export function refresh(ctx: CommandContext, node?: vscode.TreeItem): void {
  if (node instanceof ConnectionNode) {
    for (const [key] of ctx.provider.services.pages.entries()) {
      if (key.startsWith(`${node.connection.name}/`)) ctx.provider.services.pages.reset(key);
    }
    ctx.provider.refresh(node);
  } else if (node instanceof TaskHubNode) {
    ctx.provider.refreshHub(node.connection, node.taskHub);
  } else {
    ctx.provider.refresh();
  }
}

function resolve(ctx: CommandContext, target: ConnectionNode | string): Connection {
  const name = typeof target === 'string' ? target : target.connection.name;
  const connection = ctx.connections.get(name);
  if (!connection) throw new Error(`No connection named "${name}".`);
  return connection;
}

function validateName(ctx: CommandContext, value: string, current: string | undefined): string | undefined {
  const name = value.trim();
  if (!name) return 'Enter a name.';
  if (name.includes('/')) return 'Names cannot contain "/".';
  if (name !== current && ctx.connections.get(name)) return `A connection named "${name}" already exists.`;
  return undefined;
}
