/**
 * The faulted run's plan (activity failures, crashes, duplicate deliveries, rewind), and the
 * store wrapper that delivers chosen completions twice and keeps what the comparison needs
 * (histories replaced by continue-as-new, instance creations).
 * @module
 */
import { hashSeed } from '../../core/orchestration/determinism.js';
import { type EpisodeCommit, event, type HistoryEvent, type OrchestrationMessage, type Storage, type TaskHubStore } from '../../core/index.js';
import { type Program, programsOf, rng } from './program.js';

export interface FaultPlan {
  /** Activity name → attempts (1-based, per instance) that throw. */
  failures: Record<string, number[]>;
  /** The worker dies right after these durable writes (Simulation.crashAfterCommit). */
  crashes: number[];
  /** The n-th completion message (activity, sub-orchestration or timer result; 1-based) is delivered twice. */
  duplicates: number[];
  /** Failures may hit unprotected calls; a Failed root is then rewound with the faults off. */
  rewind: boolean;
}

export const NO_FAULTS: FaultPlan = { failures: {}, crashes: [], duplicates: [], rewind: false };

/**
 * A plan for `seed`. Without `rewind`, failures hit only calls that absorb them: a retry policy
 * gets fewer failing attempts than it allows, a catch-and-call-again gets one. Each call site's
 * choice depends on the seed and the site alone, so shrinking the program keeps the others.
 */
export function planFaults(program: Program, seed: number, rewind: boolean, oracle: { writes: number; completions: number }): FaultPlan {
  const failures: Record<string, number[]> = {};
  for (const p of programsOf(program).values())
    for (const s of p.steps)
      for (const site of s.t === 'all' ? s.items : [s]) {
        if (site.t !== 'act' && !(site.t === 'race' && site.against === 'act')) continue;
        const r = rng(hashSeed(`${seed}:A${site.id}`));
        if (r() > 0.35) continue;
        const retry = site.retry ?? 1;
        const fallback = site.t === 'act' && site.fallback;
        if (retry > 1) failures[`A${site.id}`] = distinct(r, retry - 1, retry + 1);
        else if (fallback || rewind) failures[`A${site.id}`] = [1 + Math.floor(r() * 2)];
      }
  const r = rng(hashSeed(`${seed}:plan`));
  const some = (max: number, upTo: number) => (upTo < 1 ? [] : distinct(r, Math.floor(r() * (max + 1)), upTo));
  return { failures, crashes: some(2, oracle.writes), duplicates: some(3, oracle.completions), rewind };
}

/** Up to `n` distinct numbers in 1..upTo, ascending. */
function distinct(r: () => number, n: number, upTo: number): number[] {
  const chosen = new Set<number>();
  for (let i = 0; i < n * 3 && chosen.size < n; i++) chosen.add(1 + Math.floor(r() * upTo));
  return [...chosen].sort((a, b) => a - b);
}

/** What the store saw: completions delivered (and duplicated), replaced executions, instance creations. */
export class StoreLog {
  completions = 0;
  duplicated = 0;
  /**
   * Executions that continue-as-new replaced: their stored history plus the results their last
   * episode consumed (continue-as-new drops that episode's events instead of appending them).
   */
  readonly archived: HistoryEvent[][] = [];
  /** Creations per instance ID (a retried sub-orchestration with a fixed ID is created again). */
  readonly creations = new Map<string, number>();
}

const COMPLETIONS = new Set(['TaskCompleted', 'TaskFailed', 'SubOrchestrationInstanceCompleted', 'SubOrchestrationInstanceFailed', 'TimerFired']);
const executionOf = (history: readonly HistoryEvent[]) => history.find((e) => e.type === 'ExecutionStarted')?.orchestrationInstance.executionId;

/** Wraps every task hub of `storage`: chosen completions are enqueued a second time right after they land. */
export function observedStorage(storage: Storage, duplicates: readonly number[], log: StoreLog): Storage {
  const hubs = new Map<string, TaskHubStore>();
  return {
    taskHub: (name) => {
      let hub = hubs.get(name);
      if (!hub) hubs.set(name, (hub = observe(storage.taskHub(name), new Set(duplicates), log)));
      return hub;
    },
    listTaskHubs: () => storage.listTaskHubs(),
    deleteTaskHub: (name) => storage.deleteTaskHub(name),
    close: () => storage.close?.() ?? Promise.resolve(),
  };
}

function observe(inner: TaskHubStore, duplicates: Set<number>, log: StoreLog): TaskHubStore {
  const created = (id: string) => log.creations.set(id, (log.creations.get(id) ?? 0) + 1);
  const sent = new Map<string, HistoryEvent>();
  const remember = (messages: readonly OrchestrationMessage[]) => {
    for (const m of messages) if (m.event.type === 'TaskCompleted') sent.set(m.id, m.event);
  };
  /** The replaced execution's history with the results its last episode consumed, each call completed once. */
  const archive = (old: HistoryEvent[], episode: EpisodeCommit, at: string) => {
    const done = new Set(old.flatMap((e) => (e.type === 'TaskCompleted' ? [e.taskScheduledId] : [])));
    const consumed = episode.consumedMessageIds.map((id) => sent.get(id)).filter((e) => e !== undefined);
    const direct = (episode.completesActivities?.activities ?? []).map((a) => event('TaskCompleted', at, { taskScheduledId: a.item.taskScheduledId }));
    const last = [...consumed, ...direct].filter((e) => e.type === 'TaskCompleted' && !done.has(e.taskScheduledId) && done.add(e.taskScheduledId));
    const episodeOf = (events: HistoryEvent[]): HistoryEvent[] =>
      events.length ? [event('OrchestratorStarted', at, {}), ...events, event('OrchestratorCompleted', at, {})] : [];
    log.archived.push([...old, ...episodeOf(last)]);
  };
  const delivered = async (messages: OrchestrationMessage[]) => {
    remember(messages);
    const copies: OrchestrationMessage[] = [];
    for (const m of messages) {
      if (!COMPLETIONS.has(m.event.type)) continue;
      if (duplicates.has(++log.completions)) copies.push({ ...m, id: `${m.id}-again` });
    }
    log.duplicated += copies.length;
    if (copies.length) await inner.enqueueMessages(copies);
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
        if (old && 'replace' in episode.history && executionOf(old) !== executionOf(episode.history.replace)) archive(old, episode, episode.instance.lastUpdatedTime);
        for (const n of episode.newInstances) created(n.record.instanceId);
        // Results recorded by the commit itself (eager dispatch) count as delivered, like queued ones.
        const recorded = episode.completesActivities
          ? ('append' in episode.history ? episode.history.append : []).filter((e) => e.type === 'TaskCompleted' || e.type === 'TaskFailed')
          : [];
        const direct = recorded.map((event, k) => ({
          id: `${episode.instanceId}-direct-${log.completions}-${k}`,
          instanceId: episode.instanceId,
          executionId: episode.instance.executionId,
          event,
          visibleAt: event.timestamp,
        }));
        await delivered([...direct, ...episode.messages]);
      }
      return outcomes;
    },
    async completeActivities(completions) {
      const outcomes = await inner.completeActivities(completions);
      await delivered(completions.filter((_, i) => outcomes[i]?.applied).map((c) => c.result));
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
