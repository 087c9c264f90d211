/** Any other history row: start, completion, terminate, suspend, resume, rewind, sent event, continue-as-new. */
import * as vscode from 'vscode';
import { formatClock } from '../format.js';
import type { LifecycleItem } from '../history.js';
import { ExplorerNode } from './explorer-node.js';
import { detailsTooltip } from './tooltip.js';

/** How the tree shows each kind of row: its label and codicon. */
const SHOWN: Record<string, { label: string; icon: string }> = {
  ExecutionStarted: { label: 'Started', icon: 'play' },
  ExecutionTerminated: { label: 'Terminated', icon: 'circle-slash' },
  ExecutionSuspended: { label: 'Suspended', icon: 'debug-pause' },
  ExecutionResumed: { label: 'Resumed', icon: 'debug-continue' },
  ExecutionRewound: { label: 'Rewound', icon: 'debug-step-back' },
  EventSent: { label: 'Event sent', icon: 'send' },
  ContinueAsNew: { label: 'Continued as new', icon: 'debug-restart' },
  GenericEvent: { label: 'Generic event', icon: 'symbol-event' },
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
      : new vscode.ThemeIcon(SHOWN[item.eventType]?.icon ?? (item.eventType === 'ExecutionCompleted' ? 'pass' : 'circle-outline'));
    const event = item.event;
    this.tooltip = detailsTooltip(
      `${lifecycleLabel(item)} (${item.eventType})`,
      [
        ['Time', item.time],
        [item.failed ? 'Failure' : 'Detail', item.detail],
      ],
      [
        ['Input', event.Input],
        ['Result', event.Result],
      ],
    );
  }
}

function lifecycleLabel(item: LifecycleItem): string {
  if (item.eventType === 'ExecutionCompleted') {
    const status = item.event.OrchestrationStatus;
    return typeof status === 'string' && status !== 'Completed' ? `Finished: ${status}` : 'Completed';
  }
  return SHOWN[item.eventType]?.label ?? item.eventType;
}
