/**
 * The storage port: the one contract every adapter (memory, IndexedDB, KV, Durable Object)
 * implements, and that `test/conformance/store.case.ts` checks.
 *
 * Invariants every adapter keeps:
 * - `commit` applies each episode atomically, and only if the instance still has the
 *   expected version; a stale version is a conflict, never an overwrite.
 * - A message is delivered to a worker only while its lease is held; a lease that is not
 *   completed in time expires and the message is delivered again (at-least-once).
 * - Consumed messages are deleted in the same atomic step that records their effects,
 *   so an episode's effects are committed exactly once.
 * @module
 */
import type { FailureDetails } from '../errors.js';
import type { HistoryEvent, RuntimeStatus } from '../history.js';

/** The status row of one instance (one execution at a time). */
export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** JSON text. */
  input?: string;
  /** JSON text; for a failed instance, a message like Durable Functions'. */
  output?: string;
  /** JSON text. */
  customStatus?: string;
  failureDetails?: FailureDetails;
  /** ISO 8601 UTC, like every time in the port. */
  createdTime: string;
  lastUpdatedTime: string;
  completedTime?: string;
  parentInstanceId?: string;
  /** Bumped by every commit; the optimistic-concurrency token. */
  version: number;
}

/** A message addressed to an orchestration instance: it becomes a history event in an episode. */
export interface OrchestrationMessage {
  id: string;
  instanceId: string;
  /** Set for results of work the given execution scheduled; stale results of an older execution are dropped. */
  executionId?: string;
  event: HistoryEvent;
  /** Not delivered before this time (durable timers). ISO 8601 UTC. */
  visibleAt: string;
}

export interface ActivityWorkItem {
  id: string;
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
  name: string;
  input?: string;
  /** ISO 8601 UTC. */
  enqueuedTime: string;
}

export interface Lease {
  /** Proves ownership when completing; changes with every lease. */
  token: string;
  /** Epoch ms after which the lease lapses and the work is delivered again. */
  expiresAt: number;
}

export interface OrchestrationWorkItem {
  instanceId: string;
  /** Every visible message for the instance at lease time, ordered by `visibleAt` (ties: enqueue order). */
  messages: OrchestrationMessage[];
  lease: Lease;
}

export interface LeasedActivity {
  item: ActivityWorkItem;
  lease: Lease;
  /** How many times this item has been leased, this time included. */
  deliveryCount: number;
}

/** An instance the commit creates, with its ExecutionStarted message (sub-orchestrations, continue-as-new). */
export interface NewInstance {
  record: Omit<InstanceRecord, 'version'>;
  start: OrchestrationMessage;
}

export interface EpisodeCommit {
  instanceId: string;
  /** The version loaded; the commit fails with a conflict if the stored one differs. */
  expectedVersion: number;
  lease?: Lease;
  /** The new status row; `version` is assigned by the store. */
  instance: Omit<InstanceRecord, 'version'>;
  /** Events to append, or a whole new history (continue-as-new, rewind). */
  history: { append: HistoryEvent[] } | { replace: HistoryEvent[] };
  consumedMessageIds: string[];
  messages: OrchestrationMessage[];
  activities: ActivityWorkItem[];
  /** Child instances to create; an existing child in a non-terminal status is a conflict. */
  newInstances: NewInstance[];
  /**
   * Eager dispatch: lease up to `max` of `activities` to the committer in the same atomic step,
   * so the worker that scheduled them runs them without a round trip through the queue. A
   * store may lease fewer or none (it is an optimisation); the rest are queued as usual.
   */
  leaseActivities?: EagerLease & { max: number };
  /**
   * Activity results this episode records directly: the committer ran these activities, and
   * `history.append` holds their TaskCompleted or TaskFailed events. The same as completing
   * them, leasing the instance with exactly their results and committing, in one atomic step.
   * So the commit is a conflict, and nothing is written, unless each activity is still held
   * under its lease and the instance has no message visible at `now` (which also means that no
   * other worker holds it); the committer then completes the activities as usual. `lease` and
   * `consumedMessageIds` stay empty.
   */
  completesActivities?: { now: number; activities: LeasedActivity[] };
}

/** When and for how long an eagerly leased item is leased: the same arguments as a lease call. */
export interface EagerLease {
  now: number;
  lockMs: number;
}

export type CommitOutcome =
  | {
      ok: true;
      version: number;
      /** The activities leased eagerly (`EpisodeCommit.leaseActivities`). */
      leasedActivities?: LeasedActivity[];
    }
  | { ok: false; error: Error };

