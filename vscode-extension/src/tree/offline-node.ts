/**
 * Opened history bundles, under one "Offline" root: each bundle's instance with the same episode tree as a live
 * instance, read from the bundle (no endpoint). Clicking the instance opens its panel from the bundle.
 */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import { formatAge } from '../format.js';
import { groupIntoEpisodes } from '../history.js';
import type { OfflineBundle } from '../panel/instance-source.js';
import { mergedRows } from '../panel/lossless.js';
import { EpisodeNode } from './episode-node.js';
import { ExplorerNode, type ExplorerServices, type InstanceRef } from './explorer-node.js';
import { instanceTooltip } from './instance-node.js';
import { MessageNode } from './message-node.js';
import { statusIcon } from './status-icons.js';

export class OfflineRootNode extends ExplorerNode {
  readonly parent = undefined;

  constructor(
    private readonly bundles: readonly OfflineBundle[],
    private readonly services: ExplorerServices,
  ) {
    super('Offline', vscode.TreeItemCollapsibleState.Expanded);
    this.id = 'offline';
    this.description = `${bundles.length} history bundle${bundles.length === 1 ? '' : 's'}`;
    this.contextValue = 'offline';
    this.iconPath = new vscode.ThemeIcon('archive');
  }

  override getChildren(): Promise<ExplorerNode[]> {
    return Promise.resolve(this.bundles.map((bundle) => new OfflineInstanceNode(this, bundle, this.services)));
  }
}

export class OfflineInstanceNode extends ExplorerNode implements InstanceRef {
  readonly connection: Connection;
  readonly taskHub: string;
  readonly instanceId: string;

  constructor(
    readonly parent: OfflineRootNode,
    readonly offline: OfflineBundle,
    readonly services: ExplorerServices,
  ) {
    const status = offline.root.instance;
    super(status.instanceId, vscode.TreeItemCollapsibleState.Collapsed);
    this.instanceId = status.instanceId;
    this.taskHub = offline.root.source.taskHub;
    // no endpoint: commands that would reach a server are not offered on `offlineInstance` nodes
    this.connection = { name: `Offline: ${offline.label}`, endpoint: '' };
    this.id = `offline:${offline.label}/${status.instanceId}`;
    this.contextValue = 'offlineInstance';
    this.iconPath = statusIcon(status.runtimeStatus);
    this.description = `${status.name} · ${offline.label} · ${formatAge(status.createdTime, services.now())}`;
    this.tooltip = instanceTooltip(status);
    this.command = { command: 'edgeDurable.openInstance', title: 'Open Instance', arguments: [this] };
  }

  override getChildren(): Promise<ExplorerNode[]> {
    const episodes = groupIntoEpisodes(mergedRows(this.offline.root.history));
    if (episodes.length === 0) return Promise.resolve([new MessageNode(this, 'No history in the bundle')]);
    return Promise.resolve(episodes.map((episode) => new EpisodeNode(this, this, episode)));
  }
}
