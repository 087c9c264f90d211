/**
 * Read-only JSON documents for an instance's status and history, served by a TextDocumentContentProvider under
 * our own URI scheme (documents of a content provider cannot be edited or saved by the user).
 */
import * as vscode from 'vscode';
import type { Connection } from './connections.js';
import type { DurableHttpClient } from './wire.js';

export const DOCUMENT_SCHEME = 'edge-durable';

export type DocumentKind = 'status' | 'history';

export interface DocumentTarget {
  connectionName: string;
  taskHub: string;
  instanceId: string;
  kind: DocumentKind;
}

/** `edge-durable:/Local/default/abc123.status.json`: the last segment is the tab title. */
export function documentUri(target: DocumentTarget): vscode.Uri {
  const segments = [target.connectionName, target.taskHub, `${target.instanceId}.${target.kind}.json`].map(encodeURIComponent);
  return vscode.Uri.from({ scheme: DOCUMENT_SCHEME, path: `/${segments.join('/')}` });
}

export function parseDocumentUri(uri: vscode.Uri): DocumentTarget | undefined {
  const segments = uri.path.split('/').filter(Boolean).map(decodeURIComponent);
  if (segments.length !== 3) return undefined;
  const [connectionName, taskHub, file] = segments as [string, string, string];
  const match = /^(.*)\.(status|history)\.json$/.exec(file);
  if (!match) return undefined;
  return { connectionName, taskHub, instanceId: match[1]!, kind: match[2] as DocumentKind };
}

export class InstanceDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly findConnection: (name: string) => Connection | undefined,
    private readonly client: (connection: Connection) => Promise<DurableHttpClient>,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = parseDocumentUri(uri);
    if (!target) throw new Error(`Not an instance document: ${uri.toString()}`);
    const connection = this.findConnection(target.connectionName);
    if (!connection) throw new Error(`No connection named "${target.connectionName}".`);
    const client = await this.client(connection);
    const status = await client.getStatus(target.taskHub, target.instanceId, { history: target.kind === 'history' });
    const body = target.kind === 'history' ? (status.historyEvents ?? []) : status;
    return `${JSON.stringify(body, null, 2)}\n`;
  }

  /** Makes an open document fetch again (VS Code caches provider content per URI). */
  reload(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export async function openInstanceDocument(provider: InstanceDocumentProvider, target: DocumentTarget): Promise<vscode.TextEditor> {
  const uri = documentUri(target);
  provider.reload(uri);
  const document = await vscode.workspace.openTextDocument(uri);
  if (document.languageId !== 'json') await vscode.languages.setTextDocumentLanguage(document, 'json');
  return vscode.window.showTextDocument(document, { preview: false });
}
