/**
 * The Worker side of a partitioned task hub: one `TaskHubStore` over the hub's N partition
 * objects (`partition.ts`). A call about one instance goes straight to the instance's partition
 * (one RPC); a listing merges one page of each partition (`core/store/partitions.ts`); counts,
 * purges by filter, wake times, emptiness and clearing ask every partition. Leasing (for
 * workers outside the objects; the engine inside each object leases its own) asks the partitions
 * in turn, from a rotating start so that no partition is always served last.
 * @module
 */
import { type HistoryEvent, RUNTIME_STATUSES, type RuntimeStatus } from '../../core/history.js';
import { historyPage } from '../../core/store/history-page.js';
import { mergePartitionPages, partitionOf } from '../../core/store/partitions.js';
import type * as port from '../../core/store/port.js';
import { zeroCounts } from '../../core/store/query.js';

/** A partition as the hub sees it: the port, plus the housekeeping calls of the task-hub object. */
export interface PartitionHub extends port.TaskHubStore {
  isEmpty(): Promise<boolean>;
  clear(): Promise<void>;
}

export class PartitionedTaskHub implements port.TaskHubStore {
  private turn = 0;

  constructor(
    readonly taskHub: string,
    private readonly parts: readonly PartitionHub[],
  ) {}

  get partitionCount(): number {
    return this.parts.length;
  }

  private of(instanceId: string): PartitionHub {
    return this.parts[partitionOf(instanceId, this.parts.length)]!;
  }

  /** Calls `f` on each partition's share of `items` (by instance), and puts the results back in the items' order. */
  private async byPartition<T, R>(items: readonly T[], instanceOf: (item: T) => string, f: (hub: PartitionHub, share: T[]) => Promise<R[]>): Promise<R[]> {
    const shares = new Map<number, number[]>();
    for (const [i, item] of items.entries()) {
      const p = partitionOf(instanceOf(item), this.parts.length);
      let share = shares.get(p);
      if (!share) shares.set(p, (share = []));
      share.push(i);
    }
    const results = new Array<R>(items.length);
    await Promise.all(
      [...shares].map(async ([p, indexes]) => {
        const out = await f(
          this.parts[p]!,
          indexes.map((i) => items[i]!),
        );
        for (const [j, i] of indexes.entries()) results[i] = out[j]!;
      }),
    );
    return results;
  }

  /** The partitions in turn, from a start that moves on each call. */
  private rotation(): PartitionHub[] {
    const start = this.turn++ % this.parts.length;
    return [...this.parts.slice(start), ...this.parts.slice(0, start)];
  }

