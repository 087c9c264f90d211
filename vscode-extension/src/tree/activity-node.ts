/** An activity call: scheduling paired with its completion, with duration, result or failure message. */
import * as vscode from 'vscode';
import { formatDuration } from '../format.js';
import type { ActivityItem } from '../history.js';
import { ExplorerNode } from './explorer-node.js';
import { detailsTooltip } from './tooltip.js';

export class ActivityNode extends ExplorerNode {
  constructor(
    readonly parent: ExplorerNode,
    readonly item: ActivityItem,
  ) {
    super(item.name, vscode.TreeItemCollapsibleState.None);
    this.contextValue = `activity.${item.outcome}`;
    this.description = taskDescription(item);
    this.iconPath = taskIcon(item, 'symbol-method');
    this.tooltip = taskTooltip(`Activity ${item.name}: ${item.outcome}`, item);
  }
}

/** "1.2 s", "failed after 3 s: Boom", "pending": the description shared by activities and sub-orchestrations. */
export function taskDescription(item: Pick<ActivityItem, 'outcome' | 'durationMs' | 'failure'>): string {
  const took = item.durationMs === undefined ? '' : formatDuration(item.durationMs);
  switch (item.outcome) {
    case 'pending':
      return 'pending';
    case 'failed':
      return `failed${took ? ` after ${took}` : ''}: ${item.failure ?? ''}`;
    case 'completed':
      return took;
  }
}

/** The tooltip shared by activities and sub-orchestrations: its times, failure, input and result, after any `first` rows. */
export function taskTooltip(title: string, item: Omit<ActivityItem, 'kind'>, first: [label: string, value: string | undefined][] = []): vscode.MarkdownString {
  return detailsTooltip(
    title,
    [
      ...first,
      ['Scheduled', item.scheduledTime],
      ['Completed', item.completedTime],
      ['Duration', item.durationMs === undefined ? undefined : formatDuration(item.durationMs)],
      ['Failure', item.failure],
    ],
    [
      ['Input', item.input],
      ['Result', item.result],
    ],
  );
}

export function taskIcon(item: Pick<ActivityItem, 'outcome'>, completedIcon: string): vscode.ThemeIcon {
  switch (item.outcome) {
    case 'pending':
      return new vscode.ThemeIcon('loading~spin');
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'));
    case 'completed':
      return new vscode.ThemeIcon(completedIcon, new vscode.ThemeColor('charts.blue'));
  }
}
