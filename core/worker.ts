/**
 * The worker runs episodes and activities against a task hub's store.
 *
 * - Episodes: lease an instance's messages, run the executor (from the replay cache, or
 *   rebuilt from history), and commit the new history, status and outgoing work in one
 *   atomic, version-checked commit. A lost race or crash commits nothing; the lease lapses
 *   and the messages are delivered again, so effects are committed exactly once.
 * - Activities run at least once: a worker that dies mid-activity leaves the lease to lapse.
 * @module
 */
import type { ActivityContext, DurableApp } from './app.js';
import { groupCommit } from './worker/batcher.js';
import { isoTime, systemClock, type Clock } from './clock.js';
import { InstanceAlreadyExistsError, toFailureDetails, UnknownActivityError } from './errors.js';
import { event, isTerminal, type HistoryEvent } from './history.js';
import { uniqueId } from './ids.js';
import { serialize } from './json.js';
import { OrchestrationExecutor, type EpisodeResult } from './orchestration/executor.js';
import { rewindHistory } from './orchestration/rewind.js';
import { Slots } from './worker/slots.js';
import { instanceRecord, type InstanceRow } from './store/record.js';
import { leaseActivities, leaseOrchestrations } from './worker/lease-many.js';
import type {
  ActivityCompletion, ActivityWorkItem, CommitOutcome, CompletionOutcome, EpisodeCommit, InstanceRecord, LeasedActivity, NewInstance,
  Lease, OrchestrationMessage, OrchestrationWorkItem, TaskHubStore,
} from './store/port.js';

/** An episode that only applied duplicates or stale completions: nothing happened, so none is recorded. */
/** The rows of the instances an episode's sub-orchestrations would take over, by ID. */
type Children = ReadonlyMap<string, InstanceRecord | undefined>;
const NO_CHILDREN: Children = new Map();

const isIdle = (result: EpisodeResult, instance: InstanceRecord): boolean =>
  result.applied.length === 1 && result.actions.length === 0 && !result.outcome && result.customStatus === instance.customStatus;

export interface WorkerOptions {
  clock?: Clock;
  /** Episodes in flight at once. Default 64. */
  maxConcurrentOrchestrations?: number;
  /** Activities in flight at once. Default 64. */
  maxConcurrentActivities?: number;
  /** How long an episode may hold its instance. Default 30 s. */
  orchestrationLockMs?: number;
  /** How long an activity may run before it is delivered again. Default 5 min. */
  activityLockMs?: number;
  /**
   * Running orchestrators kept in memory, so a new event does not replay the history.
   * `false` is strict mode: every episode replays from history, surfacing non-determinism early.
   * Default 1000.
   */
  replayCache?: number | false;
  /** Idle polling for stores without notifications. Default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * Source of message, work-item and execution IDs; inject a deterministic one for reproducible
   * histories. Execution IDs are asked for with `derivedFrom`, a key unique to what the ID names
   * (the parent execution and task), so that a deterministic source can give them independently
   * of the order in which concurrent episodes run.
   */
  newId?: (derivedFrom?: string) => string;
  onError?: (error: unknown) => void;
}

interface CachedOrchestration { executor: OrchestrationExecutor; record: InstanceRecord }

/**
 * Most work items one lease call asks for. A store with batch leasing takes them in one
 * transaction; each lease on its own costs one (the bottleneck on IndexedDB).
 */
const LEASE_BATCH = 32;
/**
 * Lock time per item of a batch. Leasing a batch at once makes the worker take work faster
 * than it finishes it under load; with a lock shorter than that work, every lease lapses and
 * is taken over again before its episode commits (two workers on 20 ms leases livelock). So
 * the batch shrinks with the lock: 32 at the defaults, one item per call below 100 ms.
 */
const LOCK_MS_PER_BATCHED_ITEM = 50;
const batchFor = (lockMs: number) => Math.max(1, Math.min(LEASE_BATCH, Math.floor(lockMs / LOCK_MS_PER_BATCHED_ITEM)));