  createInstance(instance: port.NewInstance): Promise<port.InstanceRecord> {
    return this.of(instance.record.instanceId).createInstance(instance);
  }
  createInstanceAndWait(instance: port.NewInstance, statuses: readonly RuntimeStatus[], timeoutMs: number): Promise<port.InstanceRecord | undefined> {
    return this.of(instance.record.instanceId).createInstanceAndWait!(instance, statuses, timeoutMs);
  }
  getInstance(instanceId: string): Promise<port.InstanceRecord | undefined> {
    return this.of(instanceId).getInstance(instanceId);
  }
  getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.of(instanceId).getHistory(instanceId);
  }
  waitForInstance(instanceId: string, statuses: readonly RuntimeStatus[], timeoutMs: number): Promise<port.InstanceRecord | undefined> {
    return this.of(instanceId).waitForInstance!(instanceId, statuses, timeoutMs);
  }
  queryInstances(query: port.InstanceQuery): Promise<port.InstancePage> {
    return mergePartitionPages(this.parts.length, query, (i, q) => this.parts[i]!.queryInstances(q));
  }
  async enqueueMessages(messages: port.OrchestrationMessage[]): Promise<void> {
    await this.byPartition(
      messages,
      (m) => m.instanceId,
      async (hub, share) => {
        await hub.enqueueMessages(share);
        return share.map(() => undefined);
      },
    );
  }
  async leaseOrchestration(now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined> {
    for (const hub of this.rotation()) {
      const item = await hub.leaseOrchestration(now, lockMs);
      if (item) return item;
    }
    return undefined;
  }
  async leaseOrchestrations(now: number, lockMs: number, max: number): Promise<port.OrchestrationWorkItem[]> {
    const leased: port.OrchestrationWorkItem[] = [];
    for (const hub of this.rotation()) {
      if (leased.length >= max) break;
      leased.push(...(await hub.leaseOrchestrations!(now, lockMs, max - leased.length)));
    }
    return leased;
  }
  abandonOrchestration(workItem: port.OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    return this.of(workItem.instanceId).abandonOrchestration(workItem, visibleAt);
  }
  commit(episodes: port.EpisodeCommit[]): Promise<port.CommitOutcome[]> {
    return this.byPartition(
      episodes,
      (e) => e.instanceId,
      (hub, share) => hub.commit(share),
    );
  }
  discardMessages(workItem: port.OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    return this.of(workItem.instanceId).discardMessages(workItem, messageIds);
  }
  async leaseActivity(now: number, lockMs: number): Promise<port.LeasedActivity | undefined> {
    for (const hub of this.rotation()) {
      const leased = await hub.leaseActivity(now, lockMs);
      if (leased) return leased;
    }
    return undefined;
  }
  async leaseActivities(now: number, lockMs: number, max: number): Promise<port.LeasedActivity[]> {
    const leased: port.LeasedActivity[] = [];
    for (const hub of this.rotation()) {
      if (leased.length >= max) break;
      leased.push(...(await hub.leaseActivities!(now, lockMs, max - leased.length)));
    }
    return leased;
  }
  completeActivities(completions: port.ActivityCompletion[]): Promise<port.CompletionOutcome[]> {
    return this.byPartition(
      completions,
      (c) => c.leased.item.instanceId,
      (hub, share) => hub.completeActivities(share),
    );
  }
  abandonActivity(leased: port.LeasedActivity, visibleAt?: number): Promise<void> {
    return this.of(leased.item.instanceId).abandonActivity(leased, visibleAt);
  }
  async nextWakeTime(): Promise<number | undefined> {
    const times = (await Promise.all(this.parts.map((p) => p.nextWakeTime()))).filter((t): t is number => t !== undefined);
    return times.length ? Math.min(...times) : undefined;
  }
  purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    return this.of(instanceId).purgeInstance(instanceId, onlyIf);
  }
  async purgeInstances(filter: port.PurgeFilter, options?: port.PurgeOptions): Promise<number> {
    let done = 0;
    const counts = await Promise.all(
      this.parts.map(async (p) => {
        const n = await p.purgeInstances(filter);
        options?.onProgress?.((done += n));
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
  /** The sum of the partitions' counts (each one index-driven). */
  async countInstances(filter: port.CountFilter): Promise<port.InstanceCounts> {
    const all = await Promise.all(this.parts.map((p) => p.countInstances(filter)));
    const total = zeroCounts();
    for (const counts of all) for (const status of RUNTIME_STATUSES) total[status] += counts[status];
    return total;
  }
  getHistoryPage(instanceId: string, from: number, top: number): Promise<port.HistoryPage> {
    const part = this.of(instanceId);
    return part.getHistoryPage ? part.getHistoryPage(instanceId, from, top) : historyPage(part, instanceId, from, top);
  }
  async isEmpty(): Promise<boolean> {
    return (await Promise.all(this.parts.map((p) => p.isEmpty()))).every(Boolean);
  }
  /** Partition 0 last: it holds the hub's partition count, which goes only with the rest. */
  async clear(): Promise<void> {
    await Promise.all(this.parts.slice(1).map((p) => p.clear()));
    await this.parts[0]!.clear();
  }
}
