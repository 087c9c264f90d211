/**
 * The Worker side: a `Storage` whose `taskHub(name)` talks to the hub's Durable Object
 * (`namespace.idFromName(name)`) over RPC. A registry object (`#registry`) remembers
 * which hubs were ever written, for `listTaskHubs`.
 *
 * Safe to keep for the life of an isolate (one per Worker, not one per request): a
 * Durable Object stub is bound to the request that created it ("Cannot perform I/O on
 * behalf of a different request"), so every call gets its stub from the namespace
 * binding, which is not request-bound, and nothing here keeps a stub, a pending RPC
 * promise or any other request-bound object between calls. What is kept across requests
 * is plain data: the names of the hubs already registered.
 * @module
 */

import { isDurableError } from '../../core/errors.js';
import type { HistoryEvent, RuntimeStatus } from '../../core/history.js';
import { validateTaskHubName } from '../../core/limits.js';
import type * as port from '../../core/store/port.js';
import { type HubMethod, type NotificationBatch, REGISTRY } from './host.js';
import { hubAddress, objectName } from './partition.js';
import { type PartitionSettings, partitionsFor } from './partition-settings.js';
import { PartitionedTaskHub } from './partitioned-remote.js';
import { fromWire, type WireError, type WireResult } from './rpc-errors.js';

/** The RPC surface of `TaskHubDurableObject` that the caller needs. */
export interface TaskHubStub {
  invoke(hub: string, method: string, args: unknown[]): Promise<WireResult>;
}

/** A Durable Object namespace binding (`env.TASK_HUB`), structurally. */
export interface TaskHubNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): TaskHubStub;
}

/**
 * The binding's class is not a task-hub object: workerd refuses the `invoke` RPC. The object's
 * own errors come back as `WireResult`s, never thrown, so a thrown error is the runtime's.
 */
export class NotATaskHubError extends Error {
  override readonly name = 'NotATaskHubError';
  constructor(cause: unknown) {
    super(
      'The Durable Object class of the task hub binding is not a task-hub object (it has no RPC method `invoke`): ' +
        'bind the class exported as `export const TaskHub = createTaskHub(app)` (or a subclass of TaskHubDurableObject).',
      { cause },
    );
  }
}

/** workerd's messages for an object class without the method, and for one that does not extend `DurableObject`. */
const NOT_A_TASK_HUB = /does not implement the method "invoke"|does not support RPC/;

/** One call of a task-hub object's `invoke`, its error rebuilt typed. */
export async function invokeHub<T>(stub: TaskHubStub, hub: string, method: string, args: unknown[]): Promise<T> {
  let result: WireResult;
  try {
    result = await stub.invoke(hub, method, args);
  } catch (error) {
    throw error instanceof Error && NOT_A_TASK_HUB.test(error.message) ? new NotATaskHubError(error) : error;
  }
  if (!result.ok) throw fromWire(result.error);
  return result.value as T;
}

/** How long one notification poll may wait in the object. */
const POLL_MS = 10_000;
/** Hub names remembered as registered; past it the oldest is forgotten (it costs one idempotent RPC again). */
const MAX_REGISTERED = 1024;

interface Joined {
  method: HubMethod;
  args: unknown[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  wait?: Wait;
}
/** A start that the caller waits on: the call that starts and waits at once, for a start alone in its turn; else the wait to make once the joined call has started it. */
interface Wait {
  alone: [HubMethod, unknown[]];
  after: (value: unknown) => Promise<unknown>;
}

/** The object checks activities recorded directly by id and lease: their input (maybe large) need not travel back. */
function slim(e: port.EpisodeCommit): port.EpisodeCommit {
  const direct = e.completesActivities;
  if (!direct) return e;
  const activities = direct.activities.map(({ item: { input: _, ...item }, lease, deliveryCount }) => ({ item, lease, deliveryCount }));
  return { ...e, completesActivities: { now: direct.now, activities } };
}

/** Stateless but for its name and the calls of the current turn: as cheap to make per call as to keep. */
export class RemoteTaskHub implements port.TaskHubStore {
  /** Calls made in this turn, sent together at its end (see `together`). */
  private turn: Joined[] | undefined;

  constructor(
    readonly taskHub: string,
    private readonly stub: () => TaskHubStub,
    private readonly registered: () => Promise<void>,
  ) {}

  /**
   * Notifications across the boundary, by long polling the object while the listener is
   * subscribed. Best effort, as the port allows: callers still poll (e.g. a client's wait
   * interval).
   *
   * Each subscription has its own poll loop, run by the request that subscribed: loops
   * are never shared, so a listener never depends on another request's I/O. On Workers a
   * loop lives no longer than its request: once the response is sent the runtime cancels
   * the pending poll and the loop ends silently, without calling the listener again (a
   * subscriber that outlives its request just falls back to polling). It is deliberately
   * not kept alive with `waitUntil`: a poll is only of use to a listener in a live request.
   * After unsubscribing, a poll already in flight is left to end (at most `POLL_MS`); its
   * result is dropped.
   */
  subscribe(listener: (n: port.StoreNotification) => void): () => void {
    const subscription = { open: true };
    void this.poll(listener, subscription);
    return () => {
      subscription.open = false;
    };
  }

