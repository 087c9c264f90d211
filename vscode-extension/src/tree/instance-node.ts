/** One orchestration instance: ID as label, status icon, "name · age" description; its children are its history episodes. */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import { formatAge, previewJson } from '../format.js';
import { groupIntoEpisodes } from '../history.js';
import type { StatusPayload } from '../wire.js';
import { EpisodeNode } from './episode-node.js';
import { ExplorerNode, type ExplorerServices, hubKey, type InstanceRef } from './explorer-node.js';
import { MessageNode } from './message-node.js';
import { statusIcon } from './status-icons.js';
import type { TaskHubNode } from './task-hub-node.js';

export class InstanceNode extends ExplorerNode implements InstanceRef {
  readonly connection: Connection;
  readonly taskHub: string;
  readonly services: ExplorerServices;
  status: StatusPayload;

  constructor(
    readonly parent: TaskHubNode,
    status: StatusPayload,
  ) {
    super(status.instanceId, vscode.TreeItemCollapsibleState.Collapsed);
    this.connection = parent.connection;
    this.taskHub = parent.taskHub;
    this.services = parent.services;
    this.status = status;
    this.id = instanceNodeId(this.connection, this.taskHub, status.instanceId);
    this.update(status);
    this.command = { command: 'edgeDurable.openInstance', title: 'Open Instance', arguments: [this] };
  }

  get instanceId(): string {
    return this.status.instanceId;
  }

  /** Re-renders from a fresher status (auto-refresh); the caller fires the tree change. */
  update(status: StatusPayload): void {
    this.status = status;
    // the context value drives which context-menu commands apply, e.g. `instance.Failed` offers Rewind
    this.contextValue = `instance.${status.runtimeStatus}${this.services.scopes?.isReadOnly(this.connection) ? '.readOnly' : ''}`;
    this.iconPath = statusIcon(status.runtimeStatus);
    this.description = `${status.name} · ${formatAge(status.createdTime, this.services.now())}`;
    this.tooltip = instanceTooltip(status);
  }

  override async getChildren(): Promise<ExplorerNode[]> {
    try {
      const client = await this.services.client(this.connection);
      const status = await client.getStatus(this.taskHub, this.instanceId, { history: true });
      const episodes = groupIntoEpisodes(status.historyEvents ?? []);
      if (episodes.length === 0) {
        return [new MessageNode(this, 'No history yet', { description: status.runtimeStatus === 'Pending' ? 'the instance has not started' : '' })];
      }
      return episodes.map((episode) => new EpisodeNode(this, this, episode));
    } catch (error) {
      return [MessageNode.fromError(this, error, this.connection)];
    }
  }
}

export function instanceNodeId(connection: Connection, taskHub: string, instanceId: string): string {
  return `instance:${hubKey(connection, taskHub)}/${instanceId}`;
}

export function instanceTooltip(status: StatusPayload): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMarkdown(status.instanceId)}**\n\n`);
  md.appendMarkdown(`| | |\n|---|---|\n`);
  md.appendMarkdown(`| Orchestrator | ${escapeMarkdown(status.name)} |\n`);
  md.appendMarkdown(`| Status | ${escapeMarkdown(status.runtimeStatus)} |\n`);
  md.appendMarkdown(`| Created | ${escapeMarkdown(status.createdTime)} |\n`);
  md.appendMarkdown(`| Last updated | ${escapeMarkdown(status.lastUpdatedTime)} |\n`);
  for (const [label, value] of [
    ['Custom status', status.customStatus],
    ['Input', status.input],
    ['Output', status.output],
  ] as const) {
    if (value === undefined || value === null) continue;
    md.appendMarkdown(`\n${label}:\n`);
    md.appendCodeblock(previewJson(value, 500), 'json');
  }
  return md;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
