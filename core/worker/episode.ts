/**
 * Episodes: lease an instance's messages, run the executor (from the replay cache, or rebuilt
 * from history), and commit the new history, status and outgoing work in one atomic,
 * version-checked commit. A lost race or crash commits nothing; the lease lapses and the
 * messages are delivered again, so effects are committed exactly once.
 * @module
 */
import { isoTime } from '../clock.js';
import { toFailureDetails } from '../errors.js';
import { type ExecutionReset, event, type HistoryEvent, isTerminal } from '../history.js';
import { type EpisodeResult, OrchestrationExecutor } from '../orchestration/executor.js';
import { locateNonDeterminism } from '../orchestration/replay-check.js';
import { rebaseTimers, resetCut, resetHistory, resetPositionValid } from '../orchestration/reset.js';
import { type ChildFacts, childrenToCheck, planRewind } from '../orchestration/rewind.js';
import type { CommitOutcome, EpisodeCommit, InstanceRecord, LeasedActivity, OrchestrationMessage, OrchestrationWorkItem } from '../store/port.js';
import { instanceRecord } from '../store/record.js';
import { buildCommit, type ChildRecord, type Children, NO_CHILDREN } from './commit.js';
import type { Dispatch, WorkerContext } from './context.js';

interface CachedOrchestration {
  executor: OrchestrationExecutor;
  record: InstanceRecord;
}

/** An episode that only applied duplicates or stale completions: nothing happened, so none is recorded. */
const isIdle = (result: EpisodeResult, instance: InstanceRecord): boolean =>
  result.applied.length === 1 && result.actions.length === 0 && !result.outcome && result.customStatus === instance.customStatus;

export class EpisodeRunner {
  /** The replay cache: running orchestrators by instance ID, least recently used first. */
  private readonly cache = new Map<string, CachedOrchestration>();
  /** Instances whose commit is in flight, with the episodes waiting for it to settle. */
  private readonly settling = new Map<string, (() => void)[]>();

  constructor(
    private readonly context: WorkerContext,
    private readonly dispatch: Dispatch,
  ) {}

  /** Forgets every cached orchestrator, as a fresh process would. */
  clearCache(): void {
    this.cache.clear();
  }

