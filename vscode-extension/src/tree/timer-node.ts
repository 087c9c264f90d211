/** A durable timer: its creation paired with its firing; the duration is the planned wait. */
import * as vscode from 'vscode';
import { formatClock, formatDuration } from '../format.js';
import type { TimerItem } from '../history.js';
import { ExplorerNode } from './explorer-node.js';
import { detailsTooltip } from './tooltip.js';

export class TimerNode extends ExplorerNode {
  constructor(
    readonly parent: ExplorerNode,
    readonly item: TimerItem,
  ) {
    super('Timer', vscode.TreeItemCollapsibleState.None);
    this.contextValue = `timer.${item.outcome}`;
    const wait = item.durationMs === undefined ? '' : formatDuration(item.durationMs);
    this.description =
      item.outcome === 'fired' ? `${wait} · fired ${formatClock(item.firedTime ?? item.fireAt)}` : `${wait} · pending until ${formatClock(item.fireAt)}`;
    this.iconPath = new vscode.ThemeIcon(item.outcome === 'fired' ? 'watch' : 'loading~spin', new vscode.ThemeColor('charts.yellow'));
    this.tooltip = detailsTooltip(`Timer: ${item.outcome}`, [
      ['Created', item.createdTime],
      ['Fire at', item.fireAt],
      ['Fired', item.firedTime],
      ['Wait', wait],
    ]);
  }
}