export interface ActivityCompletion {
  leased: LeasedActivity;
  /** The TaskCompleted or TaskFailed message for the orchestration. */
  result: OrchestrationMessage;
  /**
   * Eager dispatch: once the result is enqueued, lease its instance to the completer as
   * `leaseOrchestration` would (every visible message, only if no live lease holds it). A store
   * may decline; the instance is then leased from the queue as usual.
   */
  leaseInstance?: EagerLease;
}

export interface CompletionOutcome {
  /** False when the activity's lease was lost: the result was dropped, the new holder will report. */
  applied: boolean;
  /** The instance, leased eagerly (`ActivityCompletion.leaseInstance`). */
  workItem?: OrchestrationWorkItem;
}

export interface InstanceQuery {
  runtimeStatus?: readonly RuntimeStatus[];
  /** Inclusive, ISO 8601. */
  createdTimeFrom?: string;
  /** Inclusive, ISO 8601. */
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  /** 1..1000; default 100. */
  pageSize?: number;
  continuationToken?: string;
}

/**
 * A page of instances. Pages are disjoint and together hold exactly the matching instances.
 * Order: newest first (createdTime, then instanceId, descending); when `instanceIdPrefix`
 * is set, by instanceId ascending.
 */
export interface InstancePage {
  instances: InstanceRecord[];
  /** Absent on the last page. */
  continuationToken?: string;
}

export interface PurgeFilter {
  createdTimeFrom?: string;
  createdTimeTo?: string;
  /** Only terminal statuses; default: all three. */
  runtimeStatus?: readonly RuntimeStatus[];
}

/** What `countInstances` counts: instances created in this range (both ends inclusive, ISO 8601; either open). */
export interface CountFilter {
  createdTimeFrom?: string;
  createdTimeTo?: string;
}

/** How many instances are in each runtime status; every status is present (0 when none). */
export type InstanceCounts = Record<RuntimeStatus, number>;

/** One page of an instance's history: `events` from row `from` on, and how many rows the whole history has. */
export interface HistoryPage {
  events: HistoryEvent[];
  total: number;
}

export interface PurgeOptions {
  /** Called with the number purged so far, after each chunk a store writes. */
  onProgress?: (purged: number) => void;
}

export type StoreNotification = { kind: 'work' } | { kind: 'instance'; instanceId: string; runtimeStatus: RuntimeStatus };

/** One task hub's storage. */
export interface TaskHubStore {
  readonly taskHub: string;
  /**
   * Callers send each `commit` and `completeActivities` call at once rather than batching them
   * behind the one in flight: the store merges concurrent calls into shared transactions itself
   * (IndexedDB's connection does), or a write costs too little to be worth grouping (memory).
   * Default: callers batch (group commit).
   */
  readonly unbatchedWrites?: boolean;

  /**
   * Creates the instance and enqueues its start message, atomically. An existing instance
   * in a terminal status is replaced (with its history and messages); a non-terminal one
   * raises `InstanceAlreadyExistsError`.
   */
  createInstance(instance: NewInstance): Promise<InstanceRecord>;
  getInstance(instanceId: string): Promise<InstanceRecord | undefined>;
  /** The current execution's history, oldest first. */
  getHistory(instanceId: string): Promise<HistoryEvent[]>;
  queryInstances(query: InstanceQuery): Promise<InstancePage>;
  /**
   * How many instances are in each status, created in the filter's range: from the store's
   * status index (maintained counters, or an index count per status), never by reading
   * instance rows. Bad times raise `InvalidArgumentError`.
   */
  countInstances(filter: CountFilter): Promise<InstanceCounts>;
  /**
   * Optional: rows `from` to `from + top - 1` (0-based) of `getHistory`, reading only those
   * where the store can, and the history's length. Callers use `historyPage()` from
   * `history-page.ts`, which falls back to slicing `getHistory`.
   */
  getHistoryPage?(instanceId: string, from: number, top: number): Promise<HistoryPage>;