export class Worker {
  private readonly clock: Clock;
  private readonly options: Required<Omit<WorkerOptions, 'clock' | 'onError' | 'newId'>> & Pick<WorkerOptions, 'onError'>;
  private readonly cache = new Map<string, CachedOrchestration>();
  /** Instances whose commit is in flight, with the episodes waiting for it to settle. */
  private readonly settling = new Map<string, (() => void)[]>();
  private readonly commit: (episode: EpisodeCommit) => Promise<CommitOutcome>;
  private readonly complete: (completion: ActivityCompletion) => Promise<CompletionOutcome>;
  /** Episodes and activities running now, and those waiting for the next of them to end. */
  private tasks = 0;
  private readonly taskEndWaiters: (() => void)[] = [];
  private readonly episodes: Slots;
  private readonly activities: Slots;
  private running = false;
  /** Whether the last fill stopped at the concurrency limits. */
  private saturated = false;
  /** Set by `stop()`: no more eager leases (background or `runUntilIdle`). */
  private stopped = false;
  private loopDone: Promise<void> | undefined;
  private dirty = true;
  private wakeResolve: (() => void) | undefined;
  /** The one armed wake-up timer (see `armTimer`). */
  private timer: { at: number; cancel: () => void } | undefined;
  private readonly newId: (derivedFrom?: string) => string;

  constructor(private readonly app: DurableApp, readonly store: TaskHubStore, options: WorkerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? uniqueId;
    this.options = {
      maxConcurrentOrchestrations: options.maxConcurrentOrchestrations ?? 64,
      maxConcurrentActivities: options.maxConcurrentActivities ?? 64,
      orchestrationLockMs: options.orchestrationLockMs ?? 30_000,
      activityLockMs: options.activityLockMs ?? 300_000,
      replayCache: options.replayCache ?? 1000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      onError: options.onError,
    };
    this.episodes = new Slots(this.options.maxConcurrentOrchestrations);
    this.activities = new Slots(this.options.maxConcurrentActivities);
    this.commit = groupCommit(store, (batch) => store.commit(batch));
    this.complete = groupCommit(store, (batch) => store.completeActivities(batch));
  }

  /** Starts processing in the background until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** Stops leasing new work and waits for the work in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.wake();
    await this.loopDone;
    // Work in flight may still start its eager follow-up until it sees `stopped`: wait for all of it.
    while (this.tasks > 0) await this.nextTaskEnd();
  }

  /**
   * Processes everything that is due now, then returns: for the simulator, tests, and hosts
   * that run the engine in bursts (a Durable Object). Between fills it waits for a sign of new
   * work (a store notification, or a task that did not hand its follow-up on eagerly).
   */
  async runUntilIdle(): Promise<void> {
    if (this.running) throw new Error('runUntilIdle() cannot be used while the worker runs in the background.');
    this.stopped = false;
    const unsubscribe = this.store.subscribe?.(() => this.wake());
    try {
      for (;;) {
        // Work that finishes during a fill may have made new work after the fill looked: fill again.
        this.dirty = false;
        const leased = await this.fill();
        if (!leased && this.tasks === 0 && !this.dirty) return;
        while (!this.dirty && this.tasks > 0) await this.nextTaskEnd();
      }
    } finally {
      unsubscribe?.();
    }
  }

  /** Forgets every cached orchestrator, as a fresh process would. */
  clearCache(): void { this.cache.clear(); }

  private async loop(): Promise<void> {
    const unsubscribe = this.store.subscribe?.(() => this.wake());
    try {
      while (this.running) {
        this.dirty = false;
        let leased = false;
        try {
          leased = await this.fill();
        } catch (error) {
          this.report(error);
        }
        if (!leased) await this.idle();
      }
    } finally {
      unsubscribe?.();
    }
  }

  private wake(): void {
    this.dirty = true;
    const resolve = this.wakeResolve;
    this.wakeResolve = undefined;
    resolve?.();
  }

  /**
   * Sleeps until woken (new work in this process, a finished task) or until the next due
   * timer, lease expiry or poll. Polling stays on even with notifications: they come only
   * from writers in this process, not from another tab, host or CLI on the same store.
   */
  private async idle(): Promise<void> {
    if (this.dirty || !this.running) return;
    const now = this.clock.now();
    let deadline = now + this.options.pollIntervalMs;
    try {
      const next = await this.store.nextWakeTime();
      if (next !== undefined) deadline = Math.min(deadline, next);
    } catch (error) {
      this.report(error);
    }
    if (this.dirty || !this.running || deadline <= this.clock.now()) return;
    const woken = new Promise<void>((resolve) => { this.wakeResolve = resolve; });
    this.armTimer(deadline);
    await woken;
  }

