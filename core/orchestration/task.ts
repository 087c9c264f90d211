/**
 * Tasks are what an orchestrator yields. They complete only from history events,
 * which is what makes replay deterministic.
 * @module
 */
import { AggregatedError } from '../errors.js';

export type TaskState = 'pending' | 'completed' | 'failed';

export interface TaskObserver {
  childSettled(child: Task): void;
}

export abstract class Task<T = unknown> {
  protected state: TaskState = 'pending';
  protected value: T | undefined;
  protected failure: Error | undefined;
  private observers: TaskObserver[] | undefined;

  /** @internal A task may belong to several composites (e.g. `Task.any` then `Task.all`). */
  observe(observer: TaskObserver): void {
    (this.observers ??= []).push(observer);
  }

  get isCompleted(): boolean {
    return this.state !== 'pending';
  }
  get isFaulted(): boolean {
    return this.state === 'failed';
  }
  get result(): T | undefined {
    return this.value;
  }
  get error(): Error | undefined {
    return this.failure;
  }

  /** @internal */
  complete(value: T): void {
    if (this.isCompleted) return;
    this.state = 'completed';
    this.value = value;
    this.notify();
  }

  /** @internal */
  fail(error: Error): void {
    if (this.isCompleted) return;
    this.state = 'failed';
    this.failure = error;
    this.notify();
  }

  private notify(): void {
    if (this.observers) for (const o of this.observers) o.childSettled(this);
  }
}

/** A task backed by one action in history (activity, sub-orchestration, timer). */
export class AtomicTask<T = unknown> extends Task<T> {
  constructor(readonly id: number) {
    super();
  }
}

export class TimerTask extends AtomicTask<void> {
  private canceled = false;
  /** @internal set by the executor */
  onCancel: (() => void) | undefined;

  get isCanceled(): boolean {
    return this.canceled;
  }

  /** Stops waiting for the timer; a canceled timer does not keep the orchestration alive. */
  cancel(): void {
    if (this.isCompleted) throw new Error('A timer that already fired cannot be canceled.');
    if (this.canceled) return;
    this.canceled = true;
    this.onCancel?.();
  }
}

export class ExternalEventTask<T = unknown> extends Task<T> {
  constructor(readonly name: string) {
    super();
  }
}

/** Completes when all children complete, or fails once all settled and any failed. */
export class WhenAllTask<T = unknown> extends Task<T[]> implements TaskObserver {
  private remaining: number;

  constructor(readonly children: Task<T>[]) {
    super();
    this.remaining = children.filter((c) => !c.isCompleted).length;
    for (const child of children) if (!child.isCompleted) child.observe(this);
    if (this.remaining === 0) this.settle();
  }

  childSettled(): void {
    if (--this.remaining === 0) this.settle();
  }

  private settle(): void {
    const errors = this.children.filter((c) => c.isFaulted).map((c) => c.error!);
    if (errors.length) this.fail(new AggregatedError(errors));
    else this.complete(this.children.map((c) => c.result as T));
  }
}

/** Completes with the first child to settle (successfully or not). */
export class WhenAnyTask extends Task<Task> implements TaskObserver {
  constructor(readonly children: Task[]) {
    super();
    if (children.length === 0) throw new TypeError('Task.any needs at least one task.');
    const done = children.find((c) => c.isCompleted);
    if (done) this.complete(done);
    else for (const child of children) child.observe(this);
  }

  childSettled(child: Task): void {
    this.complete(child);
  }
}

/** A task that settles when its current attempt does; retries replace the attempt. */
export class RetryableTask<T = unknown> extends Task<T> implements TaskObserver {
  /** @internal */
  attempt: Task<T>;
  /** @internal */
  onAttemptFailed: ((error: Error) => void) | undefined;

  constructor(first: Task<T>) {
    super();
    this.attempt = first;
    first.observe(this);
  }

  /** @internal */
  follow(next: Task<T>): void {
    this.attempt = next;
    next.observe(this);
  }

  childSettled(child: Task): void {
    if (child !== this.attempt) return;
    if (child.isFaulted) this.onAttemptFailed?.(child.error!);
    else this.complete(child.result as T);
  }
}
