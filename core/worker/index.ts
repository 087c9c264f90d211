/**
 * The worker runs episodes and activities against a task hub's store, with concurrency limits
 * on an injectable clock. Its parts: the lease loop (`loop.ts`), episodes with the replay
 * cache (`episode.ts`, committing what `commit.ts` builds) and activities (`activity.ts`).
 * @module
 */
import type { DurableApp } from '../app.js';
import { type Clock, systemClock } from '../clock.js';
import { uniqueId } from '../ids.js';
import type { TaskHubStore } from '../store/port.js';
import { runActivity } from './activity.js';
import { groupCommit } from './batcher.js';
import type { WorkerContext } from './context.js';
import { EpisodeRunner } from './episode.js';
import { WorkerLoop } from './loop.js';
import { Slots } from './slots.js';

/** The lock times a worker takes without options: the longest a lease it took can hold its work. */
export const DEFAULT_ORCHESTRATION_LOCK_MS = 30_000;
export const DEFAULT_ACTIVITY_LOCK_MS = 300_000;

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

export class Worker {
  private readonly loop: WorkerLoop;
  private readonly episodes: EpisodeRunner;

  constructor(
    app: DurableApp,
    readonly store: TaskHubStore,
    options: WorkerOptions = {},
  ) {
    const context: WorkerContext = {
      app,
      store,
      clock: options.clock ?? systemClock,
      settings: {
        orchestrationLockMs: options.orchestrationLockMs ?? DEFAULT_ORCHESTRATION_LOCK_MS,
        activityLockMs: options.activityLockMs ?? DEFAULT_ACTIVITY_LOCK_MS,
        replayCache: options.replayCache ?? 1000,
        pollIntervalMs: options.pollIntervalMs ?? 1000,
      },
      newId: options.newId ?? uniqueId,
      episodeSlots: new Slots(options.maxConcurrentOrchestrations ?? 64),
      activitySlots: new Slots(options.maxConcurrentActivities ?? 64),
      commit: groupCommit(store, (batch) => store.commit(batch)),
      complete: groupCommit(store, (batch) => store.completeActivities(batch)),
      stopped: false,
    };
    // The loop starts tasks that the episodes and activities run; they start their follow-up work through the loop.
    const loop: WorkerLoop = new WorkerLoop(
      context,
      (item) => episodes.run(item),
      (leased) => runActivity(context, episodes, loop, leased),
      options.onError,
    );
    const episodes = new EpisodeRunner(context, loop);
    this.episodes = episodes;
    this.loop = loop;
  }

  /** Starts processing in the background until `stop()`. */
  start(): void {
    this.loop.start();
  }

  /** Stops leasing new work and waits for the work in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Processes everything that is due now, then returns: for the simulator, tests, and hosts
   * that run the engine in bursts (a Durable Object). Between fills it waits for a sign of new
   * work (a store notification, or a task that did not hand its follow-up on eagerly).
   */
  runUntilIdle(): Promise<void> {
    return this.loop.runUntilIdle();
  }

  /** Forgets every cached orchestrator, as a fresh process would. */
  clearCache(): void {
    this.episodes.clearCache();
  }
}