  /**
   * One timer at a time, re-armed only for an earlier deadline: most waits end by a
   * notification, and a timer that fires late just wakes an idle loop once.
   */
  private armTimer(deadline: number): void {
    if (this.timer && this.timer.at <= deadline) return;
    this.timer?.cancel();
    const timer = {
      at: deadline,
      cancel: this.clock.setTimer(deadline - this.clock.now(), () => {
        if (this.timer === timer) this.timer = undefined;
        this.wake();
      }),
    };
    this.timer = timer;
  }

  /**
   * Leases work up to the free slots, in calls of up to `batchFor(lock)` items, until the store
   * has no more; each item starts as soon as it is leased.
   */
  private async fill(): Promise<boolean> {
    let leased = false;
    // Slots are reserved while a lease call is out (eager dispatch may take slots meanwhile); each leased item runs on one of them.
    // The two loops stay in this one function: an await between them lets the episodes just leased
    // take every activity slot eagerly, and a fan-out's results then come back one episode each.
    let reserved = 0;
    const runEpisode = (item: OrchestrationWorkItem) => { leased = true; reserved--; this.startEpisode(item, true); };
    const runActivity = (item: LeasedActivity) => { leased = true; reserved--; this.startActivity(item, true); };
    for (let free; (free = this.episodes.free) > 0;) {
      const want = Math.min(free, batchFor(this.options.orchestrationLockMs));
      this.episodes.take(reserved = want);
      let items: OrchestrationWorkItem[];
      try {
        items = await leaseOrchestrations(this.store, this.clock.now(), this.options.orchestrationLockMs, want, runEpisode);
      } finally {
        this.episodes.release(reserved);
      }
      if (items.length < want) break;
    }
    for (let free; (free = this.activities.free) > 0;) {
      const want = Math.min(free, batchFor(this.options.activityLockMs));
      this.activities.take(reserved = want);
      let items: LeasedActivity[];
      try {
        items = await leaseActivities(this.store, this.clock.now(), this.options.activityLockMs, want, runActivity);
      } finally {
        this.activities.release(reserved);
      }
      if (items.length < want) break;
    }
    this.saturated = this.episodes.free <= 0 || this.activities.free <= 0;
    return leased;
  }

  /** `reserved`: the caller took the slot already. */
  private startEpisode(item: OrchestrationWorkItem, reserved = false): void {
    if (!reserved) this.episodes.take();
    void this.track(this.runEpisode(item), this.episodes);
  }

  private startActivity(leased: LeasedActivity, reserved = false): void {
    if (!reserved) this.activities.take();
    void this.track(this.runActivity(leased), this.activities);
  }

  /**
   * Sees a task to its end and gives its slot back. `work` resolves to whether it handed its
   * follow-up work on by eager dispatch. Only a task that did not wakes the loop to lease what
   * it may have produced (or when slots were full): a chain of eagerly dispatched steps runs
   * without a trip through the lease loop. (One async frame per task: chained .finally/.catch/
   * .then handlers cost a measurable share of a step.)
   */
  private async track(work: Promise<boolean>, slot: Slots): Promise<void> {
    this.tasks++;
    let handedOn = false;
    try {
      handedOn = await work;
    } catch (error) {
      this.report(error);
    } finally {
      slot.release();
      this.tasks--;
      // Even if onError threw: stop() and runUntilIdle wait for this.
      for (const resume of this.taskEndWaiters.splice(0)) resume();
    }
    if (!handedOn || this.saturated) this.wake();
  }

  private nextTaskEnd(): Promise<void> {
    return new Promise((resolve) => { this.taskEndWaiters.push(resolve); });
  }

  private report(error: unknown): void {
    if (this.options.onError) this.options.onError(error);
    else console.error('[edge-durable worker]', error);
  }

  // ---- episodes ----

