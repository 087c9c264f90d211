/**
 * What each connection's token may do, learnt from `GET scope` when the connection is expanded. A read-only
 * connection (scope `read`) gets `.readOnly` on its hub and instance context values, which the menus' `when`
 * clauses exclude from every mutating command, and is listed in the `edgeDurable.readOnlyConnections` context key.
 */
import * as vscode from 'vscode';
import type { Connection } from './connections.js';
import { getScope, type Scope } from './server-api.js';
import type { DurableHttpClient } from './wire.js';

export const READ_ONLY_CONTEXT_KEY = 'edgeDurable.readOnlyConnections';

export class ScopeStore {
  private readonly scopes = new Map<string, Scope | undefined>();

  /** Asks the server; a server without the route leaves the connection writable (its 403s still explain). */
  async learn(connection: Connection, client: DurableHttpClient): Promise<Scope | undefined> {
    const scope = await getScope(client).catch(() => undefined);
    this.scopes.set(connection.name, scope);
    await vscode.commands.executeCommand('setContext', READ_ONLY_CONTEXT_KEY, this.readOnlyNames());
    return scope;
  }

  isReadOnly(connection: Pick<Connection, 'name'>): boolean {
    return this.scopes.get(connection.name) === 'read';
  }

  readOnlyNames(): string[] {
    return [...this.scopes].filter(([, scope]) => scope === 'read').map(([name]) => name);
  }
}

/** The message of a 403: the server's names the missing scope; a server that does not gets it named here. */
export function forbiddenMessage(error: unknown): string | undefined {
  const status = (error as { status?: unknown })?.status;
  if (status !== 403) return undefined;
  const message = error instanceof Error ? error.message : String(error);
  return /\badmin\b/i.test(message) ? message : `${message} (this operation needs a token with the admin scope)`;
}
