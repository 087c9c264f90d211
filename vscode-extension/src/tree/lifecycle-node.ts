/** Any other history row: start, completion, terminate, suspend, resume, rewind, sent event, continue-as-new. */
import * as vscode from 'vscode';
import { formatClock } from '../format.js';
import type { LifecycleItem } from '../history.js';
import { ExplorerNode } from './explorer-node.js';
import { detailsTooltip } from './tooltip.js';

const LABELS: Record<string, [label: string, icon: string]> = {
  ExecutionStarted: ['Started', 'play'],
  ExecutionTerminated: ['Terminated', 'circle-slash'],
  ExecutionSuspended: ['Suspended', 'debug-pause'],
  ExecutionResumed: ['Resumed', 'debug-continue'],
  ExecutionRewound: ['Rewound', 'debug-step-back'],
  EventSent: ['Event sent', 'send'],
  ContinueAsNew: ['Continued as new', 'debug-restart'],
  GenericEvent: ['Generic event', 'symbol-event'],
};

export class LifecycleNode extends ExplorerNode {
  constructor(
    readonly parent: ExplorerNode,
    readonly item: LifecycleItem,
  ) {
    super(lifecycleLabel(item), vscode.TreeItemCollapsibleState.None);
    this.contextValue = `lifecycle.${item.eventType}`;
    this.description = [item.detail, formatClock(item.time)].filter(Boolean).join(' · ');
    this.iconPath = item.failed
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'))
      : new vscode.ThemeIcon(LABELS[item.eventType]?.[1] ?? (item.eventType === 'ExecutionCompleted' ? 'pass' : 'circle-outline'));
    const event = item.event;
    this.tooltip = detailsTooltip(
      `${lifecycleLabel(item)} (${item.eventType})`,
      [['Time', item.time], [item.failed ? 'Failure' : 'Detail', item.detail]],
      [['Input', event.Input], ['Result', event.Result]],
    );
  }
}

function lifecycleLabel(item: LifecycleItem): string {
  if (item.eventType === 'ExecutionCompleted') {
    const status = item.event.OrchestrationStatus;
    return typeof status === 'string' && status !== 'Completed' ? `Finished: ${status}` : 'Completed';
  }
  return LABELS[item.eventType]?.[0] ?? item.eventType;
}
