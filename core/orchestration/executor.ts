/**
 * The replay executor: history in, actions and outcome out, with no I/O.
 *
 * An executor replays the recorded history (`isReplaying` is true), then applies the
 * episode's new events. A worker may keep the executor alive between episodes (the replay
 * cache) and feed it only the next events; `confirm()` tells it that its actions are now
 * in history. `replay()` is the pure, stateless form used by tests and strict mode.
 * @module
 */

import type { OrchestratorFunction } from '../app.js';
import { parseTime } from '../clock.js';
import {
  AggregatedError,
  type Divergence,
  type FailureDetails,
  NonDeterminismError,
  type ReplayStep,
  TaskFailedError,
  toFailureDetails,
  UnknownOrchestratorError,
} from '../errors.js';
import type { EventRaised, ExecutionStarted, HistoryEvent } from '../history.js';
import { serialize } from '../json.js';
import { type ExecutorHost, OrchestrationContext } from './context.js';
import { hashSeed, runDeterministically, seededRandom } from './determinism.js';
import { callerLocation, formatLocation, type SourceLocation } from './source-location.js';
import { type AtomicTask, type ExternalEventTask, Task, TimerTask } from './task.js';

export type OrchestratorAction =
  | { type: 'ScheduleTask'; id: number; name: string; input?: string }
  | { type: 'CreateTimer'; id: number; fireAt: string }
  | { type: 'CreateSubOrchestration'; id: number; name: string; instanceId: string; input?: string };

export type OrchestrationOutcome =
  | { status: 'Completed'; result?: string }
  | { status: 'Failed'; failureDetails: FailureDetails }
  | { status: 'Terminated'; result?: string }
  | { status: 'ContinuedAsNew'; input?: string; carryoverEvents: EventRaised[] };

export interface EpisodeResult {
  /** The new events that took effect; duplicate or stale completions are left out. */
  applied: HistoryEvent[];
  /** Actions the code issued that history does not hold yet. */
  actions: OrchestratorAction[];
  outcome?: OrchestrationOutcome;
  customStatus?: string;
  suspended: boolean;
}

export interface OrchestratorRegistry {
  getOrchestrator(name: string): OrchestratorFunction | undefined;
  readonly orchestratorNames: string[];
}

/** A failed activity or sub-orchestration as it reached the orchestrator: what a rewind undoes (see rewind.ts). */
export interface FailureMet {
  /** The failed task's sequence number (its scheduling row's eventId). */
  taskScheduledId: number;
  /** The next sequence number when the failure arrived: every action from it on was decided after. */
  sequence: number;
  /** The orchestrator went on from it: its code caught it, or a retry policy scheduled another attempt. */
  handled: boolean;
}

type Kind = 'activity' | 'timer' | 'subOrchestration';
interface OpenTask {
  kind: Kind;
  task: AtomicTask<unknown>;
  name: string;
  instanceId?: string;
}

function describeAction(a: OrchestratorAction): string {
  switch (a.type) {
    case 'ScheduleTask':
      return `callActivity('${a.name}')`;
    case 'CreateTimer':
      return 'createTimer()';
    case 'CreateSubOrchestration':
      return `callSubOrchestrator('${a.name}')`;
  }
}

function describeEvent(e: HistoryEvent): string {
  switch (e.type) {
    case 'TaskScheduled':
      return `TaskScheduled '${e.name}' (eventId ${e.eventId})`;
    case 'SubOrchestrationInstanceCreated':
      return `SubOrchestrationInstanceCreated '${e.name}' (eventId ${e.eventId})`;
    default:
      return `${e.type} (eventId ${e.eventId})`;
  }
}

const parse = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

function stepOfEvent(e: HistoryEvent): ReplayStep {
  const named = e as { name?: string; input?: string };
  return { type: e.type, name: named.name, input: named.input };
}

function stepOfAction(a: OrchestratorAction): ReplayStep {
  return a.type === 'CreateTimer' ? { type: a.type, input: JSON.stringify(a.fireAt) } : { type: a.type, name: a.name, input: a.input };
}

const isScheduling = (e: HistoryEvent) => e.type === 'TaskScheduled' || e.type === 'TimerCreated' || e.type === 'SubOrchestrationInstanceCreated';

export interface ExecutorOptions {
  /**
   * Replay to diagnose, not to run: every call of the code into the context records its
   * source line, and history the code no longer reaches is a divergence too.
   */
  strict?: boolean;
}

