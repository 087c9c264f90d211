/**
 * One task hub on KV: port operations check and change the in-memory state, then wait
 * until the log holds the change. Reads and leases first wait for earlier changes to be
 * durable, so nothing a crash could undo is ever shown or handed out.
 * @module
 */
import { isTerminal, type HistoryEvent, type RuntimeStatus } from '../../history.js';
import { instanceRecord } from '../record.js';
import type {
  ActivityCompletion, CompletionOutcome, CommitOutcome, EpisodeCommit, InstancePage, InstanceQuery, InstanceRecord, LeasedActivity, NewInstance,
  OrchestrationMessage, OrchestrationWorkItem, PurgeFilter, StoreNotification, TaskHubStore,
} from '../port.js';
import type { HubLog } from './log.js';
import type { LogOp } from './state.js';

export class KvTaskHub implements TaskHubStore {
  private readonly listeners = new Set<(n: StoreNotification) => void>();

  constructor(readonly taskHub: string, private readonly open: () => Promise<HubLog>) {}

  async createInstance({ record, start }: NewInstance): Promise<InstanceRecord> {
    const log = await this.open();
    log.state.checkCreate(record.instanceId);
    const created = instanceRecord(record, 1);
    await this.change(log, { op: 'create', record: created, start });
    this.notify({ kind: 'work' });
    this.notify({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
    return { ...created };
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    return (await this.read()).state.getInstance(instanceId);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return (await this.read()).state.getHistory(instanceId);
  }

  async queryInstances(query: InstanceQuery): Promise<InstancePage> {
    return (await this.read()).state.query(query);
  }

  async enqueueMessages(messages: OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.change(await this.open(), { op: 'enqueue', messages });
    this.notify({ kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    return (await this.read()).state.leaseOrchestration(now, lockMs);
  }

  async abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    const { state } = await this.read();
    if (!state.release(workItem.instanceId, workItem.lease)) return;
    if (visibleAt !== undefined) state.delay(workItem.instanceId, workItem.messages.map((m) => m.id), visibleAt);
    this.notify({ kind: 'work' });
  }

  async commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    const log = await this.open();
    const outcomes: CommitOutcome[] = [];
    const writes: Promise<void>[] = [];
    const changed: InstanceRecord[] = [];
    for (const e of episodes) {
      const error = log.state.checkEpisode(e);
      if (error) { outcomes.push({ ok: false, error }); continue; }
      const { lease, completesActivities, ...episode } = e;
      const previous = log.state.getInstance(episode.instanceId)!;
      const version = episode.expectedVersion + 1;
      // The slot carries what replay needs to delete the completed activities, not their leases or inputs.
      const completedActivityIds = completesActivities?.activities.map((a) => a.item.id);
      const op: LogOp = completedActivityIds ? { op: 'commit', episode, version, completedActivityIds } : { op: 'commit', episode, version };
      log.state.apply(op);
      log.state.release(episode.instanceId, lease);
      writes.push(log.append(op));
      outcomes.push({ ok: true, version });
      if (previous.runtimeStatus !== episode.instance.runtimeStatus || isTerminal(episode.instance.runtimeStatus)) changed.push({ ...episode.instance, version });
      for (const child of episode.newInstances) changed.push({ ...child.record, version: 1 });
    }
    await Promise.all(writes);
    this.notify({ kind: 'work' });
    for (const r of changed) this.notify({ kind: 'instance', instanceId: r.instanceId, runtimeStatus: r.runtimeStatus });
    return outcomes;
  }

  async discardMessages(workItem: OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    const log = await this.open();
    const write = this.change(log, { op: 'discard', instanceId: workItem.instanceId, messageIds });
    log.state.release(workItem.instanceId, workItem.lease);
    await write;
  }

  async leaseActivity(now: number, lockMs: number): Promise<LeasedActivity | undefined> {
    return (await this.read()).state.leaseActivity(now, lockMs);
  }

  async completeActivities(completions: ActivityCompletion[]): Promise<CompletionOutcome[]> {
    const log = await this.open();
    const writes: Promise<void>[] = [];
    const applied = completions.map(({ leased, result }): CompletionOutcome => {
      if (!log.state.holdsActivity(leased)) return { applied: false };
      writes.push(this.change(log, { op: 'complete', itemId: leased.item.id, result }));
      return { applied: true };
    });
    await Promise.all(writes);
    if (writes.length) this.notify({ kind: 'work' });
    return applied;
  }

  async abandonActivity(leased: LeasedActivity, visibleAt?: number): Promise<void> {
    (await this.read()).state.abandonActivity(leased, visibleAt);
    this.notify({ kind: 'work' });
  }

  async nextWakeTime(): Promise<number | undefined> {
    return (await this.read()).state.nextWakeTime();
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    const log = await this.read();
    const record = log.state.getInstance(instanceId);
    if (!record || !onlyIf.includes(record.runtimeStatus)) return 0;
    await this.change(log, { op: 'purge', instanceIds: [instanceId] });
    return 1;
  }

  async purgeInstances(filter: PurgeFilter): Promise<number> {
    const log = await this.read();
    const ids = log.state.purgeable(filter);
    if (ids.length) await this.change(log, { op: 'purge', instanceIds: ids });
    return ids.length;
  }

  subscribe(listener: (n: StoreNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a change to memory now (so later calls see it) and resolves when it is durable. */
  private change(log: HubLog, op: Parameters<HubLog['append']>[0]): Promise<void> {
    log.state.apply(op);
    return log.append(op);
  }

  private async read(): Promise<HubLog> {
    const log = await this.open();
    await log.durable();
    return log;
  }

  private notify(n: StoreNotification): void {
    for (const listener of this.listeners) listener(n);
  }
}
