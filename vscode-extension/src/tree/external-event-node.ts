/** An external event the instance received, with how long it had been waiting for it. */
import * as vscode from 'vscode';
import { formatDuration, previewJson } from '../format.js';
import type { ExternalEventItem } from '../history.js';
import { ExplorerNode } from './explorer-node.js';
import { detailsTooltip } from './tooltip.js';

export class ExternalEventNode extends ExplorerNode {
  constructor(
    readonly parent: ExplorerNode,
    readonly item: ExternalEventItem,
  ) {
    super(`Event ${item.name}`, vscode.TreeItemCollapsibleState.None);
    this.contextValue = 'externalEvent';
    const waited = item.waitedMs === undefined ? '' : `waited ${formatDuration(item.waitedMs)}`;
    this.description = [waited, previewJson(item.input, 60)].filter(Boolean).join(' · ');
    this.iconPath = new vscode.ThemeIcon('mail', new vscode.ThemeColor('charts.green'));
    this.tooltip = detailsTooltip(
      `External event ${item.name}`,
      [
        ['Waiting since', item.waitStartTime],
        ['Received', item.receivedTime],
        ['Waited', item.waitedMs === undefined ? undefined : formatDuration(item.waitedMs)],
      ],
      [['Data', item.input]],
    );
  }
}
