/**
 * A sub-orchestration call, paired like an activity. When the child's instance ID is known it expands into the
 * child's own history, fetched by that ID from the same task hub.
 */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import { groupIntoEpisodes, type SubOrchestrationItem } from '../history.js';
import { taskDescription, taskIcon, taskTooltip } from './activity-node.js';
import { EpisodeNode } from './episode-node.js';
import { ExplorerNode, type ExplorerServices, type InstanceRef } from './explorer-node.js';
import { MessageNode } from './message-node.js';

export class SubOrchestrationNode extends ExplorerNode implements InstanceRef {
  readonly connection: Connection;
  readonly taskHub: string;
  readonly services: ExplorerServices;

  constructor(
    readonly parent: ExplorerNode,
    owner: InstanceRef,
    readonly item: SubOrchestrationItem,
  ) {
    super(item.name, item.instanceId ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.connection = owner.connection;
    this.taskHub = owner.taskHub;
    this.services = owner.services;
    // only a node that knows the child's ID can offer the instance commands (status, history, timeline, copy)
    this.contextValue = item.instanceId ? 'subOrchestration' : 'subOrchestration.unknownId';
    const took = taskDescription(item);
    this.description = item.instanceId ? `${item.instanceId}${took ? ` · ${took}` : ''}` : took;
    this.iconPath = taskIcon(item, 'type-hierarchy-sub');
    this.tooltip = taskTooltip(`Sub-orchestration ${item.name}: ${item.outcome}`, item, [['Instance ID', item.instanceId]]);
  }

  get instanceId(): string {
    return this.item.instanceId ?? '';
  }

  override async getChildren(): Promise<ExplorerNode[]> {
    if (!this.item.instanceId) return [];
    try {
      const client = await this.services.client(this.connection);
      const child = await client.getStatus(this.taskHub, this.item.instanceId, { history: true });
      const episodes = groupIntoEpisodes(child.historyEvents ?? []);
      if (episodes.length === 0) return [new MessageNode(this, 'No history yet')];
      return episodes.map((episode) => new EpisodeNode(this, this, episode));
    } catch (error) {
      return [MessageNode.fromError(this, error, this.connection)];
    }
  }
}
