/**
 * Connections (named API endpoints) live in the `edgeDurable.connections` setting; their tokens live in
 * SecretStorage under the connection name, never in settings (settings sync and screen sharing would leak them).
 */
import * as vscode from 'vscode';
import { DurableHttpClient, endpointProblem, NOT_A_URL } from './wire.js';

export interface Connection {
  name: string;
  endpoint: string;
}

const SECTION = 'edgeDurable';
const SECRET_PREFIX = 'edgeDurable.token:';

export class ConnectionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.connections`)) this.changed.fire();
      }),
      secrets.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) this.changed.fire();
      }),
    ];
  }

  /** Valid entries only, first one wins on duplicate names: a hand-edited setting must not break the tree. */
  list(): Connection[] {
    const raw = vscode.workspace.getConfiguration(SECTION).get<unknown[]>('connections') ?? [];
    const seen = new Set<string>();
    const connections: Connection[] = [];
    for (const entry of Array.isArray(raw) ? raw : []) {
      const { name, endpoint } = (entry ?? {}) as { name?: unknown; endpoint?: unknown };
      if (typeof name !== 'string' || !name.trim() || typeof endpoint !== 'string' || seen.has(name)) continue;
      seen.add(name);
      connections.push({ name, endpoint });
    }
    return connections;
  }

  get(name: string): Connection | undefined {
    return this.list().find((c) => c.name === name);
  }

  async getToken(name: string): Promise<string | undefined> {
    return (await this.secrets.get(SECRET_PREFIX + name)) || undefined;
  }

  async client(connection: Connection): Promise<DurableHttpClient> {
    const timeoutSeconds = vscode.workspace.getConfiguration(SECTION).get<number>('requestTimeoutSeconds') ?? 15;
    return new DurableHttpClient({
      endpoint: connection.endpoint,
      token: await this.getToken(connection.name),
      timeoutMs: timeoutSeconds * 1000,
    });
  }

  async add(connection: Connection, token: string | undefined): Promise<void> {
    if (this.get(connection.name)) throw new Error(`A connection named "${connection.name}" already exists.`);
    if (token) await this.secrets.store(SECRET_PREFIX + connection.name, token);
    await this.write([...this.list(), connection]);
  }

  /** `token`: a string replaces it, `null` removes it, `undefined` keeps it (moved along on rename). */
  async update(oldName: string, connection: Connection, token: string | null | undefined): Promise<void> {
    const list = this.list();
    const index = list.findIndex((c) => c.name === oldName);
    if (index < 0) throw new Error(`No connection named "${oldName}".`);
    if (connection.name !== oldName && list.some((c) => c.name === connection.name)) {
      throw new Error(`A connection named "${connection.name}" already exists.`);
    }
    const keptToken = token === undefined ? await this.getToken(oldName) : undefined;
    if (connection.name !== oldName || token === null) await this.secrets.delete(SECRET_PREFIX + oldName);
    const newToken = token ?? keptToken;
    if (newToken) await this.secrets.store(SECRET_PREFIX + connection.name, newToken);
    list[index] = connection;
    await this.write(list);
  }

  async remove(name: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + name);
    await this.write(this.list().filter((c) => c.name !== name));
  }

  private async write(connections: Connection[]): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(
      'connections',
      connections.map(({ name, endpoint }) => ({ name, endpoint })),
      vscode.ConfigurationTarget.Global,
    );
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** Input-box validator for an endpoint URL. */
export function validateEndpoint(value: string): string | undefined {
  const problem = endpointProblem(value);
  if (problem === NOT_A_URL) return 'Enter a URL such as http://127.0.0.1:7071';
  if (problem) return 'The endpoint must be an http:// or https:// URL.';
  const url = new URL(value.trim());
  if (url.search || url.hash) return 'Leave out the query and fragment; the task hub is chosen in the tree.';
  return undefined;
}
