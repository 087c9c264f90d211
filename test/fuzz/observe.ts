/**
 * The store as the fuzzer sees it: a wrapper under the simulator's crash layer that delivers
 * chosen completions twice, asks for a crash after chosen writes, and keeps what the comparison
 * needs (the executions continue-as-new replaced, instance creations).
 * @module
 */
import { type EpisodeCommit, event, type HistoryEvent, type OrchestrationMessage, type Storage, type TaskHubStore } from '../../core/index.js';
import type { FaultPlan } from './faults.js';

export class StoreLog {
  /** Every applied durable write, as `instanceId#n` (the instance's n-th), in order. */
  readonly writeKeys: string[] = [];
  /** Every completion message delivered, as `instanceId|type|id#n`, in order. */
  readonly completionKeys: string[] = [];
  duplicated = 0;
  /**
   * Executions that continue-as-new replaced: their stored history plus the results their last
   * episode consumed (continue-as-new drops that episode's events instead of appending them),
   * with the creation of the instance they belong to.
   */
  readonly archived: { instanceId: string; creation: number; history: HistoryEvent[] }[] = [];
  /** Creations per instance ID (a retried sub-orchestration with a fixed ID is created again). */
  readonly creations = new Map<string, number>();

  /** The replaced executions of each instance's last creation (a re-created instance starts over). */
  currentArchives(): HistoryEvent[][] {
    return this.archived.filter((a) => a.creation === this.creations.get(a.instanceId)).map((a) => a.history);
  }
}

const COMPLETIONS = new Set(['TaskCompleted', 'TaskFailed', 'SubOrchestrationInstanceCompleted', 'SubOrchestrationInstanceFailed', 'TimerFired']);
const completedId = (e: HistoryEvent) => (e.type === 'TimerFired' ? e.timerId : 'taskScheduledId' in e ? e.taskScheduledId : -1);

const count = (counts: Map<string, number>, key: string): number => {
  const n = (counts.get(key) ?? 0) + 1;
  counts.set(key, n);
  return n;
};

export interface Hooks {
  /** Called right after a write the plan names, before the simulator's crash layer counts it (Simulation.crashAfterCommit(commits + 1)). */
  crash(): void;
  /** Called when a commit leaves an instance Failed. */
  failed(instanceId: string): void;
}

/** Wraps every task hub of `storage`. */
export function observedStorage(storage: Storage, plan: FaultPlan, log: StoreLog, hooks: Hooks): Storage {
  const hubs = new Map<string, TaskHubStore>();
  return {
    taskHub: (name) => {
      let hub = hubs.get(name);
      if (!hub) hubs.set(name, (hub = observe(storage.taskHub(name), plan, log, hooks)));
      return hub;
    },
    listTaskHubs: () => storage.listTaskHubs(),
    deleteTaskHub: (name) => storage.deleteTaskHub(name),
    close: () => storage.close?.() ?? Promise.resolve(),
  };
}

function observe(inner: TaskHubStore, plan: FaultPlan, log: StoreLog, hooks: Hooks): TaskHubStore {
  const [duplicates, crashes] = [new Set(plan.duplicates), new Set(plan.crashes)];
  const writes = new Map<string, number>();
  const completions = new Map<string, number>();
  const sent = new Map<string, HistoryEvent>();

  const written = (instanceId: string) => {
    const key = `${instanceId}#${count(writes, instanceId)}`;
    log.writeKeys.push(key);
    if (crashes.has(key)) hooks.crash();
  };
  const created = (id: string) => count(log.creations, id);
  const remember = (messages: readonly OrchestrationMessage[]) => {
    for (const m of messages) if (m.event.type === 'TaskCompleted') sent.set(m.id, m.event);
  };
  const delivered = async (messages: OrchestrationMessage[]) => {
    remember(messages);
    const copies: OrchestrationMessage[] = [];
    for (const m of messages) {
      if (!COMPLETIONS.has(m.event.type)) continue;
      const base = `${m.instanceId}|${m.event.type}|${completedId(m.event)}`;
      const key = `${base}#${count(completions, base)}`;
      log.completionKeys.push(key);
      if (duplicates.has(key)) copies.push({ ...m, id: `${m.id}-again` });
    }
    log.duplicated += copies.length;
    if (copies.length) await inner.enqueueMessages(copies);
  };
  /** The replaced execution's history with the results its last episode consumed, each call completed once. */
  const archive = (old: HistoryEvent[], episode: EpisodeCommit) => {
    const at = episode.instance.lastUpdatedTime;
    const done = new Set(old.flatMap((e) => (e.type === 'TaskCompleted' ? [e.taskScheduledId] : [])));
    const consumed = episode.consumedMessageIds.map((id) => sent.get(id)).filter((e) => e !== undefined);
    const direct = (episode.completesActivities?.activities ?? []).map((a) => event('TaskCompleted', at, { taskScheduledId: a.item.taskScheduledId }));
    const last = [...consumed, ...direct].filter((e) => e.type === 'TaskCompleted' && !done.has(e.taskScheduledId) && done.add(e.taskScheduledId));
    const closing = last.length ? [event('OrchestratorStarted', at, {}), ...last, event('OrchestratorCompleted', at, {})] : [];
    log.archived.push({ instanceId: episode.instanceId, creation: log.creations.get(episode.instanceId) ?? 0, history: [...old, ...closing] });
  };

  const overrides: Partial<TaskHubStore> = {
    async enqueueMessages(messages) {
      remember(messages);
      return inner.enqueueMessages(messages);
    },
    async createInstance(instance) {
      const record = await inner.createInstance(instance);
      created(instance.record.instanceId);
      return record;
    },
    async commit(episodes) {
      const before = await Promise.all(episodes.map((e) => ('replace' in e.history ? inner.getHistory(e.instanceId) : undefined)));
      const outcomes = await inner.commit(episodes);
      for (const [i, episode] of episodes.entries()) {
        if (!outcomes[i]?.ok) continue;
        const old = before[i];
        // Continue-as-new replaces the history with nothing (the next execution starts from a message); a rewind or reset keeps a prefix.
        if (old && 'replace' in episode.history && episode.history.replace.length === 0) archive(old, episode);
        for (const n of episode.newInstances) created(n.record.instanceId);
        // Results recorded by the commit itself (eager dispatch) count as delivered, like queued ones.
        const direct = (episode.completesActivities && 'append' in episode.history ? episode.history.append : [])
          .filter((e) => e.type === 'TaskCompleted' || e.type === 'TaskFailed')
          .map((e, k) => ({
            id: `${episode.instanceId}-direct-${k}-${e.timestamp}`,
            instanceId: episode.instanceId,
            executionId: episode.instance.executionId,
            event: e,
            visibleAt: e.timestamp,
          }));
        await delivered([...direct, ...episode.messages]);
        written(episode.instanceId);
        if (episode.instance.runtimeStatus === 'Failed') hooks.failed(episode.instanceId);
      }
      return outcomes;
    },
    async completeActivities(batch) {
      const outcomes = await inner.completeActivities(batch);
      const applied = batch.filter((_, i) => outcomes[i]?.applied);
      await delivered(applied.map((c) => c.result));
      for (const c of applied) written(c.leased.item.instanceId);
      return outcomes;
    },
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const own = overrides[prop as keyof TaskHubStore];
      if (own) return own;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
