/** A task hub. Its children are the loaded pages of its instances (filtered), newest first, then "Load more…". */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import { describeFilter, filterToQuery, type InstanceFilter, isEmptyFilter } from '../filters.js';
import { describeCounts } from '../panel/hub-overview.js';
import type { StatusCounts } from '../server-api.js';
import type { ConnectionNode } from './connection-node.js';
import { ExplorerNode, type ExplorerServices, hubKey } from './explorer-node.js';
import { InstanceNode } from './instance-node.js';
import { LoadMoreNode } from './load-more-node.js';
import { MessageNode } from './message-node.js';

export class TaskHubNode extends ExplorerNode {
  readonly connection: Connection;
  readonly services: ExplorerServices;
  readonly filter: InstanceFilter;

  constructor(
    readonly parent: ConnectionNode,
    readonly taskHub: string,
    /** Per-status counts of the whole hub (`GET counts`), shown as the description. */
    readonly counts?: StatusCounts,
  ) {
    super(taskHub, vscode.TreeItemCollapsibleState.Collapsed);
    this.connection = parent.connection;
    this.services = parent.services;
    this.filter = this.services.filterFor(this.connection, taskHub);
    this.id = `hub:${this.key}`;
    const filtered = !isEmptyFilter(this.filter);
    // the active filter is part of what the node shows, so that a short list is never mistaken for the whole hub
    const tally = counts ? describeCounts(counts) : undefined;
    this.description = [tally, filtered ? `filter: ${describeFilter(this.filter)}` : undefined].filter(Boolean).join(' · ') || undefined;
    this.tooltip = filtered ? `Task hub ${taskHub}\nFilter: ${describeFilter(this.filter)}` : `Task hub ${taskHub}`;
    // `.readOnly` hides the mutating commands (their `when` clauses end in `$` without it)
    this.contextValue = `${filtered ? 'taskHub.filtered' : 'taskHub'}${this.services.scopes?.isReadOnly(this.connection) ? '.readOnly' : ''}`;
    this.iconPath = new vscode.ThemeIcon(filtered ? 'filter' : 'database');
  }

  get key(): string {
    return hubKey(this.connection, this.taskHub);
  }

  override async getChildren(): Promise<ExplorerNode[]> {
    const list = this.services.pages.get(this.key);
    try {
      if (!list.loaded) {
        const client = await this.services.client(this.connection);
        await list.loadFirst(client, this.taskHub, filterToQuery(this.filter), this.services.pageSize());
      }
    } catch (error) {
      this.services.pages.reset(this.key); // retry on the next expansion instead of showing a stale empty list
      return [MessageNode.fromError(this, error, this.connection)];
    }
    const nodes: ExplorerNode[] = list.sorted().map((status) => new InstanceNode(this, status));
    if (list.continuationToken) nodes.push(new LoadMoreNode(this));
    if (nodes.length === 0) {
      return [new MessageNode(this, isEmptyFilter(this.filter) ? 'No instances' : 'No instances match the filter')];
    }
    return nodes;
  }

  /** Fetches the next page into the list; the caller refreshes this node. */
  async loadMore(): Promise<void> {
    const client = await this.services.client(this.connection);
    await this.services.pages.get(this.key).loadMore(client, this.taskHub, filterToQuery(this.filter), this.services.pageSize());
  }
}