  private async poll(listener: (n: port.StoreNotification) => void, subscription: { open: boolean }): Promise<void> {
    try {
      let after = -1;
      while (subscription.open) {
        const batch = await this.call<NotificationBatch>('pollNotifications', after, after < 0 ? 0 : POLL_MS);
        after = batch.seq;
        const notifications = batch.gap ? [{ kind: 'work' } as const, ...batch.notifications] : batch.notifications;
        for (const n of notifications) {
          if (!subscription.open) return;
          listener(n);
        }
      }
    } catch {
      // The listener falls back to polling; a new subscription starts again.
    }
  }

  async createInstance(instance: port.NewInstance): Promise<port.InstanceRecord> {
    await this.registered();
    return this.together<port.InstanceRecord>('createInstance', [instance]);
  }
  /**
   * A start alone in its turn and the first wait on it are one RPC. Starts made in one turn go
   * together as `createInstance` does, and each then waits on its own call, so that no answer
   * waits for another instance. The wait is bounded by `POLL_MS`, as `waitForInstance`.
   */
  async createInstanceAndWait(instance: port.NewInstance, statuses: readonly RuntimeStatus[], timeoutMs: number): Promise<port.InstanceRecord | undefined> {
    await this.registered();
    const waitMs = Math.min(timeoutMs, POLL_MS);
    return this.together<port.InstanceRecord | undefined>('createInstance', [instance], {
      alone: ['createInstanceAndWait', [instance, statuses, waitMs]],
      after: (created) => this.call('waitForInstance', (created as port.InstanceRecord).instanceId, statuses, waitMs),
    });
  }
  getInstance(instanceId: string): Promise<port.InstanceRecord | undefined> {
    return this.call('getInstance', instanceId);
  }
  getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.call('getHistory', instanceId);
  }
  queryInstances(query: port.InstanceQuery): Promise<port.InstancePage> {
    return this.call('queryInstances', query);
  }
  countInstances(filter: port.CountFilter): Promise<port.InstanceCounts> {
    return this.call('countInstances', filter);
  }
  getHistoryPage(instanceId: string, from: number, top: number): Promise<port.HistoryPage> {
    return this.call('getHistoryPage', instanceId, from, top);
  }
  async enqueueMessages(messages: port.OrchestrationMessage[]): Promise<void> {
    await this.registered();
    return this.call('enqueueMessages', messages);
  }
  leaseOrchestration(now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined> {
    return this.call('leaseOrchestration', now, lockMs);
  }
  abandonOrchestration(workItem: port.OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    return this.call('abandonOrchestration', workItem, visibleAt);
  }
  async commit(episodes: port.EpisodeCommit[]): Promise<port.CommitOutcome[]> {
    const outcomes = await this.call<({ ok: true; version: number } | { ok: false; error: WireError })[]>('commit', episodes.map(slim));
    return outcomes.map((o) => (o.ok ? o : { ok: false, error: fromWire(o.error) }));
  }
  discardMessages(workItem: port.OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    return this.call('discardMessages', workItem, messageIds);
  }
  leaseActivity(now: number, lockMs: number): Promise<port.LeasedActivity | undefined> {
    return this.call('leaseActivity', now, lockMs);
  }
  leaseOrchestrations(now: number, lockMs: number, max: number): Promise<port.OrchestrationWorkItem[]> {
    return this.call('leaseOrchestrations', now, lockMs, max);
  }
  leaseActivities(now: number, lockMs: number, max: number): Promise<port.LeasedActivity[]> {
    return this.call('leaseActivities', now, lockMs, max);
  }
  completeActivities(completions: port.ActivityCompletion[]): Promise<port.CompletionOutcome[]> {
    return this.call('completeActivities', completions);
  }
  abandonActivity(leased: port.LeasedActivity, visibleAt?: number): Promise<void> {
    return this.call('abandonActivity', leased, visibleAt);
  }
  nextWakeTime(): Promise<number | undefined> {
    return this.call('nextWakeTime');
  }
  purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    return this.call('purgeInstance', instanceId, onlyIf);
  }
  purgeInstances(filter: port.PurgeFilter): Promise<number> {
    return this.call('purgeInstances', filter);
  }
  isEmpty(): Promise<boolean> {
    return this.call('isEmpty');
  }
  /** One RPC per wait (bounded by `POLL_MS`; the caller waits again for longer). */
  waitForInstance(instanceId: string, statuses: readonly RuntimeStatus[], timeoutMs: number): Promise<port.InstanceRecord | undefined> {
    return this.call('waitForInstance', instanceId, statuses, Math.min(timeoutMs, POLL_MS));
  }
  clear(): Promise<void> {
    return this.call('clear');
  }

