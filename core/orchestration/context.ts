/**
 * The orchestration context: durable-functions' `context.df` surface. Every method that
 * does something durable issues an action with the next sequence number; the same code
 * replayed over the same history issues the same actions in the same order.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { nameBasedUuid } from '../guid.js';
import type { ExecutionStarted } from '../history.js';
import { serialize } from '../json.js';
import { MAX_INSTANCE_ID_LENGTH, validateInstanceId, validateName } from '../limits.js';
import type { OrchestratorAction } from './executor.js';
import { RetryOptions } from './retry.js';
import { AtomicTask, ExternalEventTask, RetryableTask, type Task, TimerTask, WhenAllTask, WhenAnyTask } from './task.js';

/** What the context needs from the executor that runs it. */
export interface ExecutorHost {
  readonly instanceId: string;
  readonly replaying: boolean;
  readonly now: number;
  nextSequence(): number;
  addAction(action: OrchestratorAction, task: AtomicTask<unknown>): void;
  waitForEvent(task: ExternalEventTask): void;
  setCustomStatus(json: string | undefined): void;
  continueAsNew(input: string | undefined, preserveEvents: boolean): void;
  /** A retry policy goes on from this failed attempt with another one. */
  retrying(error: Error): void;
}

/** `Task.all` / `Task.any`, as on `context.df.Task`. */
export const TaskSet = {
  all<T = any>(tasks: Task<T>[]): Task<T[]> {
    return new WhenAllTask<T>(tasks);
  },
  any(tasks: Task[]): Task<Task> {
    return new WhenAnyTask(tasks);
  },
};

export class DurableOrchestrationContext {
  readonly Task = TaskSet;
  private guidCounter = 0;

  constructor(
    private readonly host: ExecutorHost,
    private readonly started: ExecutionStarted,
  ) {}

  get instanceId(): string {
    return this.host.instanceId;
  }
  get parentInstanceId(): string | undefined {
    return this.started.parentInstance?.instanceId;
  }
  get isReplaying(): boolean {
    return this.host.replaying;
  }
  /** The time of the current episode, from history: the same on every replay. */
  get currentUtcDateTime(): Date {
    return new Date(this.host.now);
  }

  getInput<T = unknown>(): T {
    return (this.started.input === undefined ? undefined : JSON.parse(this.started.input)) as T;
  }

  callActivity<T = any>(name: string, input?: unknown): Task<T> {
    validateName('Activity', name);
    const payload = serialize(() => `Input of activity '${name}'`, input);
    const id = this.host.nextSequence();
    return this.issue<T>({ type: 'ScheduleTask', id, name, input: payload }, new AtomicTask<T>(id));
  }

  callActivityWithRetry<T = any>(name: string, retryOptions: RetryOptions, input?: unknown): Task<T> {
    return this.withRetry(retryOptions, () => this.callActivity<T>(name, input));
  }

  callSubOrchestrator<T = any>(name: string, input?: unknown, instanceId?: string): Task<T> {
    validateName('Orchestrator', name);
    const payload = serialize(`Input of sub-orchestration '${name}'`, input);
    const id = this.host.nextSequence();
    const childId = instanceId === undefined ? this.childInstanceId(id) : validateInstanceId(instanceId);
    return this.issue<T>({ type: 'CreateSubOrchestration', id, name, instanceId: childId, input: payload }, new AtomicTask<T>(id));
  }

  callSubOrchestratorWithRetry<T = any>(name: string, retryOptions: RetryOptions, input?: unknown, instanceId?: string): Task<T> {
    // Without a fixed ID each attempt gets its own child (the ID derives from the sequence number);
    // with one, a retry replaces the failed child.
    return this.withRetry(retryOptions, () => this.callSubOrchestrator<T>(name, input, instanceId));
  }

  createTimer(fireAt: Date): TimerTask {
    if (!(fireAt instanceof Date) || Number.isNaN(fireAt.getTime())) throw new InvalidArgumentError('createTimer needs a valid Date.');
    const id = this.host.nextSequence();
    const task = new TimerTask(id);
    this.host.addAction({ type: 'CreateTimer', id, fireAt: fireAt.toISOString() }, task);
    return task;
  }

  waitForExternalEvent<T = any>(name: string): Task<T> {
    validateName('Event', name);
    const task = new ExternalEventTask<T>(name);
    this.host.waitForEvent(task as ExternalEventTask);
    return task;
  }

  /** Restarts the orchestration with a fresh history once this episode ends. */
  continueAsNew(input: unknown, preserveUnprocessedEvents = false): void {
    this.host.continueAsNew(serialize('continueAsNew input', input), preserveUnprocessedEvents);
  }

  setCustomStatus(value: unknown): void {
    this.host.setCustomStatus(serialize('Custom status', value, 16 * 1024));
  }

  /** A deterministic UUID: the same on every replay. */
  newGuid(instanceId: string = this.instanceId): string {
    return nameBasedUuid(`${instanceId}_${this.currentUtcDateTime.toISOString()}_${this.guidCounter++}`);
  }

  private issue<T>(action: OrchestratorAction, task: AtomicTask<T>): Task<T> {
    this.host.addAction(action, task as AtomicTask<unknown>);
    return task;
  }

  private childInstanceId(sequence: number): string {
    const id = `${this.instanceId}:${sequence.toString(16).padStart(4, '0')}`;
    return id.length <= MAX_INSTANCE_ID_LENGTH ? id : this.newGuid().replaceAll('-', '');
  }

  private withRetry<T>(options: RetryOptions, attempt: () => Task<T>): Task<T> {
    if (!(options instanceof RetryOptions)) throw new InvalidArgumentError('retryOptions must be a RetryOptions.');
    const firstAttemptAt = this.host.now;
    let failures = 0;
    const retryable = new RetryableTask<T>(attempt());
    retryable.onAttemptFailed = (error) => {
      failures++;
      const delay = options.nextDelay(failures, this.host.now - firstAttemptAt);
      if (delay === undefined) {
        retryable.fail(error);
        return;
      }
      this.host.retrying(error);
      const timer = this.createTimer(new Date(this.host.now + delay));
      timer.observe({ childSettled: () => retryable.follow(attempt()) });
    };
    return retryable;
  }
}

/** What an orchestrator function receives; `context.df` is the durable API. */
export class OrchestrationContext {
  readonly df: DurableOrchestrationContext;
  constructor(host: ExecutorHost, started: ExecutionStarted) {
    this.df = new DurableOrchestrationContext(host, started);
  }
}