  /** Resolves to whether every piece of follow-up work went on by eager dispatch (see `track`). */
  async run(item: OrchestrationWorkItem): Promise<boolean> {
    const { store, clock } = this.context;
    // The store releases the instance when the commit lands, before this worker has updated
    // its cache; an episode that leased it meanwhile waits for that update.
    const taken = this.acquire(item.instanceId);
    const gate = taken instanceof Promise ? await taken : taken;
    const now = clock.now();
    try {
      // A cached orchestrator knows its row as of its last commit. A commit's version check
      // catches a stale row; anything this episode drops without committing is checked first.
      const cached = this.cache.get(item.instanceId)?.record;
      const instance = cached ?? (await store.getInstance(item.instanceId));
      const ids = item.messages.map((m) => m.id);
      const discard = async (): Promise<void> => {
        if (cached) {
          const fresh = await store.getInstance(item.instanceId);
          if (fresh?.version !== cached.version || fresh.executionId !== cached.executionId) {
            // Another worker moved the instance on: forget what this one knew and look again.
            this.cache.delete(item.instanceId);
            await store.abandonOrchestration(item);
            return;
          }
        }
        await store.discardMessages(item, ids);
      };
      if (!instance) {
        await discard();
        return false;
      }
      // The episode's events: messages for this execution (or for none in particular), rewinds aside.
      const { executionId } = instance;
      const events: HistoryEvent[] = [{ type: 'OrchestratorStarted', eventId: -1, timestamp: isoTime(now) }];
      let rewind: OrchestrationMessage | undefined;
      let reset: OrchestrationMessage | undefined;
      // Results addressed to an older execution are stale, unless for a sub-orchestration this one adopted (see below).
      let older: OrchestrationMessage[] | undefined;
      for (const m of item.messages) {
        if (m.executionId && m.executionId !== executionId) {
          if (m.event.type === 'SubOrchestrationInstanceCompleted' || m.event.type === 'SubOrchestrationInstanceFailed') (older ??= []).push(m);
          continue;
        }
        if (m.event.type === 'ExecutionRewound') rewind ??= m;
        else if (m.event.type === 'ExecutionReset') reset ??= m;
        else events.push(m.event);
      }
      // A reset applies to any started instance; a fork's reset is what starts it.
      if (reset?.event.type === 'ExecutionReset' && (instance.runtimeStatus !== 'Pending' || reset.event.source)) {
        await this.reset(instance, item, reset, reset.event, now);
        return false;
      }
      if (isTerminal(instance.runtimeStatus)) {
        if (rewind && instance.runtimeStatus === 'Failed') await this.rewind(instance, item, rewind, now);
        else await discard();
        return false;
      }
      const executor = events.length > 1 || older ? await this.executorFor(instance) : undefined;
      for (const m of older ?? []) {
        const { event: e } = m;
        if (
          (e.type === 'SubOrchestrationInstanceCompleted' || e.type === 'SubOrchestrationInstanceFailed') &&
          executor!.adopts(m.executionId!, e.taskScheduledId)
        )
          events.push(e);
      }
      // A rewind that finds the instance no longer failed has nothing to do.
      if (!executor || events.length === 1) {
        await discard();
        return false;
      }
      const result = executor.run(events);
      if (result.outcome?.status === 'Failed' && result.outcome.failureDetails.errorType === 'NonDeterminismError') {
        const history = [...(await store.getHistory(instance.instanceId)), ...events];
        result.outcome = {
          status: 'Failed',
          failureDetails: locateNonDeterminism(this.context.app, instance.instanceId, history, result.outcome.failureDetails),
        };
      }
      if (isIdle(result, instance)) {
        await discard();
        return false;
      }
      const found = this.childrenOf(item.instanceId, result);
      const children = found instanceof Promise ? await found : found;
      const episode = buildCommit({ instance, lease: item.lease, consumed: ids, orchestration: executor, result, now, children, newId: this.context.newId });
      const handedOn = await this.commitEpisode(episode, executor, result);
      if (handedOn === undefined) {
        await store.abandonOrchestration(item);
        return false;
      }
      return handedOn;
    } catch (error) {
      this.cache.delete(item.instanceId);
      await store.abandonOrchestration(item, now + 1000).catch(() => undefined);
      throw error;
    } finally {
      this.release(item.instanceId, gate);
    }
  }

  /**
   * Records an activity's result in an episode of its instance directly, in one commit that
   * also completes the activity, when this worker has the instance's orchestrator in memory and
   * the result is the one thing the orchestrator waits for from an activity (a sequence of
   * steps, not a fan-out, whose results are better taken together). Resolves to undefined when
   * it does not apply or the store refuses (a message for the instance came first, the instance
   * moved on elsewhere, or the activity's lease was lost): the result then goes the usual way.
   */
  async recordDirectly(leased: LeasedActivity, message: OrchestrationMessage): Promise<boolean | undefined> {
    const { instanceId, executionId } = leased.item;
    const wanted = (cached: CachedOrchestration | undefined): cached is CachedOrchestration =>
      cached?.record.executionId === executionId && cached.executor.openActivityCount === 1;
    // The episode that scheduled this activity may still be settling (the activity came from the queue meanwhile): wait for it.
    if (!this.settling.has(instanceId) && !wanted(this.cache.get(instanceId))) return undefined;
    // With every episode slot taken, wait for one: cheaper than the queue's round trip (a completion, a lease, an episode).
    const slots = this.context.episodeSlots;
    const slot = slots.wait();
    if (slot) await slot;
    const taken = this.acquire(instanceId);
    const gate = taken instanceof Promise ? await taken : taken;
    try {
      const cached = this.cache.get(instanceId);
      if (!wanted(cached)) return undefined;
      const { executor, record } = cached;
      const now = this.context.clock.now();
      const result = executor.run([{ type: 'OrchestratorStarted', eventId: -1, timestamp: isoTime(now) }, message.event]);
      if (isIdle(result, record)) {
        this.cache.delete(instanceId);
        return undefined;
      }
      const found = this.childrenOf(instanceId, result);
      const children = found instanceof Promise ? await found : found;
      const episode = buildCommit({
        instance: record,
        lease: undefined,
        consumed: [],
        orchestration: executor,
        result,
        now,
        children,
        newId: this.context.newId,
      });
      episode.completesActivities = { now, activities: [leased] };
      return await this.commitEpisode(episode, executor, result);
    } catch (error) {
      this.cache.delete(instanceId);
      throw error;
    } finally {
      slots.release();
      this.release(instanceId, gate);
    }
  }

