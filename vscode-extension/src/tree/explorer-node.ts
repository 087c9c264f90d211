/** The base of every node in the explorer tree, and the services the nodes need to load their children. */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import type { InstanceFilter } from '../filters.js';
import type { OfflineBundle } from '../panel/instance-source.js';
import type { ScopeStore } from '../scopes.js';
import type { DurableHttpClient } from '../wire.js';
import type { InstancePages } from './instance-list.js';

export interface ExplorerServices {
  client(connection: Connection): Promise<DurableHttpClient>;
  filterFor(connection: Connection, taskHub: string): InstanceFilter;
  pages: InstancePages;
  pageSize(): number;
  now(): number;
  /** Per-connection token scopes (absent in tests that do not exercise them). */
  scopes?: ScopeStore;
}

export abstract class ExplorerNode extends vscode.TreeItem {
  abstract readonly parent: ExplorerNode | undefined;

  getChildren(): Promise<ExplorerNode[]> {
    return Promise.resolve([]);
  }
}

/** What instance commands need: enough to address one instance through the API. */
export interface InstanceRef {
  readonly connection: Connection;
  readonly taskHub: string;
  readonly instanceId: string;
  readonly services: ExplorerServices;
  /** Set on instances of an opened history bundle: no connection, everything comes from the bundle. */
  readonly offline?: OfflineBundle;
}

export function hubKey(connection: Connection, taskHub: string): string {
  return `${connection.name}/${taskHub}`;
}
