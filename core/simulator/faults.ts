/**
 * Fault injection for the simulator: activities that fail on chosen attempts, and a
 * store wrapper that lets a worker "die" right after its N-th durable write.
 * @module
 */
import type { ActivityContext, ActivityHandler, DurableApp } from '../app.js';
import { InvalidArgumentError } from '../errors.js';
import type { HistoryEvent, RuntimeStatus } from '../history.js';
import type * as port from '../store/port.js';

/** Thrown by every store call of a worker that the simulation has crashed. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  readonly simulatedCrash = true;
  constructor(readonly afterCommit: number) {
    super(`Simulated crash: the worker died after durable write #${afterCommit}.`);
  }
}

export function isSimulatedCrash(error: unknown): error is SimulatedCrash {
  return typeof error === 'object' && error !== null && (error as { simulatedCrash?: unknown }).simulatedCrash === true;
}

/** What the store wrapper reports to the simulation. */
export interface WriteObserver {
  /**
   * One durable write was applied (an episode commit or an activity result). Returns the
   * write's number when the worker must die right after it, else undefined.
   */
  written(kind: 'episode' | 'activity', instanceId: string): number | undefined;
  /** Work was leased (progress, for stall detection). */
  leased(): void;
}

/**
 * The store as one worker process sees it. Writes are applied one at a time so that a
 * crash can fall between two episodes of the same group commit; once dead, every call
 * throws, so nothing the dead process still has in flight reaches the store.
 */
export class GenerationStore implements port.TaskHubStore {
  private dead = false;
  private crashPoint = 0;

  constructor(
    private readonly inner: port.TaskHubStore,
    private readonly observer: WriteObserver,
  ) {}

  get taskHub(): string {
    return this.inner.taskHub;
  }
  get isDead(): boolean {
    return this.dead;
  }
  /** The write after which it died (writes already in flight may still have landed). */
  get diedAfter(): number {
    return this.crashPoint;
  }

  private alive(): void {
    if (this.dead) throw new SimulatedCrash(this.crashPoint);
  }

  private maybeDie(commit: number | undefined): void {
    if (commit === undefined) return;
    this.dead = true;
    this.crashPoint = commit;
  }

  /** Kills the process now: its next store call throws. */
  kill(afterCommit: number): void {
    this.maybeDie(afterCommit);
  }

  async createInstance(instance: port.NewInstance): Promise<port.InstanceRecord> {
    this.alive();
    return this.inner.createInstance(instance);
  }
  async getInstance(instanceId: string): Promise<port.InstanceRecord | undefined> {
    this.alive();
    return this.inner.getInstance(instanceId);
  }
  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    this.alive();
    return this.inner.getHistory(instanceId);
  }
  async queryInstances(query: port.InstanceQuery): Promise<port.InstancePage> {
    this.alive();
    return this.inner.queryInstances(query);
  }
  async countInstances(filter: port.CountFilter): Promise<port.InstanceCounts> {
    this.alive();
    return this.inner.countInstances(filter);
  }
  async enqueueMessages(messages: port.OrchestrationMessage[]): Promise<void> {
    this.alive();
    return this.inner.enqueueMessages(messages);
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined> {
    this.alive();
    const item = await this.inner.leaseOrchestration(now, lockMs);
    if (item) this.observer.leased();
    return item;
  }

  async abandonOrchestration(workItem: port.OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    this.alive();
    return this.inner.abandonOrchestration(workItem, visibleAt);
  }

  async commit(episodes: port.EpisodeCommit[]): Promise<port.CommitOutcome[]> {
    return this.oneAtATime('episode', episodes, async (episode) => {
      const [outcome] = await this.inner.commit([episode]);
      return { outcome: outcome!, applied: outcome!.ok, instanceId: episode.instanceId };
    });
  }

  async discardMessages(workItem: port.OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    this.alive();
    return this.inner.discardMessages(workItem, messageIds);
  }

  async leaseActivity(now: number, lockMs: number): Promise<port.LeasedActivity | undefined> {
    this.alive();
    const leased = await this.inner.leaseActivity(now, lockMs);
    if (leased) this.observer.leased();
    return leased;
  }

  async completeActivities(completions: port.ActivityCompletion[]): Promise<port.CompletionOutcome[]> {
    return this.oneAtATime('activity', completions, async (completion) => {
      const [outcome] = await this.inner.completeActivities([completion]);
      return { outcome: outcome!, applied: outcome!.applied, instanceId: completion.leased.item.instanceId };
    });
  }

  /** Applies a call's writes one at a time; the worker may die after any that took effect. */
  private async oneAtATime<T, O>(
    kind: 'episode' | 'activity',
    writes: readonly T[],
    write: (one: T) => Promise<{ outcome: O; applied: boolean; instanceId: string }>,
  ): Promise<O[]> {
    const outcomes: O[] = [];
    for (const one of writes) {
      this.alive();
      const { outcome, applied, instanceId } = await write(one);
      outcomes.push(outcome);
      if (applied) this.maybeDie(this.observer.written(kind, instanceId));
    }
    // The process died after some of these writes: its caller never learns the outcome.
    this.alive();
    return outcomes;
  }

  async abandonActivity(leased: port.LeasedActivity, visibleAt?: number): Promise<void> {
    this.alive();
    return this.inner.abandonActivity(leased, visibleAt);
  }

  async nextWakeTime(): Promise<number | undefined> {
    this.alive();
    return this.inner.nextWakeTime();
  }
  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    this.alive();
    return this.inner.purgeInstance(instanceId, onlyIf);
  }
  async purgeInstances(filter: port.PurgeFilter): Promise<number> {
    this.alive();
    return this.inner.purgeInstances(filter);
  }

  subscribe(listener: (notification: port.StoreNotification) => void): () => void {
    return this.inner.subscribe?.(listener) ?? (() => undefined);
  }
}