interface AwaitedEvent {
  task: ExternalEventTask;
  at: SourceLocation | undefined;
}

export class OrchestrationExecutor implements ExecutorHost {
  private generator: Generator<Task, unknown, unknown> | undefined;
  private awaited: Task | undefined;
  private context: OrchestrationContext | undefined;
  private sequence = 0;
  private readonly pendingActions = new Map<number, OrchestratorAction>();
  private readonly open = new Map<number, OpenTask>();
  /** Open tasks of kind 'activity'. */
  private openActivities = 0;
  private readonly waiters = new Map<string, ExternalEventTask[]>();
  private readonly inbox = new Map<string, EventRaised[]>();
  private suspendedEvents: HistoryEvent[] = [];
  private suspended = false;
  private outcome: OrchestrationOutcome | undefined;
  /** An orchestrator that returned while tasks were still open completes once they close. */
  private deferred: OrchestrationOutcome | undefined;
  private continuation: { input?: string; preserveEvents: boolean } | undefined;
  private customStatus: string | undefined;
  private position = 0;
  private seeded: (() => number) | undefined;
  /** Failures delivered, in order, with their errors (handled ones are in `handled`). */
  private readonly failures: { taskScheduledId: number; sequence: number; error: Error }[] = [];
  private readonly handled = new Set<Error>();
  /** Sub-orchestrations adopted from an earlier execution, as `executionId taskScheduledId`: their results come addressed to it. */
  private readonly adoptions = new Set<string>();
  /** When (orchestration time) the code created each timer that history does not hold yet. */
  private readonly timersIssuedAt = new Map<number, number>();
  /** Orchestrator code's Math.random: seeded from the execution on first use (most orchestrators never call it). */
  private readonly random = (): number =>
    (this.seeded ??= seededRandom(hashSeed(this.started!.randomSeed ?? `${this.instanceId}/${this.started!.orchestrationInstance.executionId}`)))();
  /** Orchestrator code's Date.now: the replayed orchestration time. */
  private readonly replayedNow = (): number => this.now;
  replaying = true;
  now = 0;
  started: ExecutionStarted | undefined;
  /** Strict mode: the first divergence found. */
  divergence: Divergence | undefined;
  private readonly strict: boolean;
  /** Strict mode: the source line of each open action, and of each event the code awaits. */
  private readonly sources = new Map<number, SourceLocation | undefined>();
  private readonly awaitedEvents: AwaitedEvent[] = [];
  /** Strict mode: the row of each raised event no code has taken yet. */
  private readonly unclaimed = new Map<EventRaised, number>();
  /** Strict mode: the line behind the completion being delivered, for work the engine issues on the code's behalf (a retry). */
  private inherited: SourceLocation | undefined;

  constructor(
    private readonly registry: OrchestratorRegistry,
    readonly instanceId: string,
    options: ExecutorOptions = {},
  ) {
    this.strict = options.strict === true;
  }

  /** Replays recorded history. Throws nothing: a mismatch fails the orchestration. */
  replay(past: readonly HistoryEvent[]): void {
    this.replaying = true;
    for (const e of past) this.apply(e);
  }

  run(newEvents: readonly HistoryEvent[]): EpisodeResult {
    this.replaying = false;
    const applied: HistoryEvent[] = [];
    for (const e of newEvents) if (this.apply(e)) applied.push(e);
    const failedOrEnded = this.outcome && this.outcome.status !== 'Completed';
    // This runs once per step: every result has one shape (absent fields are undefined), with no spread of optional parts.
    return {
      applied,
      actions: failedOrEnded ? [] : Array.from(this.pendingActions.values()),
      outcome: this.outcome,
      customStatus: this.customStatus,
      suspended: this.suspended,
    };
  }

  /** Sub-orchestrations still running (a recursive terminate reaches them). */
  openSubOrchestrations(): string[] {
    return [...this.open.values()].filter((o) => o.kind === 'subOrchestration').map((o) => o.instanceId!);
  }

  /** The episode's actions are committed to history. */
  confirm(): void {
    this.pendingActions.clear();
    this.timersIssuedAt.clear();
  }

  /** The orchestration time at which the code created a timer not yet in history (a reset re-bases timers by it). */
  timerIssuedAt(id: number): number | undefined {
    return this.timersIssuedAt.get(id);
  }

  /** Whether a result addressed to `executionId`'s task `taskScheduledId` is for a sub-orchestration this execution adopted. */
  adopts(executionId: string, taskScheduledId: number): boolean {
    return this.adoptions.has(`${executionId} ${taskScheduledId}`);
  }

