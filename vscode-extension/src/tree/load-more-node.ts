/** The last child of a task hub while the server has more pages. Clicking it appends the next page. */
import * as vscode from 'vscode';
import { ExplorerNode } from './explorer-node.js';
import type { TaskHubNode } from './task-hub-node.js';

export class LoadMoreNode extends ExplorerNode {
  constructor(readonly parent: TaskHubNode) {
    super('Load more…', vscode.TreeItemCollapsibleState.None);
    this.contextValue = 'loadMore';
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.command = { command: 'edgeDurable.loadMore', title: 'Load more', arguments: [parent] };
  }
}
