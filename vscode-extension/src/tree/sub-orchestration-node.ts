/**
 * A sub-orchestration call, paired like an activity. When the child's instance ID is known it expands into the
 * child's own history, fetched by that ID from the same task hub.
 */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import { groupIntoEpisodes, type SubOrchestrationItem } from '../history.js';
import { mergedRows } from '../panel/lossless.js';
import type { HistoryRow } from '../wire.js';
import { taskDescription, taskIcon, taskTooltip } from './activity-node.js';
import { EpisodeNode } from './episode-node.js';
import { ExplorerNode, type ExplorerServices, type InstanceRef } from './explorer-node.js';
import { MessageNode } from './message-node.js';

export class SubOrchestrationNode extends ExplorerNode implements InstanceRef {
  readonly connection: Connection;
  readonly taskHub: string;
  readonly services: ExplorerServices;
  readonly offline: InstanceRef['offline'];

  constructor(
    readonly parent: ExplorerNode,
    owner: InstanceRef,
    readonly item: SubOrchestrationItem,
  ) {
    super(item.name, item.instanceId ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.connection = owner.connection;
    this.taskHub = owner.taskHub;
    this.services = owner.services;
    this.offline = owner.offline;
    // only a node that knows the child's ID can offer the instance commands (status, history, timeline, copy)
    this.contextValue = !item.instanceId ? 'subOrchestration.unknownId' : owner.offline ? 'subOrchestration.offline' : 'subOrchestration';
    if (item.instanceId) this.command = { command: 'edgeDurable.openInstance', title: 'Open Instance', arguments: [this] };
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
      let history: HistoryRow[];
      if (this.offline) {
        const nested = this.offline.instance(this.item.instanceId);
        if (!nested) return [new MessageNode(this, 'Not in the bundle', { description: 'export with its children to include it' })];
        history = mergedRows(nested.history);
      } else {
        const client = await this.services.client(this.connection);
        history = (await client.getStatus(this.taskHub, this.item.instanceId, { history: true })).historyEvents ?? [];
      }
      const episodes = groupIntoEpisodes(history);
      if (episodes.length === 0) return [new MessageNode(this, 'No history yet')];
      return episodes.map((episode) => new EpisodeNode(this, this, episode));
    } catch (error) {
      return [MessageNode.fromError(this, error, this.connection)];
    }
  }
}