  get isFinished(): boolean {
    return this.outcome !== undefined;
  }
  /** The failures the orchestrator has met so far, in the order they arrived. */
  get failuresMet(): FailureMet[] {
    return this.failures.map(({ taskScheduledId, sequence, error }) => ({ taskScheduledId, sequence, handled: this.handled.has(error) }));
  }
  /** Activities scheduled and not yet completed. */
  get openActivityCount(): number {
    return this.openActivities;
  }

  // ExecutorHost: called by the context while orchestrator code runs.
  nextSequence(): number {
    return this.sequence++;
  }
  addAction(action: OrchestratorAction, task: AtomicTask<unknown>): void {
    this.pendingActions.set(action.id, action);
    if (this.strict) this.sources.set(action.id, callerLocation() ?? this.inherited);
    if (action.type === 'CreateTimer') this.timersIssuedAt.set(action.id, this.now);
    const kind: Kind = action.type === 'ScheduleTask' ? 'activity' : action.type === 'CreateTimer' ? 'timer' : 'subOrchestration';
    if (kind === 'activity') this.openActivities++;
    this.open.set(action.id, {
      kind,
      task,
      name: 'name' in action ? action.name : 'timer',
      instanceId: action.type === 'CreateSubOrchestration' ? action.instanceId : undefined,
    });
    if (task instanceof TimerTask)
      task.onCancel = () => {
        this.open.delete(action.id);
        this.checkDeferred();
      };
  }
  waitForEvent(task: ExternalEventTask): void {
    const key = task.name.toLowerCase();
    const queued = this.inbox.get(key);
    const next = queued?.shift();
    if (queued && queued.length === 0) this.inbox.delete(key);
    if (next) {
      this.unclaimed.delete(next);
      task.complete(parse(next.input));
      return;
    }
    if (this.strict) this.awaitedEvents.push({ task, at: callerLocation() });
    const list = this.waiters.get(key);
    if (list) list.push(task);
    else this.waiters.set(key, [task]);
  }
  setCustomStatus(json: string | undefined): void {
    this.customStatus = json;
  }
  continueAsNew(input: string | undefined, preserveEvents: boolean): void {
    this.continuation = { input, preserveEvents };
  }
  retrying(error: Error): void {
    this.handled.add(error);
  }

  private apply(e: HistoryEvent): boolean {
    const position = this.position++;
    if (e.type === 'OrchestratorStarted') {
      this.now = parseTime(e.timestamp);
      return true;
    }
    if (this.outcome) {
      if (this.strict && isScheduling(e) && !this.divergence) this.diverge(this.afterEnd(e, position));
      // Events that arrive after continue-as-new in the same episode go to the next execution.
      if (this.outcome.status === 'ContinuedAsNew' && e.type === 'EventRaised' && this.continuation?.preserveEvents) this.outcome.carryoverEvents.push(e);
      return false;
    }
    try {
      return this.dispatch(e, position);
    } catch (error) {
      if (error instanceof NonDeterminismError) {
        this.divergence ??= error.divergence;
        this.finish({ status: 'Failed', failureDetails: toFailureDetails(error) });
        return true;
      }
      throw error;
    }
  }

  private dispatch(e: HistoryEvent, position: number): boolean {
    switch (e.type) {
      case 'ExecutionStarted':
        return this.start(e);
      case 'ExecutionTerminated':
        this.finish({ status: 'Terminated', result: e.input });
        return true;
      case 'ExecutionSuspended':
        this.suspended = true;
        return true;
      case 'ExecutionResumed': {
        this.suspended = false;
        const buffered = this.suspendedEvents;
        this.suspendedEvents = [];
        for (const b of buffered) this.deliver(b);
        return true;
      }
      case 'TaskScheduled':
      case 'TimerCreated':
      case 'SubOrchestrationInstanceCreated':
        this.confirmAction(e, position);
        return true;
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'TimerFired':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
      case 'EventRaised': {
        if (e.type !== 'EventRaised' && !this.isOpen(e)) return false;
        if (this.suspended) {
          this.suspendedEvents.push(e);
          return true;
        }
        this.deliver(e);
        return true;
      }
      default:
        return true; // OrchestratorCompleted, ExecutionCompleted, ExecutionRewound, ExecutionReset, ContinueAsNew, GenericEvent, EventSent
    }
  }

