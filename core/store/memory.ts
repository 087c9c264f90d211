/**
 * The in-memory store: the reference adapter and the simulator's store. The hub model
 * (`hub-state.ts`) behind the port, with same-process notifications.
 * @module
 */
import { type HistoryEvent, isTerminal, type RuntimeStatus } from '../history.js';
import { validateTaskHubName } from '../limits.js';
import { HubState } from './hub-state.js';
import type * as port from './port.js';
import { copyRecord } from './record.js';

const WORK: port.StoreNotification = { kind: 'work' };

class MemoryTaskHub implements port.TaskHubStore {
  /** A write is a few map operations: nothing to amortize by grouping them. */
  readonly unbatchedWrites = true;
  readonly state = new HubState();
  private readonly listeners = new Set<(n: port.StoreNotification) => void>();

  constructor(readonly taskHub: string) {}

  async createInstance({ record, start }: port.NewInstance): Promise<port.InstanceRecord> {
    const refusal = this.state.createRefusal(record.instanceId);
    if (refusal) throw refusal;
    const created = this.state.install(record, start);
    this.notify(WORK);
    this.notify({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
    return copyRecord(created);
  }

  async getInstance(instanceId: string): Promise<port.InstanceRecord | undefined> {
    return this.state.getInstance(instanceId);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.state.getHistory(instanceId);
  }

  async getHistoryPage(instanceId: string, from: number, top: number): Promise<port.HistoryPage> {
    return this.state.historyPage(instanceId, from, top);
  }

  async queryInstances(query: port.InstanceQuery): Promise<port.InstancePage> {
    return this.state.query(query);
  }

  async countInstances(filter: port.CountFilter): Promise<port.InstanceCounts> {
    return this.state.count(filter);
  }

  async enqueueMessages(messages: port.OrchestrationMessage[]): Promise<void> {
    for (const m of messages) this.state.enqueue(m);
    if (messages.length) this.notify(WORK);
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined> {
    return this.state.leaseOrchestration(now, lockMs);
  }

  async leaseOrchestrations(now: number, lockMs: number, max: number): Promise<port.OrchestrationWorkItem[]> {
    return leaseUpTo(max, () => this.state.leaseOrchestration(now, lockMs));
  }

  async abandonOrchestration(workItem: port.OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    if (this.state.abandonOrchestration(workItem, visibleAt)) this.notify(WORK);
  }

  async commit(episodes: port.EpisodeCommit[]): Promise<port.CommitOutcome[]> {
    const outcomes: port.CommitOutcome[] = [];
    let work = false;
    for (const episode of episodes) {
      const error = this.state.episodeRefusal(episode);
      if (error) {
        outcomes.push({ ok: false, error });
        continue;
      }
      const version = this.apply(episode);
      const eager = episode.leaseActivities;
      const leasedActivities = eager
        ? episode.activities.slice(0, Math.max(0, Math.floor(eager.max))).map((a) => this.state.leaseScheduled(a.id, eager.now, eager.lockMs))
        : [];
      outcomes.push(leasedActivities.length ? { ok: true, version, leasedActivities } : { ok: true, version });
      // Work a worker could lease now or later: anything not handed back eagerly.
      work ||=
        episode.messages.length > 0 ||
        episode.newInstances.length > 0 ||
        episode.activities.length > leasedActivities.length ||
        this.state.hasMessages(episode.instanceId);
    }
    if (work) this.notify(WORK);
    return outcomes;
  }

  /** Writes an episode that passed the commit rules, and notifies the status changes it makes; returns the new version. */
  private apply(e: port.EpisodeCommit): number {
    const version = e.expectedVersion + 1;
    const previous = this.state.status(e.instanceId);
    // Completed here: their results are in the history, not queued.
    if (e.completesActivities) for (const { item } of e.completesActivities.activities) this.state.deleteActivity(item.id);
    this.state.applyEpisode(e, version);
    for (const { record } of e.newInstances) this.notify({ kind: 'instance', instanceId: record.instanceId, runtimeStatus: record.runtimeStatus });
    this.state.release(e.instanceId, e.lease);
    if (previous !== e.instance.runtimeStatus || isTerminal(e.instance.runtimeStatus)) {
      this.notify({ kind: 'instance', instanceId: e.instanceId, runtimeStatus: e.instance.runtimeStatus });
    }
    return version;
  }

  async discardMessages(workItem: port.OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    this.state.discard(workItem.instanceId, messageIds);
    this.state.release(workItem.instanceId, workItem.lease);
  }

  async leaseActivity(now: number, lockMs: number): Promise<port.LeasedActivity | undefined> {
    return this.state.leaseActivity(now, lockMs);
  }

  async leaseActivities(now: number, lockMs: number, max: number): Promise<port.LeasedActivity[]> {
    return leaseUpTo(max, () => this.state.leaseActivity(now, lockMs));
  }

  async completeActivities(completions: port.ActivityCompletion[]): Promise<port.CompletionOutcome[]> {
    const outcomes: port.CompletionOutcome[] = completions.map(({ leased, result }) => {
      if (!this.state.holdsActivity(leased)) return { applied: false };
      this.state.deleteActivity(leased.item.id);
      this.state.enqueue(result);
      return { applied: true };
    });
    let work = false;
    const leased = new Set<string>();
    completions.forEach(({ result, leaseInstance }, i) => {
      if (!outcomes[i]!.applied || leased.has(result.instanceId)) return;
      const workItem = leaseInstance && this.state.tryLease(result.instanceId, leaseInstance.now, leaseInstance.lockMs);
      if (workItem) {
        outcomes[i]!.workItem = workItem;
        leased.add(result.instanceId);
      } else work = true;
    });
    if (work) this.notify(WORK);
    return outcomes;
  }

  async abandonActivity(leased: port.LeasedActivity, visibleAt?: number): Promise<void> {
    if (this.state.abandonActivity(leased, visibleAt)) this.notify(WORK);
  }

  async releaseLeases(): Promise<port.ReleasedLeases> {
    const released = this.state.releaseLeases();
    if (released.instances || released.activities) this.notify(WORK);
    return released;
  }

  async nextWakeTime(): Promise<number | undefined> {
    return this.state.nextWakeTime();
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    const status = this.state.status(instanceId);
    if (status === undefined || !onlyIf.includes(status)) return 0;
    this.state.remove(instanceId);
    return 1;
  }

  async purgeInstances(filter: port.PurgeFilter): Promise<number> {
    const ids = this.state.purgeable(filter);
    for (const id of ids) this.state.remove(id);
    return ids.length;
  }

  subscribe(listener: (n: port.StoreNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(n: port.StoreNotification): void {
    for (const listener of this.listeners) listener(n);
  }
}

/** In-memory storage; nothing survives the process. */
export class MemoryStorage implements port.Storage {
  private readonly hubs = new Map<string, MemoryTaskHub>();

  taskHub(name: string): port.TaskHubStore {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) {
      hub = new MemoryTaskHub(name);
      this.hubs.set(name, hub);
    }
    return hub;
  }

  async listTaskHubs(): Promise<string[]> {
    return [...this.hubs.values()]
      .filter((h) => !h.state.isEmpty)
      .map((h) => h.taskHub)
      .sort();
  }

  async deleteTaskHub(name: string): Promise<boolean> {
    const hub = this.hubs.get(name);
    const existed = hub !== undefined && !hub.state.isEmpty;
    hub?.state.clear();
    return existed;
  }
}

/** Up to `max` items, leased one at a time until `leaseOne` finds none. */
function leaseUpTo<T>(max: number, leaseOne: () => T | undefined): T[] {
  const leased: T[] = [];
  for (let item: T | undefined; leased.length < Math.floor(max) && (item = leaseOne()); ) leased.push(item);
  return leased;
}