  /**
   * Marks an instance's episode in flight in this worker, once the one before it has settled (see
   * `run`). Usually nothing is in flight: then it returns the gate without a promise.
   */
  private acquire(instanceId: string): (() => void)[] | Promise<(() => void)[]> {
    if (!this.settling.has(instanceId)) return this.hold(instanceId);
    return (async () => {
      for (let waiting: (() => void)[] | undefined; (waiting = this.settling.get(instanceId)); ) {
        const queue = waiting;
        await new Promise<void>((resolve) => {
          queue.push(resolve);
        });
      }
      return this.hold(instanceId);
    })();
  }

  private hold(instanceId: string): (() => void)[] {
    const gate: (() => void)[] = [];
    this.settling.set(instanceId, gate);
    return gate;
  }

  private release(instanceId: string, gate: (() => void)[]): void {
    if (this.settling.get(instanceId) === gate) this.settling.delete(instanceId);
    for (const resume of gate) resume();
  }

  /**
   * Commits an episode, taking the activities it schedules eagerly up to the free slots (reserved
   * meanwhile), and starts them. Resolves to undefined if the store refused the commit, else to
   * whether all of the episode's follow-up work went on eagerly (see `track`).
   */
  private async commitEpisode(episode: EpisodeCommit, executor: OrchestrationExecutor, result: EpisodeResult): Promise<boolean | undefined> {
    const { activitySlots, clock, settings } = this.context;
    const eager = this.context.stopped ? 0 : Math.min(episode.activities.length, activitySlots.free);
    if (eager > 0) {
      episode.leaseActivities = { now: clock.now(), lockMs: settings.activityLockMs, max: eager };
      activitySlots.take(eager);
    }
    let outcome: CommitOutcome;
    try {
      outcome = await this.context.commit(episode);
    } finally {
      if (eager > 0) activitySlots.release(eager);
    }
    // From here to starting the leased activities, nothing awaits: their slots pass from the reservation to them.
    this.remember(episode, executor, result, outcome);
    if (!outcome.ok) return undefined;
    const leased = outcome.leasedActivities ?? [];
    for (const activity of leased) this.dispatch.startActivity(activity);
    return leased.length > 0 && leased.length === episode.activities.length && episode.messages.length === 0 && episode.newInstances.length === 0;
  }

  private async executorFor(instance: InstanceRecord): Promise<OrchestrationExecutor> {
    const cached = this.cache.get(instance.instanceId);
    if (cached && cached.record.version === instance.version && cached.record.executionId === instance.executionId) {
      // LRU: most recently used last.
      this.cache.delete(instance.instanceId);
      this.cache.set(instance.instanceId, cached);
      return cached.executor;
    }
    this.cache.delete(instance.instanceId);
    const executor = new OrchestrationExecutor(this.context.app, instance.instanceId);
    // Version 1 is an instance no episode has committed to yet: its history is empty, no read needed.
    if (instance.version > 1) executor.replay(await this.context.store.getHistory(instance.instanceId));
    return executor;
  }

