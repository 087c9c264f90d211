/**
 * The lease loop: leases work up to the free slots, starts each item on its slot, and sleeps
 * until there may be more (a notification, a finished task, the next due time or a poll).
 * @module
 */
import type { LeasedActivity, OrchestrationWorkItem } from '../store/port.js';
import type { Dispatch, WorkerContext } from './context.js';
import { leaseActivities, leaseOrchestrations } from './lease-many.js';
import type { Slots } from './slots.js';

/**
 * Most work items one lease call asks for. A store with batch leasing takes them in one
 * transaction; each lease on its own costs one (the bottleneck on IndexedDB).
 */
const LEASE_BATCH = 32;
/**
 * Lock time per item of a batch. Leasing a batch at once makes the worker take work faster
 * than it finishes it under load; with a lock shorter than that work, every lease lapses and
 * is taken over again before its episode commits, and workers livelock. So the lock must
 * outlast a batch's work, and the batch shrinks with the lock: 32 at the defaults, one item per call below 100 ms.
 */
const LOCK_MS_PER_BATCHED_ITEM = 50;
const batchFor = (lockMs: number) => Math.max(1, Math.min(LEASE_BATCH, Math.floor(lockMs / LOCK_MS_PER_BATCHED_ITEM)));

/** Runs a task; resolves to whether it handed its follow-up work on by eager dispatch (see `track`). */
type Run<T> = (work: T) => Promise<boolean>;

/** One kind of work `fill` leases: its slots, its batch size, and the store call that leases and starts each item. */
interface Lane {
  slots: Slots;
  batch: number;
  lease(now: number, max: number): Promise<readonly unknown[]>;
}

export class WorkerLoop implements Dispatch {
  /** Episodes and activities running now, and those waiting for the next of them to end. */
  private tasks = 0;
  private readonly taskEndWaiters: (() => void)[] = [];
  private running = false;
  /** Whether the last fill stopped at the concurrency limits. */
  private saturated = false;
  private loopDone: Promise<void> | undefined;
  private dirty = true;
  private wakeResolve: (() => void) | undefined;
  /** The one armed wake-up timer (see `armTimer`). */
  private timer: { at: number; cancel: () => void } | undefined;

  constructor(
    private readonly context: WorkerContext,
    private readonly runEpisode: Run<OrchestrationWorkItem>,
    private readonly runActivity: Run<LeasedActivity>,
    private readonly onError: ((error: unknown) => void) | undefined,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.context.stopped = false;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.context.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.wake();
    await this.loopDone;
    // Work in flight may still start its eager follow-up until it sees `stopped`: wait for all of it.
    while (this.tasks > 0) await this.nextTaskEnd();
  }

  async runUntilIdle(): Promise<void> {
    if (this.running) throw new Error('runUntilIdle() cannot be used while the worker runs in the background.');
    this.context.stopped = false;
    const unsubscribe = this.context.store.subscribe?.(() => this.wake());
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

  startEpisode(item: OrchestrationWorkItem, reserved = false): void {
    const slots = this.context.episodeSlots;
    if (!reserved) slots.take();
    void this.track(this.runEpisode(item), slots);
  }

  startActivity(leased: LeasedActivity, reserved = false): void {
    const slots = this.context.activitySlots;
    if (!reserved) slots.take();
    void this.track(this.runActivity(leased), slots);
  }

  private async loop(): Promise<void> {
    const unsubscribe = this.context.store.subscribe?.(() => this.wake());
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
   * Sleeps until woken (a store notification, a finished task) or until the next due timer,
   * lease expiry or poll. Polling stays on even with notifications: they reach only the writers
   * a store can tell (this process; IndexedDB's other tabs, over a BroadcastChannel), not
   * another host or the CLI on the same SQLite file.
   */
  private async idle(): Promise<void> {
    if (this.dirty || !this.running) return;
    const { clock, settings, store } = this.context;
    const now = clock.now();
    let deadline = now + settings.pollIntervalMs;
    try {
      const next = await store.nextWakeTime();
      if (next !== undefined) deadline = Math.min(deadline, next);
    } catch (error) {
      this.report(error);
    }
    if (this.dirty || !this.running) return;
    if (deadline <= clock.now()) {
      // Work is due, but with the slots full the loop could lease none of it: the end of a task
      // wakes it (see `track`). Returning here would spin on microtasks alone and starve a store
      // whose writes complete in a later turn (SQLite's group commit).
      if (!this.saturated) return;
      deadline = clock.now() + settings.pollIntervalMs;
    }
    const woken = new Promise<void>((resolve) => {
      this.wakeResolve = resolve;
    });
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
    const { clock } = this.context;
    const timer = {
      at: deadline,
      cancel: clock.setTimer(deadline - clock.now(), () => {
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
    const { store, clock, settings, episodeSlots, activitySlots } = this.context;
    let leased = false;
    // Slots are reserved while a lease call is out (eager dispatch may take slots meanwhile); each leased item runs on one of them.
    let reserved = 0;
    const runEpisode = (item: OrchestrationWorkItem) => {
      leased = true;
      reserved--;
      this.startEpisode(item, true);
    };
    const runActivity = (item: LeasedActivity) => {
      leased = true;
      reserved--;
      this.startActivity(item, true);
    };
    const { orchestrationLockMs, activityLockMs } = settings;
    // Both lanes are leased in this one loop: an await between them lets the episodes just leased
    // take every activity slot eagerly, and a fan-out's results then come back one episode each.
    const lanes: readonly Lane[] = [
      { slots: episodeSlots, batch: batchFor(orchestrationLockMs), lease: (now, max) => leaseOrchestrations(store, now, orchestrationLockMs, max, runEpisode) },
      { slots: activitySlots, batch: batchFor(activityLockMs), lease: (now, max) => leaseActivities(store, now, activityLockMs, max, runActivity) },
    ];
    for (const { slots, batch, lease } of lanes) {
      for (let free: number; (free = slots.free) > 0; ) {
        const want = Math.min(free, batch);
        slots.take((reserved = want));
        let items: readonly unknown[];
        try {
          items = await lease(clock.now(), want);
        } finally {
          slots.release(reserved);
        }
        if (items.length < want) break;
      }
    }
    this.saturated = episodeSlots.free <= 0 || activitySlots.free <= 0;
    return leased;
  }

  /**
   * Sees a task to its end and gives its slot back. `work` resolves to whether it handed its
   * follow-up work on by eager dispatch. Only a task that did not wakes the loop to lease what
   * it may have produced (or when slots were full): a chain of eagerly dispatched steps runs
   * without a trip through the lease loop. One async frame per task, with no chained
   * .finally/.catch/.then handlers: each handler is a promise and a microtask on every step.
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
    return new Promise((resolve) => {
      this.taskEndWaiters.push(resolve);
    });
  }

  private report(error: unknown): void {
    if (this.onError) this.onError(error);
    else console.error('[edge-durable worker]', error);
  }
}