// ---- activity faults ----

export interface ActivityFault {
  /** Fail on this attempt (1-based), counted per instance and activity name. */
  attempt?: number;
  /** Fail on each of these attempts. */
  attempts?: readonly number[];
  /** Fail the first `times` attempts. */
  times?: number;
  /** Only for this instance; every instance by default. */
  instanceId?: string;
  /** The error thrown: a message, an Error, or a factory. Default: "Injected failure …". */
  error?: string | Error | ((attempt: number, context: ActivityContext) => Error);
}

export interface InjectedFailure {
  activity: string;
  instanceId: string;
  attempt: number;
  message: string;
}

/** Decides, per activity call, whether an injected fault applies, and counts attempts. */
export class ActivityFaults {
  private readonly rules: { name: string; fault: ActivityFault }[] = [];
  private readonly attempts = new Map<string, number>();

  constructor(private readonly onInjected: (failure: InjectedFailure) => void) {}

  add(name: string, fault: ActivityFault): void {
    const check = (n: unknown, what: string) => {
      if (!Number.isInteger(n) || (n as number) < 1) throw new InvalidArgumentError(`${what} must be an integer of at least 1; got ${String(n)}.`);
    };
    if (fault.attempt !== undefined) check(fault.attempt, 'failActivity attempt');
    for (const a of fault.attempts ?? []) check(a, 'failActivity attempts[]');
    if (fault.times !== undefined) check(fault.times, 'failActivity times');
    this.rules.push({ name, fault });
  }

  /** How many times the activity has been called for the instance so far. */
  attemptsOf(instanceId: string, name: string): number {
    return this.attempts.get(`${instanceId}\u0000${name}`) ?? 0;
  }

  /** Wraps the app so that its activity handlers go through the fault rules. */
  wrap(app: DurableApp): DurableApp {
    const wrapped = Object.create(app) as DurableApp;
    const handlers = new Map<string, ActivityHandler | undefined>();
    wrapped.getActivity = (name: string) => {
      if (handlers.has(name)) return handlers.get(name);
      const inner = app.getActivity(name);
      const handler: ActivityHandler | undefined =
        inner &&
        ((input, context) => {
          const key = `${context.instanceId}\u0000${name}`;
          const attempt = (this.attempts.get(key) ?? 0) + 1;
          this.attempts.set(key, attempt);
          const rule = this.rules.find((r) => r.name === name && matches(r.fault, context.instanceId, attempt));
          if (rule) {
            const error = makeError(rule.fault, name, attempt, context);
            this.onInjected({ activity: name, instanceId: context.instanceId, attempt, message: error.message });
            throw error;
          }
          return inner(input, context);
        });
      handlers.set(name, handler);
      return handler;
    };
    return wrapped;
  }
}

function matches(fault: ActivityFault, instanceId: string, attempt: number): boolean {
  if (fault.instanceId !== undefined && fault.instanceId !== instanceId) return false;
  const chosen = fault.attempt !== undefined || fault.attempts !== undefined || fault.times !== undefined;
  if (!chosen) return true;
  return fault.attempt === attempt || (fault.attempts?.includes(attempt) ?? false) || (fault.times !== undefined && attempt <= fault.times);
}

function makeError(fault: ActivityFault, name: string, attempt: number, context: ActivityContext): Error {
  const source = fault.error;
  const error =
    typeof source === 'function'
      ? source(attempt, context)
      : source instanceof Error
        ? source
        : new Error(source ?? `Injected failure of activity '${name}' (attempt ${attempt}).`);
  // A stack trace names files and lines of this process; a fixed one keeps histories reproducible.
  if (typeof source !== 'function' && !(source instanceof Error))
    error.stack = `${error.name}: ${error.message}\n    at <simulated fault: ${name} attempt ${attempt}>`;
  return error;
}
