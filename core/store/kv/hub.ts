/**
 * One task hub on KV: port operations check and change the in-memory state, then wait
 * until the log holds the change. Reads and leases first wait for earlier changes to be
 * durable, so nothing a crash could undo is ever shown or handed out.
 * @module
 */
import { type HistoryEvent, isTerminal, type RuntimeStatus } from '../../history.js';
import type * as port from '../port.js';
import { instanceRecord } from '../record.js';
import type { HubLog } from './log.js';
import { applyOp, type LogOp } from './state.js';

export class KvTaskHub implements port.TaskHubStore {
  private readonly listeners = new Set<(n: port.StoreNotification) => void>();

  constructor(
    readonly taskHub: string,
    private readonly open: () => Promise<HubLog>,
  ) {}

  async createInstance({ record, start }: port.NewInstance): Promise<port.InstanceRecord> {
    const log = await this.open();
    const refusal = log.state.createRefusal(record.instanceId);
    if (refusal) throw refusal;
    const created = instanceRecord(record, 1);
    await this.change(log, { op: 'create', record: created, start });
    this.notify({ kind: 'work' });
    this.notify({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
    return { ...created };
  }

  async getInstance(instanceId: string): Promise<port.InstanceRecord | undefined> {
    return (await this.read()).state.getInstance(instanceId);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return (await this.read()).state.getHistory(instanceId);
  }

  async getHistoryPage(instanceId: string, from: number, top: number): Promise<port.HistoryPage> {
    return (await this.read()).state.historyPage(instanceId, from, top);
  }

  async queryInstances(query: port.InstanceQuery): Promise<port.InstancePage> {
    return (await this.read()).state.query(query);
  }

  async countInstances(filter: port.CountFilter): Promise<port.InstanceCounts> {
    return (await this.read()).state.count(filter);
  }

  async enqueueMessages(messages: port.OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.change(await this.open(), { op: 'enqueue', messages });
    this.notify({ kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined> {
    return (await this.read()).state.leaseOrchestration(now, lockMs);
  }

  async abandonOrchestration(workItem: port.OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    if ((await this.read()).state.abandonOrchestration(workItem, visibleAt)) this.notify({ kind: 'work' });
  }

  async commit(episodes: port.EpisodeCommit[]): Promise<port.CommitOutcome[]> {
    const log = await this.open();
    const outcomes: port.CommitOutcome[] = [];
    const writes: Promise<void>[] = [];
    const changes: port.StoreNotification[] = [];
    for (const e of episodes) {
      const error = log.state.episodeRefusal(e);
      if (error) {
        outcomes.push({ ok: false, error });
        continue;
      }
      const { lease, completesActivities, ...episode } = e;
      const previous = log.state.status(episode.instanceId);
      const version = episode.expectedVersion + 1;
      // The slot carries what replay needs to delete the completed activities, not their leases or inputs.
      const op: LogOp = { op: 'commit', episode, version, completedActivityIds: completesActivities?.activities.map((a) => a.item.id) };
      applyOp(log.state, op);
      log.state.release(episode.instanceId, lease);
      writes.push(log.append(op));
      outcomes.push({ ok: true, version });
      const { runtimeStatus } = episode.instance;
      if (previous !== runtimeStatus || isTerminal(runtimeStatus)) changes.push({ kind: 'instance', instanceId: episode.instanceId, runtimeStatus });
      for (const { record } of episode.newInstances) changes.push({ kind: 'instance', instanceId: record.instanceId, runtimeStatus: record.runtimeStatus });
    }
    await Promise.all(writes);
    this.notify({ kind: 'work' });
    for (const n of changes) this.notify(n);
    return outcomes;
  }

  async discardMessages(workItem: port.OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    const log = await this.open();
    const write = this.change(log, { op: 'discard', instanceId: workItem.instanceId, messageIds });
    log.state.release(workItem.instanceId, workItem.lease);
    await write;
  }

  async leaseActivity(now: number, lockMs: number): Promise<port.LeasedActivity | undefined> {
    return (await this.read()).state.leaseActivity(now, lockMs);
  }

  async completeActivities(completions: port.ActivityCompletion[]): Promise<port.CompletionOutcome[]> {
    const log = await this.open();
    const writes: Promise<void>[] = [];
    const applied = completions.map(({ leased, result }): port.CompletionOutcome => {
      if (!log.state.holdsActivity(leased)) return { applied: false };
      writes.push(this.change(log, { op: 'complete', itemId: leased.item.id, result }));
      return { applied: true };
    });
    await Promise.all(writes);
    if (writes.length) this.notify({ kind: 'work' });
    return applied;
  }

  async abandonActivity(leased: port.LeasedActivity, visibleAt?: number): Promise<void> {
    (await this.read()).state.abandonActivity(leased, visibleAt);
    this.notify({ kind: 'work' });
  }

  async nextWakeTime(): Promise<number | undefined> {
    return (await this.read()).state.nextWakeTime();
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    const log = await this.read();
    const status = log.state.status(instanceId);
    if (status === undefined || !onlyIf.includes(status)) return 0;
    await this.change(log, { op: 'purge', instanceIds: [instanceId] });
    return 1;
  }

  async purgeInstances(filter: port.PurgeFilter): Promise<number> {
    const log = await this.read();
    const ids = log.state.purgeable(filter);
    if (ids.length) await this.change(log, { op: 'purge', instanceIds: ids });
    return ids.length;
  }

  subscribe(listener: (n: port.StoreNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a change to memory now (so later calls see it) and resolves when it is durable. */
  private change(log: HubLog, op: Parameters<HubLog['append']>[0]): Promise<void> {
    applyOp(log.state, op);
    return log.append(op);
  }

  private async read(): Promise<HubLog> {
    const log = await this.open();
    await log.durable();
    return log;
  }

  private notify(n: port.StoreNotification): void {
    for (const listener of this.listeners) listener(n);
  }
}