  private isOpen(e: HistoryEvent): boolean {
    const id = e.type === 'TimerFired' ? e.timerId : 'taskScheduledId' in e ? e.taskScheduledId : -1;
    if (!this.open.has(id)) return false;
    // A completion already waiting in the suspension buffer is a duplicate too.
    return !this.suspendedEvents.some(
      (b) => b.type === e.type && (b.type === 'TimerFired' ? b.timerId : (b as { taskScheduledId?: number }).taskScheduledId) === id,
    );
  }

  private start(e: ExecutionStarted): boolean {
    if (this.started) return false;
    this.started = e;
    const fn = this.registry.getOrchestrator(e.name);
    if (!fn) {
      this.finish({ status: 'Failed', failureDetails: toFailureDetails(new UnknownOrchestratorError(e.name, this.registry.orchestratorNames)) });
      return true;
    }
    this.context = new OrchestrationContext(this, e);
    this.step(() => (this.generator = fn(this.context!) as Generator<Task, unknown, unknown>).next());
    return true;
  }

  private confirmAction(e: HistoryEvent & { type: 'TaskScheduled' | 'TimerCreated' | 'SubOrchestrationInstanceCreated' }, position: number): void {
    const action = this.pendingActions.get(e.eventId);
    const expected = e.type === 'TaskScheduled' ? 'ScheduleTask' : e.type === 'TimerCreated' ? 'CreateTimer' : 'CreateSubOrchestration';
    const sameName = !action || !('name' in action) || action.name === (e as { name?: string }).name;
    if (!action || action.type !== expected || !sameName) {
      if (!action && this.strict) throw this.nothingIssued(e, position);
      const at = this.sources.get(e.eventId);
      throw new NonDeterminismError(
        position,
        describeEvent(e),
        action ? `calls ${describeAction(action)} at that step` : `issues no action with eventId ${e.eventId} there`,
        { position, recorded: stepOfEvent(e), current: action && stepOfAction(action), location: at },
        at && formatLocation(at),
      );
    }
    this.pendingActions.delete(e.eventId);
    this.timersIssuedAt.delete(e.eventId);
    if (e.type === 'SubOrchestrationInstanceCreated' && e.adoptedFrom !== undefined) this.adoptions.add(`${e.adoptedFrom} ${e.eventId}`);
  }