  /**
   * Calls made in the same turn go to the object as one RPC ('batch'), each still answered on
   * its own. A burst of starts then reaches the object as one event: it takes them in together
   * and leases them together, instead of one orchestration per incoming call. Only calls of one
   * turn are joined, and those come from one request (another request's code runs in an event
   * of its own), so no call waits on another request's I/O.
   */
  private together<T>(method: HubMethod, args: unknown[], wait?: Wait): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.turn) {
        const calls: Joined[] = (this.turn = []);
        queueMicrotask(() => {
          this.turn = undefined;
          if (calls.length === 1) {
            const [only] = calls;
            const [m, a] = only!.wait?.alone ?? [only!.method, only!.args];
            this.call(m, ...a).then(only!.resolve, only!.reject);
            return;
          }
          const settle = (c: Joined, value: unknown) => (c.wait ? c.wait.after(value).then(c.resolve, c.reject) : c.resolve(value));
          this.call<WireResult[]>(
            'batch',
            calls.map((c) => [c.method, c.args]),
          ).then(
            (results) => {
              for (const [i, r] of results.entries()) {
                if (r.ok) settle(calls[i]!, r.value);
                else calls[i]!.reject(fromWire(r.error));
              }
            },
            (error: unknown) => {
              for (const c of calls) c.reject(error);
            },
          );
        });
      }
      this.turn.push({ method, args, resolve: resolve as (value: unknown) => void, reject, wait });
    });
  }

  private call<T>(method: HubMethod, ...args: unknown[]): Promise<T> {
    // Trailing undefined arguments are dropped: RPC would send them as explicit values.
    while (args.length && args[args.length - 1] === undefined) args.pop();
    return invokeHub<T>(this.stub(), this.taskHub, method, args);
  }
}

/**
 * Task hubs in Durable Objects, one object per hub. Keep one per isolate (see the module
 * comment): it holds only the namespace binding and the names of registered hubs.
 */
export class DurableObjectStorage implements port.Storage {
  /** Hubs registered by this instance, in registration order (oldest first). */
  private readonly registered = new Set<string>();
  /** Registrations asked for in the current turn (see `register`). */
  private readonly registering = new Map<string, Promise<void>>();
  private readonly partitions: (hub: string) => number;

  /** `options.partitions`: how many partition objects each hub has (`partitionsFor`); default one. */
  constructor(
    private readonly namespace: TaskHubNamespaceLike<unknown>,
    options: { partitions?: PartitionSettings } = {},
  ) {
    const settings = options.partitions;
    this.partitions = settings ? (hub) => partitionsFor(settings, hub) : () => 1;
  }

  taskHub(name: string): port.TaskHubStore {
    return this.remote(name);
  }

  async listTaskHubs(): Promise<string[]> {
    const names = await invokeHub<string[]>(this.stub(REGISTRY), REGISTRY, 'listHubs', []);
    // The registry keeps a name once written; the hub itself says whether it holds anything.
    // A hub kept at another partition count than this Worker's setting is listed all the same (it holds instances).
    const held = await Promise.all(
      names.map((name) =>
        this.remote(name)
          .isEmpty()
          .then(
            (empty) => !empty,
            (error: unknown) => {
              if (isDurableError(error, 'PartitionCountMismatch')) return true;
              throw error;
            },
          ),
      ),
    );
    return names.filter((_, i) => held[i]).sort();
  }

  async deleteTaskHub(name: string): Promise<boolean> {
    const hub = this.remote(name);
    if (await hub.isEmpty()) return false;
    await hub.clear();
    return true;
  }

  private remote(name: string): RemoteTaskHub | PartitionedTaskHub {
    validateTaskHubName(name);
    const count = this.partitions(name);
    const register = () => this.register(name, count);
    if (count === 1) return new RemoteTaskHub(name, () => this.stub(name), register);
    const parts = Array.from({ length: count }, (_, i) => new RemoteTaskHub(hubAddress(name, i, count), () => this.stub(objectName(name, i)), register));
    return new PartitionedTaskHub(name, parts);
  }

  /**
   * Records the hub in the registry before its first write through this instance. Only the
   * outcome is kept across turns, never the pending call (it belongs to its request): first
   * writes in one turn (one request's burst) share a registration, first writes in different
   * turns each register, which is idempotent.
   */
  private register(name: string, count: number): Promise<void> {
    if (this.registered.has(name)) return Promise.resolve();
    let pending = this.registering.get(name);
    if (!pending) {
      // A partitioned hub's count is recorded in (or checked against) partition 0 before its first write.
      const claimed = count === 1 ? Promise.resolve() : invokeHub<void>(this.stub(name), hubAddress(name, 0, count), 'claimPartitions', []);
      pending = Promise.all([claimed, invokeHub<void>(this.stub(REGISTRY), REGISTRY, 'registerHub', [name])]).then(() => {
        if (this.registered.size >= MAX_REGISTERED) this.registered.delete(this.registered.values().next().value!);
        this.registered.add(name);
      });
      this.registering.set(name, pending);
      queueMicrotask(() => this.registering.delete(name));
    }
    return pending;
  }

  /** A stub for the current request: cheap, and never kept (stubs are request-bound on Workers). */
  private stub(name: string): TaskHubStub {
    return this.namespace.get(this.namespace.idFromName(name));
  }
}
