/**
 * The loaded pages of one task hub's instance list. The server decides the order of pages; within what is
 * loaded the tree shows newest first (a stable sort, so equal times keep the server's order).
 */
import type { DurableHttpClient, InstanceQuery, StatusPayload } from '../wire.js';

export class InstanceList {
  private instances: StatusPayload[] = [];
  continuationToken: string | undefined;
  loaded = false;

  /** Replaces the list with the first page. */
  async loadFirst(client: DurableHttpClient, taskHub: string, query: InstanceQuery, pageSize: number): Promise<void> {
    const page = await client.listInstances(taskHub, { ...query, top: pageSize });
    this.instances = [];
    this.append(page.instances);
    this.continuationToken = page.continuationToken;
    this.loaded = true;
  }

  /** Appends the next page; a no-op when the server said there is none. */
  async loadMore(client: DurableHttpClient, taskHub: string, query: InstanceQuery, pageSize: number): Promise<void> {
    if (!this.continuationToken) return;
    const page = await client.listInstances(taskHub, { ...query, top: pageSize, continuationToken: this.continuationToken });
    this.append(page.instances);
    this.continuationToken = page.continuationToken;
  }

  /** Newest first by createdTime. */
  sorted(): StatusPayload[] {
    return this.instances
      .map((instance, position) => ({ instance, position, time: Date.parse(instance.createdTime) || 0 }))
      .sort((a, b) => b.time - a.time || a.position - b.position)
      .map((entry) => entry.instance);
  }

  get(instanceId: string): StatusPayload | undefined {
    return this.instances.find((i) => i.instanceId === instanceId);
  }

  /**
   * Replaces the entry with the same id, or adds it (e.g. "Go to instance" for one not loaded yet).
   * `newest`: a just-started instance, added in front. createdTime has whole seconds only (as in Durable
   * Functions), so it ties with the instances started in the same second, and a tie keeps list positions.
   */
  upsert(status: StatusPayload, { newest = false }: { newest?: boolean } = {}): void {
    const index = this.instances.findIndex((i) => i.instanceId === status.instanceId);
    const { historyEvents: _history, ...withoutHistory } = status;
    if (index >= 0) this.instances[index] = withoutHistory;
    else if (newest) this.instances.unshift(withoutHistory);
    else this.instances.push(withoutHistory);
  }

  remove(instanceId: string): void {
    this.instances = this.instances.filter((i) => i.instanceId !== instanceId);
  }

  all(): readonly StatusPayload[] {
    return this.instances;
  }

  /** A server may repeat an instance across pages when instances are created while paging; tree ids must stay unique. */
  private append(instances: StatusPayload[]): void {
    for (const instance of instances) {
      if (!this.instances.some((i) => i.instanceId === instance.instanceId)) this.instances.push(instance);
    }
  }
}

export class InstancePages {
  private readonly lists = new Map<string, InstanceList>();

  get(key: string): InstanceList {
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = new InstanceList()));
    return list;
  }

  /** Forgets the loaded pages so the next expansion starts from the first page again. */
  reset(key: string): void {
    this.lists.delete(key);
  }

  resetAll(): void {
    this.lists.clear();
  }

  entries(): [string, InstanceList][] {
    return [...this.lists.entries()];
  }
}