  private remember(episode: EpisodeCommit, executor: OrchestrationExecutor, result: EpisodeResult, outcome: CommitOutcome): void {
    const limit = this.context.settings.replayCache;
    // An executor learns of adoptions from history: one that adopted a child is rebuilt next time.
    const adopted =
      'append' in episode.history && episode.history.append.some((e) => e.type === 'SubOrchestrationInstanceCreated' && e.adoptedFrom !== undefined);
    if (!outcome.ok || limit === false || result.outcome || adopted) {
      this.cache.delete(episode.instanceId);
      return;
    }
    executor.confirm();
    this.cache.set(episode.instanceId, { executor, record: instanceRecord(episode.instance, outcome.version) });
    if (this.cache.size > limit) this.cache.delete(this.cache.keys().next().value!);
  }

  /**
   * The instances an episode's new sub-orchestrations would take over, as they are now (read only
   * when there are any); for a running one that is `parentId`'s, whom it reports to (see `Children`).
   */
  private childrenOf(parentId: string, result: EpisodeResult): Children | Promise<Children> {
    let ids: string[] | undefined;
    for (const a of result.actions) if (a.type === 'CreateSubOrchestration') (ids ??= []).push(a.instanceId);
    if (!ids) return NO_CHILDREN;
    const { store } = this.context;
    const read = async (id: string): Promise<readonly [string, ChildRecord | undefined]> => {
      const child = await store.getInstance(id);
      if (!child || isTerminal(child.runtimeStatus) || child.parentInstanceId !== parentId) return [id, child];
      const started = (await store.getHistory(id)).find((e) => e.type === 'ExecutionStarted');
      return [id, { ...child, reportsTo: started?.type === 'ExecutionStarted' ? started.parentInstance : undefined }];
    };
    return Promise.all(ids.map(read)).then((found) => new Map(found));
  }

  /**
   * Reopens a failed instance (see rewind.ts): what the failure led to is retired from its
   * history, failed children are rewound in turn, and the orchestrator runs again from there,
   * with the events that reached the instance alongside the rewind.
   */
  private async rewind(instance: InstanceRecord, item: OrchestrationWorkItem, message: OrchestrationMessage, now: number): Promise<void> {
    const { app, store, newId } = this.context;
    const at = isoTime(now);
    const reason = message.event.type === 'ExecutionRewound' ? message.event.reason : undefined;
    const past = await store.getHistory(instance.instanceId);
    const arrived = item.messages
      .filter((m) => m !== message && m.event.type !== 'ExecutionRewound' && (!m.executionId || m.executionId === instance.executionId))
      .map((m) => m.event);
    const children = new Map<string, ChildFacts>();
    for (const id of childrenToCheck(past)) {
      const child = await store.getInstance(id);
      if (!child) continue;
      const started = (await store.getHistory(id)).find((e) => e.type === 'ExecutionStarted');
      const parent = started?.type === 'ExecutionStarted' ? started.parentInstance : undefined;
      children.set(id, { status: child.runtimeStatus, output: child.output, reportsTo: parent });
    }
    const { history, events, failedChildren } = planRewind(app, instance.instanceId, past, { children, arrived, reason, now: at });
    const reopened = { ...instance, runtimeStatus: 'Running' as const, failureDetails: undefined, output: undefined, completedTime: undefined };
    const messages = failedChildren.map((child) => ({ id: newId(), instanceId: child, visibleAt: at, event: event('ExecutionRewound', at, { reason }) }));
    await this.reopen(reopened, item, history, events, now, messages);
  }