  private deliver(e: HistoryEvent): void {
    switch (e.type) {
      case 'EventRaised': {
        const key = e.name.toLowerCase();
        const waiter = this.waiters.get(key)?.shift();
        if (waiter) waiter.complete(parse(e.input));
        else {
          const q = this.inbox.get(key);
          if (q) q.push(e);
          else this.inbox.set(key, [e]);
          if (this.strict) this.unclaimed.set(e, this.position - 1);
        }
        break;
      }
      case 'TaskCompleted':
      case 'SubOrchestrationInstanceCompleted':
        this.inherited = this.sources.get(e.taskScheduledId);
        this.close(e.taskScheduledId)?.complete(parse(e.result));
        break;
      case 'TimerFired':
        this.inherited = this.sources.get(e.timerId);
        this.close(e.timerId)?.complete(undefined);
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed': {
        const entry = this.open.get(e.taskScheduledId);
        this.inherited = this.sources.get(e.taskScheduledId);
        const what =
          entry?.kind === 'subOrchestration' ? `Sub-orchestration '${entry.name}' (instance '${entry.instanceId}')` : `Activity function '${entry?.name}'`;
        const error = new TaskFailedError(`${what} failed: ${e.failureDetails.errorMessage}`, e.failureDetails);
        this.failures.push({ taskScheduledId: e.taskScheduledId, sequence: this.sequence, error });
        this.close(e.taskScheduledId)?.fail(error);
        break;
      }
      default:
        return;
    }
    this.resume();
    this.inherited = undefined;
  }

  /**
   * Strict mode, after the whole history replayed: actions the code issues that the history
   * never recorded. Every action of an episode is recorded with it, so any left is a divergence.
   */
  checkEnd(rows: number): Divergence | undefined {
    if (this.divergence) return this.divergence;
    const [action] = this.pendingActions.values();
    if (!action || this.outcome?.status === 'Failed') return undefined;
    return this.diverge({ position: rows, current: stepOfAction(action), location: this.sources.get(action.id) });
  }

  private diverge(divergence: Divergence): Divergence {
    this.divergence = divergence;
    return divergence;
  }

  /** A recorded action the code does not issue: it waits on something else, or an event it no longer takes. */
  private nothingIssued(e: HistoryEvent, position: number): NonDeterminismError {
    const waiting = this.awaitedEvents.find((w) => !w.task.isCompleted);
    const [stray] = this.unclaimed;
    const divergence: Divergence =
      waiting && stray
        ? {
            position: stray[1],
            recorded: stepOfEvent(stray[0]),
            current: { type: 'WaitForExternalEvent', name: waiting.task.name },
            location: waiting.at,
          }
        : { position, recorded: stepOfEvent(e), current: waiting && { type: 'WaitForExternalEvent', name: waiting.task.name }, location: waiting?.at };
    const now = waiting ? `waits for event '${waiting.task.name}' there` : `issues no action with eventId ${e.eventId} there`;
    const recorded = waiting && stray ? `EventRaised '${stray[0].name}'` : describeEvent(e);
    return new NonDeterminismError(divergence.position, recorded, now, divergence, divergence.location && formatLocation(divergence.location));
  }

  /** A recorded action after the code has already finished (returned, failed or continued as new). */
  private afterEnd(e: HistoryEvent, position: number): Divergence {
    const outcome = this.outcome!;
    const current: ReplayStep =
      outcome.status === 'Failed' ? { type: 'Failed', input: JSON.stringify(outcome.failureDetails.errorMessage) } : { type: outcome.status };
    return { position, recorded: stepOfEvent(e), current };
  }

  private close(id: number): AtomicTask<unknown> | undefined {
    const entry = this.open.get(id);
    if (!entry) return undefined;
    this.open.delete(id);
    if (entry.kind === 'activity') this.openActivities--;
    return entry.task;
  }

  /** Runs orchestrator code for as long as the task it awaits is complete. */
  private resume(): void {
    while (this.generator && this.awaited?.isCompleted && !this.outcome) {
      const task = this.awaited;
      if (!task.isFaulted) {
        this.step(() => this.generator!.next(task.result));
        continue;
      }
      this.step(() => this.generator!.throw(task.error));
      // The code caught the failure if it went on (yielded or returned) rather than failing with it.
      // (The step may have set the outcome: the loop's condition does not hold for it any more.)
      if ((this.outcome as OrchestrationOutcome | undefined)?.status !== 'Failed')
        for (const error of task.error instanceof AggregatedError ? task.error.errors : [task.error!]) this.handled.add(error);
    }
    this.checkDeferred();
  }

  private step(advance: () => IteratorResult<Task, unknown>): void {
    let next: IteratorResult<Task, unknown>;
    try {
      next = runDeterministically(this.replayedNow, this.random, advance);
    } catch (error) {
      if (error instanceof NonDeterminismError) throw error;
      this.finish({ status: 'Failed', failureDetails: toFailureDetails(error) });
      return;
    }
    if (next.done) {
      this.generator = undefined;
      this.awaited = undefined;
      this.returned(next.value);
      return;
    }
    if (!(next.value instanceof Task)) {
      this.finish({
        status: 'Failed',
        failureDetails: toFailureDetails(
          new TypeError(`Orchestrators must yield tasks (from context.df); got ${next.value === null ? 'null' : typeof next.value}.`),
        ),
      });
      return;
    }
    this.awaited = next.value;
    if (this.awaited.isCompleted) this.resume();
  }

  private returned(value: unknown): void {
    if (this.continuation) {
      const carryover = this.continuation.preserveEvents ? [...this.inbox.values()].flat() : [];
      this.finish({ status: 'ContinuedAsNew', input: this.continuation.input, carryoverEvents: carryover });
      return;
    }
    let result: string | undefined;
    try {
      result = serialize('Orchestrator output', value);
    } catch (error) {
      this.finish({ status: 'Failed', failureDetails: toFailureDetails(error) });
      return;
    }
    this.deferred = { status: 'Completed', result };
    this.checkDeferred();
  }

  private checkDeferred(): void {
    if (this.deferred && this.open.size === 0 && !this.outcome) this.finish(this.deferred);
  }

  private finish(outcome: OrchestrationOutcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.generator = undefined;
  }
}

/** The pure form: replays `past`, applies `newEvents`, and returns what the episode does. */
export function replay(registry: OrchestratorRegistry, instanceId: string, past: readonly HistoryEvent[], newEvents: readonly HistoryEvent[]): EpisodeResult {
  const executor = new OrchestrationExecutor(registry, instanceId);
  executor.replay(past);
  return executor.run(newEvents);
}
