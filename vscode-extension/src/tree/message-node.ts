/** A leaf that explains something instead of showing data: an error, or an empty list. */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import { ApiError, EndpointUnreachableError, UnauthorizedError } from '../wire.js';
import { ExplorerNode } from './explorer-node.js';

export class MessageNode extends ExplorerNode {
  constructor(
    readonly parent: ExplorerNode | undefined,
    label: string,
    options: { error?: boolean; description?: string; tooltip?: string; command?: vscode.Command } = {},
  ) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.contextValue = options.error ? 'error' : 'message';
    this.iconPath = options.error ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('info');
    if (options.description) this.description = options.description;
    if (options.tooltip) this.tooltip = options.tooltip;
    if (options.command) this.command = options.command;
  }

  /** The error node shown in place of children when loading them failed. */
  static fromError(parent: ExplorerNode, error: unknown, connection: Connection): MessageNode {
    if (error instanceof UnauthorizedError) {
      return new MessageNode(parent, 'Unauthorized: the token was rejected (401)', {
        error: true,
        description: 'click to edit the connection',
        tooltip: `${connection.endpoint} answered 401 (${error.message.replace(/\.$/, '')}). Set the right token with "Edit Connection".`,
        command: { command: 'edgeDurable.editConnection', title: 'Edit Connection', arguments: [connection.name] },
      });
    }
    if (error instanceof EndpointUnreachableError) {
      return new MessageNode(parent, `Cannot reach ${connection.endpoint}`, {
        error: true,
        description: error.reason,
        tooltip: `${error.message}\nCheck that the server runs and that the endpoint URL is right (and, in a browser, that it allows CORS).`,
      });
    }
    if (error instanceof ApiError) {
      return new MessageNode(parent, `Error ${error.status} ${error.code}`, { error: true, description: error.message, tooltip: error.message });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new MessageNode(parent, 'Error', { error: true, description: message, tooltip: message });
  }
}