  /**
   * Commits an episode that runs the orchestrator on from a rewritten `history` (a rewind's, a
   * reset's) with `events`, replacing the instance's history, and sends `messages` with it.
   * `adjust` sees the episode's actions before they are committed.
   */
  private async reopen(
    instance: InstanceRecord,
    item: OrchestrationWorkItem,
    history: HistoryEvent[],
    events: HistoryEvent[],
    now: number,
    messages: OrchestrationMessage[],
    adjust?: (result: EpisodeResult, executor: OrchestrationExecutor) => void,
  ): Promise<void> {
    const { app, store, newId } = this.context;
    const executor = new OrchestrationExecutor(app, instance.instanceId);
    executor.replay(history);
    const result = executor.run([event('OrchestratorStarted', isoTime(now), {}), ...events]);
    adjust?.(result, executor);
    const episode = buildCommit({
      instance,
      lease: item.lease,
      consumed: item.messages.map((m) => m.id),
      orchestration: executor,
      result,
      now,
      children: await this.childrenOf(instance.instanceId, result),
      newId,
    });
    const applied = 'append' in episode.history ? episode.history.append : [];
    episode.history = { replace: [...history, ...applied] };
    episode.messages.push(...messages);
    this.cache.delete(instance.instanceId);
    const outcome = await this.context.commit(episode);
    if (!outcome.ok) await store.abandonOrchestration(item);
  }

  /**
   * Takes an execution back to a row of its history (see reset.ts), or builds a fork from its
   * source's, and runs the orchestrator on from there under the new execution. Results of the
   * old execution are stale from then on; raised and control events that came meanwhile apply.
   */
  private async reset(instance: InstanceRecord, item: OrchestrationWorkItem, message: OrchestrationMessage, order: ExecutionReset, now: number): Promise<void> {
    const { store, newId } = this.context;
    const at = isoTime(now);
    const fork = order.source !== undefined;
    const source = fork ? await store.getInstance(order.source!.instanceId) : instance;
    const wanted = order.source?.executionId ?? instance.executionId;
    const past = source?.executionId === wanted ? await store.getHistory(source.instanceId) : [];
    if (!resetPositionValid(order.position, past.length) || !resetCut(past, order.position)) {
      if (fork) await this.failFork(instance, item, order, past.length, now);
      else
        await store.discardMessages(
          item,
          item.messages.map((m) => m.id),
        );
      return;
    }
    const executionId = fork ? instance.executionId : newId(`${instance.executionId}/reset/${message.id}`);
    const { history, redeliver } = resetHistory(past, { instanceId: instance.instanceId, executionId, fork, order, now: at });
    // Results of the old execution are stale; events raised and control operations sent meanwhile apply.
    const arrived = item.messages
      .filter((m) => m !== message && ['EventRaised', 'ExecutionSuspended', 'ExecutionResumed', 'ExecutionTerminated'].includes(m.event.type))
      .map((m) => m.event);
    const reopened: InstanceRecord = {
      ...instance,
      executionId,
      runtimeStatus: 'Running',
      parentInstanceId: fork ? undefined : instance.parentInstanceId,
      failureDetails: undefined,
      output: undefined,
      completedTime: undefined,
      customStatus: undefined,
    };
    const messages = redeliver.map((e) => ({ id: newId(), instanceId: instance.instanceId, visibleAt: at, event: { ...e, timestamp: at } }));
    await this.reopen(reopened, item, history, arrived, now, messages, (result, executor) =>
      rebaseTimers(result.actions, (id) => executor.timerIssuedAt(id), now),
    );
  }

  /** A fork whose source moved on (another execution, fewer rows, gone) before it ran: it fails, saying so. */
  private async failFork(instance: InstanceRecord, item: OrchestrationWorkItem, order: ExecutionReset, rows: number, now: number): Promise<void> {
    const at = isoTime(now);
    const source = order.source!;
    const error = new Error(
      `Cannot fork instance '${source.instanceId}' at row ${order.position}: it has moved on to another execution or has ${rows} history rows now.`,
    );
    const episode = buildCommit({
      instance,
      lease: item.lease,
      consumed: item.messages.map((m) => m.id),
      orchestration: { started: undefined, openSubOrchestrations: () => [] },
      result: {
        applied: [event('OrchestratorStarted', at, {})],
        actions: [],
        outcome: { status: 'Failed', failureDetails: toFailureDetails(error) },
        customStatus: undefined,
        suspended: false,
      },
      now,
      children: NO_CHILDREN,
      newId: this.context.newId,
    });
    const outcome = await this.context.commit(episode);
    if (!outcome.ok) await this.context.store.abandonOrchestration(item);
  }
}
