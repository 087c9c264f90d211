/**
 * Where a panel's instance comes from: a live connection (the HTTP API, paged history) or an offline history
 * bundle (no endpoint). The panel, the tree's offline node and every tab read through this interface only.
 */
import type { Connection } from '../connections.js';
import { getHistoryPage, type HistoryPage, MAX_HISTORY_PAGE } from '../server-api.js';
import type { ExplorerServices, InstanceRef } from '../tree/explorer-node.js';
import type { HistoryBundle, InstanceBundle, StatusPayload } from '../wire.js';

export interface InstanceSource {
  /** Unique per instance and origin: one panel per key. */
  readonly key: string;
  readonly instanceId: string;
  /** Shown in the header: "Local › default" or "Offline: name.json". */
  readonly where: string;
  readonly offline: boolean;
  /** What commands need to act on the instance; absent offline. */
  readonly ref?: InstanceRef;
  getStatus(): Promise<StatusPayload>;
  /** One page of rows from 0-based `from`. */
  getHistoryPage(from: number, top: number): Promise<HistoryPage>;
  /** The same origin's source for another instance (parent, child). */
  sibling(instanceId: string): InstanceSource | undefined;
}

export class LiveInstanceSource implements InstanceSource {
  readonly offline = false;
  readonly ref: InstanceRef;

  constructor(
    readonly connection: Connection,
    readonly taskHub: string,
    readonly instanceId: string,
    readonly services: ExplorerServices,
  ) {
    this.ref = { connection, taskHub, instanceId, services };
  }

  get key(): string {
    return `live:${this.connection.name}/${this.taskHub}/${this.instanceId}`;
  }

  get where(): string {
    return `${this.connection.name} › ${this.taskHub}`;
  }

  async getStatus(): Promise<StatusPayload> {
    const client = await this.services.client(this.connection);
    return client.getStatus(this.taskHub, this.instanceId, { showInput: true });
  }

  async getHistoryPage(from: number, top: number): Promise<HistoryPage> {
    const client = await this.services.client(this.connection);
    return getHistoryPage(client, this.taskHub, this.instanceId, { from, top: Math.min(top, MAX_HISTORY_PAGE) });
  }

  sibling(instanceId: string): InstanceSource {
    return new LiveInstanceSource(this.connection, this.taskHub, instanceId, this.services);
  }
}

/** A bundle opened from a file; its nested children are instances of the same offline source. */
export class OfflineBundle {
  private readonly byId = new Map<string, InstanceBundle>();

  constructor(
    readonly label: string,
    readonly bundle: HistoryBundle,
  ) {
    const visit = (nested: InstanceBundle) => {
      if (!this.byId.has(nested.instance.instanceId)) this.byId.set(nested.instance.instanceId, nested);
      for (const child of nested.children ?? []) visit(child);
    };
    visit(bundle);
  }

  get root(): InstanceBundle {
    return this.bundle;
  }

  instance(instanceId: string): InstanceBundle | undefined {
    return this.byId.get(instanceId);
  }

  source(instanceId: string): OfflineInstanceSource | undefined {
    const nested = this.byId.get(instanceId);
    return nested ? new OfflineInstanceSource(this, nested) : undefined;
  }
}

export class OfflineInstanceSource implements InstanceSource {
  readonly offline = true;

  constructor(
    readonly bundle: OfflineBundle,
    private readonly nested: InstanceBundle,
  ) {}

  get instanceId(): string {
    return this.nested.instance.instanceId;
  }

  get key(): string {
    return `offline:${this.bundle.label}/${this.instanceId}`;
  }

  get where(): string {
    return `Offline: ${this.bundle.label} (task hub ${this.nested.source.taskHub})`;
  }

  getStatus(): Promise<StatusPayload> {
    return Promise.resolve(this.nested.instance);
  }

  getHistoryPage(from: number, top: number): Promise<HistoryPage> {
    const all = this.nested.history;
    const events = all.slice(from, from + top);
    const end = from + events.length;
    const page: HistoryPage = { events, from, total: all.length, lossless: true };
    if (end < all.length) page.nextFrom = end;
    return Promise.resolve(page);
  }

  sibling(instanceId: string): InstanceSource | undefined {
    return this.bundle.source(instanceId);
  }
}
