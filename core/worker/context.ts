/**
 * What the worker's parts share: the app and store, the settings, the two concurrency limits,
 * the group-committed writes, and the stop flag.
 * @module
 */
import type { DurableApp } from '../app.js';
import type { Clock } from '../clock.js';
import type {
  ActivityCompletion,
  CommitOutcome,
  CompletionOutcome,
  EpisodeCommit,
  LeasedActivity,
  OrchestrationWorkItem,
  TaskHubStore,
} from '../store/port.js';
import type { Slots } from './slots.js';

export interface WorkerSettings {
  orchestrationLockMs: number;
  activityLockMs: number;
  /** Orchestrators kept in memory, or `false` for none (strict mode). */
  replayCache: number | false;
  pollIntervalMs: number;
}

export interface WorkerContext {
  readonly app: DurableApp;
  readonly store: TaskHubStore;
  readonly clock: Clock;
  readonly settings: WorkerSettings;
  readonly newId: (derivedFrom?: string) => string;
  readonly episodeSlots: Slots;
  readonly activitySlots: Slots;
  /** Writes one episode commit, grouped with those in flight together (see `groupCommit`). */
  readonly commit: (episode: EpisodeCommit) => Promise<CommitOutcome>;
  readonly complete: (completion: ActivityCompletion) => Promise<CompletionOutcome>;
  /** Set by `stop()`: no more eager leases (background or `runUntilIdle`). */
  stopped: boolean;
}

/** Starts work on a slot and sees it to its end (the loop's `track`). */
export interface Dispatch {
  /** `reserved`: the caller took the slot already. */
  startEpisode(item: OrchestrationWorkItem, reserved?: boolean): void;
  startActivity(leased: LeasedActivity, reserved?: boolean): void;
}