  /** Resolves to whether every piece of follow-up work went on by eager dispatch (see `track`). */
  private async runEpisode(item: OrchestrationWorkItem): Promise<boolean> {
    // The store releases the instance when the commit lands, before this worker has updated
    // its cache; an episode that leased it meanwhile waits for that update.
    const taken = this.acquire(item.instanceId);
    const gate = taken instanceof Promise ? await taken : taken;
    const now = this.clock.now();
    try {
      // A cached orchestrator knows its row as of its last commit. A commit's version check
      // catches a stale row; anything this episode drops without committing is checked first.
      const cached = this.cache.get(item.instanceId)?.record;
      const instance = cached ?? await this.store.getInstance(item.instanceId);
      const ids = item.messages.map((m) => m.id);
      const discard = async (): Promise<void> => {
        if (cached) {
          const fresh = await this.store.getInstance(item.instanceId);
          if (fresh?.version !== cached.version || fresh.executionId !== cached.executionId) {
            // Another worker moved the instance on: forget what this one knew and look again.
            this.cache.delete(item.instanceId);
            await this.store.abandonOrchestration(item);
            return;
          }
        }
        await this.store.discardMessages(item, ids);
      };
      if (!instance) { await discard(); return false; }
      // The episode's events: messages for this execution (or for none in particular), rewinds aside.
      const { executionId } = instance;
      const events: HistoryEvent[] = [{ type: 'OrchestratorStarted', eventId: -1, timestamp: isoTime(now) }];
      let rewind: OrchestrationMessage | undefined;
      for (const m of item.messages) {
        if (m.executionId && m.executionId !== executionId) continue;
        if (m.event.type === 'ExecutionRewound') rewind ??= m;
        else events.push(m.event);
      }
      if (isTerminal(instance.runtimeStatus)) {
        if (rewind && instance.runtimeStatus === 'Failed') await this.rewind(instance, item, rewind, now);
        else await discard();
        return false;
      }
      // A rewind that finds the instance no longer failed has nothing to do.
      if (events.length === 1) { await discard(); return false; }
      const executor = await this.executorFor(instance);
      const result = executor.run(events);
      if (isIdle(result, instance)) {
        // Only duplicates or stale completions: nothing happened, so no episode is recorded.
        await discard();
        return false;
      }
      const children = this.childrenOf(result);
      const episode = this.buildCommit(instance, item.lease, ids, executor, result, now, children instanceof Promise ? await children : children);
      const handedOn = await this.commitEpisode(episode, executor, result);
      if (handedOn === undefined) { await this.store.abandonOrchestration(item); return false; }
      return handedOn;
    } catch (error) {
      this.cache.delete(item.instanceId);
      await this.store.abandonOrchestration(item, now + 1000).catch(() => undefined);
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
  private async recordDirectly(leased: LeasedActivity, message: OrchestrationMessage): Promise<boolean | undefined> {
    const { instanceId, executionId } = leased.item;
    const wanted = (cached: CachedOrchestration | undefined): cached is CachedOrchestration =>
      cached?.record.executionId === executionId && cached.executor.openActivityCount === 1;
    // The episode that scheduled this activity may still be settling (the activity came from the queue meanwhile): wait for it.
    if (!this.settling.has(instanceId) && !wanted(this.cache.get(instanceId))) return undefined;
    // With every episode slot taken, wait for one: cheaper than the queue's round trip (a completion, a lease, an episode).
    const slot = this.episodes.wait();
    if (slot) await slot;
    const taken = this.acquire(instanceId);
    const gate = taken instanceof Promise ? await taken : taken;
    try {
      const cached = this.cache.get(instanceId);
      if (!wanted(cached)) return undefined;
      const { executor, record } = cached;
      const now = this.clock.now();
      const result = executor.run([{ type: 'OrchestratorStarted', eventId: -1, timestamp: isoTime(now) }, message.event]);
      if (isIdle(result, record)) { this.cache.delete(instanceId); return undefined; }
      const children = this.childrenOf(result);
      const episode = this.buildCommit(record, undefined, [], executor, result, now, children instanceof Promise ? await children : children);
      episode.completesActivities = { now, activities: [leased] };
      return await this.commitEpisode(episode, executor, result);
    } catch (error) {
      this.cache.delete(instanceId);
      throw error;
    } finally {
      this.episodes.release();
      this.release(instanceId, gate);
    }
  }

  /**
   * Marks an instance's episode in flight in this worker, once the one before it has settled (see
   * `runEpisode`). Usually nothing is in flight: then it returns the gate without a promise.
   */
  private acquire(instanceId: string): (() => void)[] | Promise<(() => void)[]> {
    if (!this.settling.has(instanceId)) return this.hold(instanceId);
    return (async () => {
      for (let waiting; (waiting = this.settling.get(instanceId));) {
        const queue = waiting;
        await new Promise<void>((resolve) => { queue.push(resolve); });
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
    const eager = this.stopped ? 0 : Math.min(episode.activities.length, this.activities.free);
    if (eager > 0) {
      episode.leaseActivities = { now: this.clock.now(), lockMs: this.options.activityLockMs, max: eager };
      this.activities.take(eager);
    }
    let outcome: CommitOutcome;
    try {
      outcome = await this.commit(episode);
    } finally {
      if (eager > 0) this.activities.release(eager);
    }
    // From here to starting the leased activities, nothing awaits: their slots pass from the reservation to them.
    this.remember(episode, executor, result, outcome);
    if (!outcome.ok) return undefined;
    const leased = outcome.leasedActivities ?? [];
    for (const activity of leased) this.startActivity(activity);
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
    const executor = new OrchestrationExecutor(this.app, instance.instanceId);
    // Version 1 is an instance no episode has committed to yet: its history is empty, no read needed.
    if (instance.version > 1) executor.replay(await this.store.getHistory(instance.instanceId));
    return executor;
  }

  private remember(episode: EpisodeCommit, executor: OrchestrationExecutor, result: EpisodeResult, outcome: CommitOutcome): void {
    const limit = this.options.replayCache;
    if (!outcome.ok || limit === false || result.outcome) { this.cache.delete(episode.instanceId); return; }
    executor.confirm();
    this.cache.set(episode.instanceId, { executor, record: instanceRecord(episode.instance, outcome.version) });
    if (this.cache.size > limit) this.cache.delete(this.cache.keys().next().value!);
  }

  /** The instances an episode's new sub-orchestrations would take over, as they are now (read only when there are any). */
  private childrenOf(result: EpisodeResult): Children | Promise<Children> {
    let ids: string[] | undefined;
    for (const a of result.actions) if (a.type === 'CreateSubOrchestration') (ids ??= []).push(a.instanceId);
    if (!ids) return NO_CHILDREN;
    return Promise.all(ids.map(async (id) => [id, await this.store.getInstance(id)] as const)).then((found) => new Map(found));
  }

  private buildCommit(
    instance: InstanceRecord, lease: Lease | undefined, consumed: string[], executor: OrchestrationExecutor, result: EpisodeResult, now: number,
    children: Children,
  ): EpisodeCommit {
    const at = isoTime(now);
    const { instanceId, executionId } = instance;
    // The executor made `applied` for this episode alone: it becomes the appended history as is.
    const append: HistoryEvent[] = result.applied;
    const messages: OrchestrationMessage[] = [];
    const activities: ActivityWorkItem[] = [];
    const newInstances: NewInstance[] = [];
    const started = executor.started;

    for (const action of result.actions) {
      switch (action.type) {
        case 'ScheduleTask':
          // The hot path: plain literals (an absent input stays an undefined property, dropped by JSON).
          append.push({ type: 'TaskScheduled', eventId: action.id, timestamp: at, name: action.name, input: action.input });
          activities.push({ id: this.newId(), instanceId, executionId, taskScheduledId: action.id, name: action.name, input: action.input, enqueuedTime: at });
          break;
        case 'CreateTimer':
          append.push(event('TimerCreated', at, { fireAt: action.fireAt }, action.id));
          messages.push({ id: this.newId(), instanceId, executionId, event: event('TimerFired', action.fireAt, { timerId: action.id, fireAt: action.fireAt }), visibleAt: action.fireAt });
          break;
        case 'CreateSubOrchestration': {
          append.push(event('SubOrchestrationInstanceCreated', at, { name: action.name, instanceId: action.instanceId, ...(action.input !== undefined ? { input: action.input } : {}) }, action.id));
          const existing = children.get(action.instanceId);
          if (existing && !isTerminal(existing.runtimeStatus)) {
            const failure = toFailureDetails(new InstanceAlreadyExistsError(action.instanceId, existing.runtimeStatus));
            messages.push({ id: this.newId(), instanceId, executionId, event: event('SubOrchestrationInstanceFailed', at, { taskScheduledId: action.id, failureDetails: failure }), visibleAt: at });
            break;
          }
          const childExecution = this.newId(`${executionId}/${action.id}`);
          newInstances.push({
            record: { instanceId: action.instanceId, name: action.name, executionId: childExecution, runtimeStatus: 'Pending', ...(action.input !== undefined ? { input: action.input } : {}), createdTime: at, lastUpdatedTime: at, parentInstanceId: instanceId },
            start: {
              id: this.newId(), instanceId: action.instanceId, executionId: childExecution, visibleAt: at,
              event: event('ExecutionStarted', at, {
                name: action.name, ...(action.input !== undefined ? { input: action.input } : {}),
                orchestrationInstance: { instanceId: action.instanceId, executionId: childExecution },
                parentInstance: { instanceId, executionId, name: instance.name, taskScheduledId: action.id },
              }),
            },
          });
          break;
        }
      }
    }

    const row: InstanceRow = {
      instanceId, name: instance.name, executionId, runtimeStatus: result.suspended ? 'Suspended' : 'Running',
      input: instance.input, output: undefined, customStatus: result.customStatus ?? instance.customStatus, failureDetails: undefined,
      createdTime: instance.createdTime, lastUpdatedTime: at, completedTime: undefined, parentInstanceId: instance.parentInstanceId,
    };
    const commit: EpisodeCommit = {
      instanceId, expectedVersion: instance.version, lease, instance: row,
      history: { append }, consumedMessageIds: consumed, messages, activities, newInstances,
    };

    const outcome = result.outcome;
    if (!outcome) { append.push({ type: 'OrchestratorCompleted', eventId: -1, timestamp: at }); return commit; }

    if (outcome.status === 'ContinuedAsNew') {
      const next = this.newId(`${executionId}/next`);
      const input = outcome.input;
      row.executionId = next;
      row.runtimeStatus = 'ContinuedAsNew';
      row.input = input;
      commit.history = { replace: [] };
      commit.activities = [];
      commit.newInstances = [];
      commit.messages = [
        { id: this.newId(), instanceId, executionId: next, visibleAt: at, event: event('ExecutionStarted', at, {
          name: instance.name, ...(input !== undefined ? { input } : {}), orchestrationInstance: { instanceId, executionId: next },
          ...(started?.parentInstance ? { parentInstance: started.parentInstance } : {}),
        }) },
        ...outcome.carryoverEvents.map((e) => ({ id: this.newId(), instanceId, visibleAt: at, event: e })),
      ];
      return commit;
    }

    const output = outcome.status === 'Failed'
      ? serialize('Failure', `Orchestrator function '${instance.name}' failed: ${outcome.failureDetails.errorMessage}`)
      : outcome.result;
    append.push(event('ExecutionCompleted', at, {
      orchestrationStatus: outcome.status,
      ...(outcome.status !== 'Failed' && outcome.result !== undefined ? { result: outcome.result } : {}),
      ...(outcome.status === 'Failed' ? { failureDetails: outcome.failureDetails } : {}),
    }), event('OrchestratorCompleted', at, {}));
    row.runtimeStatus = outcome.status;
    row.completedTime = at;
    row.output = output;
    if (outcome.status === 'Failed') row.failureDetails = outcome.failureDetails;
    const parent = started?.parentInstance;
    if (parent) {
      const completion = outcome.status === 'Completed'
        ? event('SubOrchestrationInstanceCompleted', at, { taskScheduledId: parent.taskScheduledId, ...(outcome.result !== undefined ? { result: outcome.result } : {}) })
        : event('SubOrchestrationInstanceFailed', at, {
          taskScheduledId: parent.taskScheduledId,
          failureDetails: outcome.status === 'Failed' ? outcome.failureDetails : { errorType: 'TerminatedError', errorMessage: `Terminated: ${outcome.result ?? 'no reason given'}` },
        });
      messages.push({ id: this.newId(), instanceId: parent.instanceId, executionId: parent.executionId, visibleAt: at, event: completion });
    }
    const terminated = result.applied.find((e) => e.type === 'ExecutionTerminated');
    if (outcome.status === 'Terminated' && terminated?.type === 'ExecutionTerminated' && terminated.recurse) {
      for (const child of executor.openSubOrchestrations()) {
        messages.push({ id: this.newId(), instanceId: child, visibleAt: at, event: event('ExecutionTerminated', at, { ...(terminated.input !== undefined ? { input: terminated.input } : {}), recurse: true }) });
      }
    }
    return commit;
  }

  private async rewind(instance: InstanceRecord, item: OrchestrationWorkItem, message: OrchestrationMessage, now: number): Promise<void> {
    const at = isoTime(now);
    const reason = message.event.type === 'ExecutionRewound' ? message.event.reason : undefined;
    const { history, failedChildren } = rewindHistory(await this.store.getHistory(instance.instanceId), reason, at);
    const executor = new OrchestrationExecutor(this.app, instance.instanceId);
    executor.replay(history);
    const result = executor.run([event('OrchestratorStarted', at, {}), ...item.messages.filter((m) => m !== message && m.event.type === 'EventRaised').map((m) => m.event)]);
    const { failureDetails: _f, output: _o, completedTime: _c, ...rest } = instance;
    const reopened = { ...rest, runtimeStatus: 'Running' as const };
    const episode = this.buildCommit(reopened, item.lease, item.messages.map((m) => m.id), executor, result, now, await this.childrenOf(result));
    const applied = 'append' in episode.history ? episode.history.append : [];
    episode.history = { replace: [...history, ...applied] };
    for (const child of failedChildren) {
      episode.messages.push({ id: this.newId(), instanceId: child, visibleAt: at, event: event('ExecutionRewound', at, reason === undefined ? {} : { reason }) });
    }
    this.cache.delete(instance.instanceId);
    const outcome = await this.commit(episode);
    if (!outcome.ok) await this.store.abandonOrchestration(item);
  }

  // ---- activities ----

  /** Resolves to whether the instance came back leased (see `track`). */
  private async runActivity(leased: LeasedActivity): Promise<boolean> {
    const { item } = leased;
    const { taskScheduledId } = item;
    const handler = this.app.getActivity(item.name);
    let outcome: HistoryEvent;
    if (!handler) {
      outcome = event('TaskFailed', isoTime(this.clock.now()), { taskScheduledId, failureDetails: toFailureDetails(new UnknownActivityError(item.name)) });
    } else {
      const context: ActivityContext = { name: item.name, instanceId: item.instanceId, deliveryCount: leased.deliveryCount };
      try {
        const returned: unknown = handler(item.input === undefined ? undefined : JSON.parse(item.input), context);
        // Most activities in a chain of quick steps return at once: no await (a microtask turn) for those.
        const value = typeof (returned as PromiseLike<unknown> | null)?.then === 'function' ? await returned : returned;
        const result = serialize(() => `Output of activity '${item.name}'`, value);
        outcome = { type: 'TaskCompleted', eventId: -1, timestamp: isoTime(this.clock.now()), taskScheduledId, result };
      } catch (error) {
        outcome = event('TaskFailed', isoTime(this.clock.now()), { taskScheduledId, failureDetails: toFailureDetails(error) });
      }
    }
    const message: OrchestrationMessage = { id: this.newId(), instanceId: item.instanceId, executionId: item.executionId, event: outcome, visibleAt: outcome.timestamp };
    if (!this.stopped) {
      const handedOn = await this.recordDirectly(leased, message);
      if (handedOn !== undefined) return handedOn;
    }
    // Eager dispatch: the instance comes back leased with its new message, if a slot is free (reserved meanwhile).
    const eager = !this.stopped && this.episodes.free > 0;
    if (!eager) { await this.complete({ leased, result: message }); return false; }
    this.episodes.take();
    let completed: CompletionOutcome;
    try {
      completed = await this.complete({ leased, result: message, leaseInstance: { now: this.clock.now(), lockMs: this.options.orchestrationLockMs } });
    } catch (error) {
      this.episodes.release();
      throw error;
    }
    if (!completed.workItem) { this.episodes.release(); return false; }
    this.startEpisode(completed.workItem, true);
    return true;
  }

}

