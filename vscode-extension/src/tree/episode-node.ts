/** One episode (one wake-up of the orchestrator): what woke it, and the items it produced. */
import * as vscode from 'vscode';
import { formatClock } from '../format.js';
import type { Episode, HistoryItem } from '../history.js';
import { ActivityNode } from './activity-node.js';
import { ExplorerNode, type InstanceRef } from './explorer-node.js';
import { ExternalEventNode } from './external-event-node.js';
import { LifecycleNode } from './lifecycle-node.js';
import { SubOrchestrationNode } from './sub-orchestration-node.js';
import { TimerNode } from './timer-node.js';

export class EpisodeNode extends ExplorerNode {
  constructor(
    readonly parent: ExplorerNode,
    /** The instance whose history this is (a sub-orchestration's episodes belong to the child). */
    readonly owner: InstanceRef,
    readonly episode: Episode,
  ) {
    super(`Episode ${episode.index}`, vscode.TreeItemCollapsibleState.Collapsed);
    this.description = `${episode.trigger} · ${formatClock(episode.startTime)}`;
    this.tooltip = `Episode ${episode.index}: woke at ${episode.startTime} (${episode.trigger}); ${episode.items.length} item(s)`;
    this.contextValue = 'episode';
    const failed = episode.items.some((item) => ('outcome' in item && item.outcome === 'failed') || (item.kind === 'lifecycle' && item.failed));
    this.iconPath = new vscode.ThemeIcon(failed ? 'warning' : 'history');
  }

  override getChildren(): Promise<ExplorerNode[]> {
    return Promise.resolve(this.episode.items.map((item) => historyItemNode(this, this.owner, item)));
  }
}

export function historyItemNode(parent: ExplorerNode, owner: InstanceRef, item: HistoryItem): ExplorerNode {
  switch (item.kind) {
    case 'activity':
      return new ActivityNode(parent, item);
    case 'subOrchestration':
      return new SubOrchestrationNode(parent, owner, item);
    case 'timer':
      return new TimerNode(parent, item);
    case 'externalEvent':
      return new ExternalEventNode(parent, item);
    case 'lifecycle':
      return new LifecycleNode(parent, item);
  }
}