  enqueueMessages(messages: OrchestrationMessage[]): Promise<void>;
  /** Leases one instance that has visible messages and no live lease. */
  leaseOrchestration(now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined>;
  /**
   * Optional batch form of `leaseOrchestration`: the same as calling it up to `max` times
   * with the same `now` and `lockMs`, atomically (one transaction or round trip). Returns
   * 0..max work items, each for a distinct instance with its own lease (lockMs > 0); fewer than `max`
   * means nothing else was leasable. Callers use `leaseOrchestrations()` from
   * `worker/lease-many.ts`, which falls back to the single form for adapters without it.
   */
  leaseOrchestrations?(now: number, lockMs: number, max: number): Promise<OrchestrationWorkItem[]>;
  /** Releases a lease without effects; the messages become visible again (not before `visibleAt`, epoch ms, if given). */
  abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): Promise<void>;
  /** Commits episodes, each atomically and independently; the lease of each is released. */
  commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]>;
  /** Deletes messages for an instance that cannot take them (it is gone or finished). */
  discardMessages(workItem: OrchestrationWorkItem, messageIds: string[]): Promise<void>;

  leaseActivity(now: number, lockMs: number): Promise<LeasedActivity | undefined>;
  /**
   * Optional batch form of `leaseActivity`: the same as calling it up to `max` times with the
   * same `now` and `lockMs`, atomically. Returns 0..max distinct activity items, each with its
   * own lease; fewer than `max` means nothing else was leasable. See `leaseActivities()` in
   * `worker/lease-many.ts` for the fallback.
   */
  leaseActivities?(now: number, lockMs: number, max: number): Promise<LeasedActivity[]>;
  /**
   * Deletes each activity item and enqueues its result, atomically per item. An item whose
   * lease was lost is not completed (its result is dropped): the new holder will report.
   * Eager instance leases are taken after every result of the call is enqueued, so an instance
   * that several completions address is leased once, with all of them.
   */
  completeActivities(completions: ActivityCompletion[]): Promise<CompletionOutcome[]>;
  abandonActivity(leased: LeasedActivity, visibleAt?: number): Promise<void>;

  /** The earliest time (epoch ms) at which some message or expired lease becomes deliverable, if any. */
  nextWakeTime(): Promise<number | undefined>;

  /** Deletes the instance, its history and its pending work if its status is one of `onlyIf`. Returns 1 or 0. */
  purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number>;
  /**
   * Deletes every instance that matches (as `purgeInstance` each). A store may work in bounded
   * chunks, each atomic, so that a large purge does not hold up other calls: then an instance
   * that stops matching meanwhile (restarted) is left. `onProgress` gets the running total after
   * each chunk.
   */
  purgeInstances(filter: PurgeFilter, options?: PurgeOptions): Promise<number>;

  /**
   * Optional, for remote stores: resolves with the instance once its status is one of
   * `statuses` (at once if it already is), or with its row as it is when `timeoutMs` has
   * passed; undefined if there is no such instance. A wait in the store saves the caller a read
   * and a notification round trip per change; callers use `subscribe` and reads without it.
   */
  waitForInstance?(instanceId: string, statuses: readonly RuntimeStatus[], timeoutMs: number): Promise<InstanceRecord | undefined>;
  /**
   * Optional, for remote stores: `createInstance`, then `waitForInstance` on the new instance, in
   * one call (one round trip instead of two). Callers make the two calls without it.
   */
  createInstanceAndWait?(instance: NewInstance, statuses: readonly RuntimeStatus[], timeoutMs: number): Promise<InstanceRecord | undefined>;

  /**
   * Optional, and only for a caller that knows no other worker of the hub is alive (a browser
   * tab that has just taken the hub's Web Lock: every earlier holder's tab is gone or stopped;
   * the Node host that has just claimed its SQLite file; a task hub object starting again).
   * Releases every orchestration and activity lease of the hub in one atomic step, so that the
   * work a dead worker held is delivered again at once instead of when its lease lapses. A
   * released lease commits and completes nothing any more (its token no longer holds the work);
   * messages and activities keep their due times. Returns how many leases of each it released.
   */
  releaseLeases?(): Promise<ReleasedLeases>;

  /** Optional push notifications (same process); callers fall back to polling without them. */
  subscribe?(listener: (notification: StoreNotification) => void): () => void;
}

/** A storage backend: a set of task hubs. */
export interface Storage {
  taskHub(name: string): TaskHubStore;
  /** Hubs that hold at least one instance or message. */
  listTaskHubs(): Promise<string[]>;
  /** Deletes every instance, history and message of the hub. Returns whether it existed. */
  deleteTaskHub(name: string): Promise<boolean>;
  close?(): Promise<void>;
}

/** What `releaseLeases` released: how many instance locks and activity leases. */
export interface ReleasedLeases {
  instances: number;
  activities: number;
}
