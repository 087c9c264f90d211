/** What every command handler gets: the tree, the stores and the output channel for reports. */
import * as vscode from 'vscode';
import type { ConnectionStore } from '../connections.js';
import type { InstanceDocumentProvider } from '../documents.js';
import type { FilterStore } from '../filter-store.js';
import type { InstancePanels } from '../panel/instance-panel.js';
import { forbiddenMessage, type ScopeStore } from '../scopes.js';
import type { ExplorerNode } from '../tree/explorer-node.js';
import type { ExplorerProvider } from '../tree/explorer-provider.js';
import type { OfflineBundles } from './panel-commands.js';

export interface CommandContext {
  provider: ExplorerProvider;
  connections: ConnectionStore;
  filters: FilterStore;
  documents: InstanceDocumentProvider;
  output: vscode.OutputChannel;
  panels: InstancePanels;
  offline: OfflineBundles;
  scopes?: ScopeStore;
  /** Per-workspace memory (the app module picked for replays); absent in unit tests. */
  workspaceState?: vscode.Memento;
  /** Reveals a node in the tree view (absent in unit tests that have no view). */
  reveal?: (node: ExplorerNode, options: { select: boolean; focus: boolean; expand: boolean }) => Thenable<void>;
}

/** Wraps a handler so a failure becomes an error notification instead of a silent rejected promise. */
export function reportErrors<A extends unknown[]>(title: string, handler: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (error) {
      // a 403 names the scope the token lacks
      const message = forbiddenMessage(error) ?? (error instanceof Error ? error.message : String(error));
      void vscode.window.showErrorMessage(`${title} failed: ${message}`);
    }
  };
}
