/** Top level: one API endpoint. Its children are the task hubs the server reports. */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import { countInstances } from '../server-api.js';
import { ExplorerNode, type ExplorerServices } from './explorer-node.js';
import { MessageNode } from './message-node.js';
import { TaskHubNode } from './task-hub-node.js';

export class ConnectionNode extends ExplorerNode {
  readonly parent = undefined;

  constructor(
    readonly connection: Connection,
    readonly services: ExplorerServices,
  ) {
    super(connection.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `connection:${connection.name}`;
    this.description = connection.endpoint;
    this.tooltip = `${connection.name}\n${connection.endpoint}`;
    this.contextValue = 'connection';
    this.iconPath = new vscode.ThemeIcon('plug');
  }

  override async getChildren(): Promise<ExplorerNode[]> {
    try {
      const client = await this.services.client(this.connection);
      const [hubs, scope] = await Promise.all([client.listTaskHubs(), this.services.scopes?.learn(this.connection, client)]);
      if (scope === 'read') this.description = `${this.connection.endpoint} · read-only`;
      if (hubs.length === 0) return [new MessageNode(this, 'No task hubs yet', { description: 'start an orchestration to create one' })];
      const sorted = [...hubs].sort((a, b) => a.localeCompare(b));
      // a hub whose counts fail (an old server, a timeout) is shown without them
      const counts = await Promise.all(sorted.map((hub) => countInstances(client, hub).catch(() => undefined)));
      return sorted.map((hub, i) => new TaskHubNode(this, hub, counts[i]));
    } catch (error) {
      return [MessageNode.fromError(this, error, this.connection)];
    }
  }
}
