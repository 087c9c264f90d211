/**
 * The TreeDataProvider. Nodes load their own children; the provider remembers the node object VS Code last
 * received for each id, because VS Code only refreshes an element it knows by identity.
 */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import type { OfflineBundle } from '../panel/instance-source.js';
import { changesOnItsOwn, isNotFound, type StatusPayload } from '../wire.js';
import { ConnectionNode } from './connection-node.js';
import { type ExplorerNode, type ExplorerServices, hubKey } from './explorer-node.js';
import { InstanceNode, instanceNodeId } from './instance-node.js';
import { OfflineRootNode } from './offline-node.js';

export class ExplorerProvider implements vscode.TreeDataProvider<ExplorerNode> {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly latest = new Map<string, ExplorerNode>();
  /** Ids of the children last returned for each parent id ('' = root), to forget nodes that left the tree. */
  private readonly childIds = new Map<string, string[]>();

  constructor(
    private readonly listConnections: () => Connection[],
    readonly services: ExplorerServices,
    private readonly listOffline: () => readonly OfflineBundle[] = () => [],
  ) {}

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    return node;
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    const children = node ? await node.getChildren() : this.roots();
    const parentId = node ? node.id : '';
    if (parentId !== undefined) {
      const ids = children.flatMap((child) => (child.id ? [child.id] : []));
      for (const old of this.childIds.get(parentId) ?? []) if (!ids.includes(old)) this.forget(old);
      this.childIds.set(parentId, ids);
    }
    for (const child of children) if (child.id) this.latest.set(child.id, child);
    return children;
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return node.parent;
  }

  /** The node VS Code currently shows for this id (undefined when it was never shown). */
  find<T extends ExplorerNode>(id: string): T | undefined {
    return this.latest.get(id) as T | undefined;
  }

  /** Re-renders `node` and reloads its children; the whole tree when no node is given. */
  refresh(node?: ExplorerNode): void {
    if (!node) {
      this.services.pages.resetAll();
      this.latest.clear();
      this.childIds.clear();
      this.changed.fire(undefined);
      return;
    }
    this.changed.fire((node.id && this.latest.get(node.id)) || node);
  }

  /** Reloads a task hub's instance list from its first page. */
  refreshHub(connection: Connection, taskHub: string): void {
    const key = hubKey(connection, taskHub);
    this.services.pages.reset(key);
    const hub = this.latest.get(`hub:${key}`);
    if (hub) this.changed.fire(hub);
    else this.changed.fire(undefined);
  }

  /**
   * Shows a just-started instance at once, whatever page the server would put it on: it joins the loaded list
   * (newest first puts it on top) instead of the list being reloaded from its first page.
   */
  addInstance(connection: Connection, taskHub: string, status: StatusPayload): void {
    const key = hubKey(connection, taskHub);
    const list = this.services.pages.get(key);
    if (!list.loaded) {
      this.refreshHub(connection, taskHub);
      return;
    }
    list.upsert(status, { newest: true });
    const hub = this.latest.get(`hub:${key}`);
    this.changed.fire(hub);
  }

  /** Re-renders one instance from a fresh status, or drops it when it no longer exists. */
  updateInstance(connection: Connection, taskHub: string, status: StatusPayload): void {
    this.services.pages.get(hubKey(connection, taskHub)).upsert(status);
    const node = this.find<InstanceNode>(instanceNodeId(connection, taskHub, status.instanceId));
    if (node) {
      node.update(status);
      this.changed.fire(node);
    }
  }

  removeInstance(connection: Connection, taskHub: string, instanceId: string): void {
    this.services.pages.get(hubKey(connection, taskHub)).remove(instanceId);
    const hub = this.latest.get(`hub:${hubKey(connection, taskHub)}`);
    this.forget(instanceNodeId(connection, taskHub, instanceId));
    this.changed.fire(hub);
  }

  /**
   * Polls the instances on screen whose status can change by itself (Pending, Running, ContinuedAsNew) and
   * updates the ones that changed. Returns how many were polled, so the caller can tell idle from busy.
   */
  async refreshActiveInstances(): Promise<number> {
    const active = [...this.latest.values()].filter((node): node is InstanceNode => node instanceof InstanceNode && changesOnItsOwn(node.status.runtimeStatus));
    await Promise.all(
      active.map(async (node) => {
        try {
          const client = await this.services.client(node.connection);
          const fresh = await client.getStatus(node.taskHub, node.instanceId);
          if (fresh.runtimeStatus !== node.status.runtimeStatus || fresh.lastUpdatedTime !== node.status.lastUpdatedTime) {
            this.updateInstance(node.connection, node.taskHub, fresh);
          }
        } catch (error) {
          if (isNotFound(error)) this.removeInstance(node.connection, node.taskHub, node.instanceId);
          // other errors (server briefly down) are left for the next tick or a manual refresh
        }
      }),
    );
    return active.length;
  }

  private forget(id: string): void {
    this.latest.delete(id);
    for (const child of this.childIds.get(id) ?? []) this.forget(child);
    this.childIds.delete(id);
  }

  private roots(): ExplorerNode[] {
    // no connections: an empty tree lets the view's welcome content (with its "Add Connection" button) show
    const roots: ExplorerNode[] = this.listConnections().map((connection) => new ConnectionNode(connection, this.services));
    const offline = this.listOffline();
    if (offline.length) roots.push(new OfflineRootNode(offline, this.services));
    return roots;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
