/**
 * The Worker side: a `Storage` whose `taskHub(name)` talks to the hub's Durable Object
 * (`namespace.idFromName(name)`) over RPC. A registry object (`#registry`) remembers
 * which hubs were ever written, for `listTaskHubs`.
 * @module
 */
import { validateTaskHubName } from '../../limits.js';
import type {
  ActivityCompletion, CommitOutcome, EpisodeCommit, InstancePage, InstanceQuery, InstanceRecord, LeasedActivity, NewInstance,
  OrchestrationMessage, OrchestrationWorkItem, PurgeFilter, Storage, StoreNotification, TaskHubStore,
} from '../port.js';
import type { HistoryEvent, RuntimeStatus } from '../../history.js';
import { REGISTRY, type HubMethod, type NotificationBatch } from './host.js';
import { fromWire, type WireError, type WireResult } from './wire.js';

/** The RPC surface of `TaskHubDurableObject` that the caller needs. */
export interface TaskHubStub {
  invoke(hub: string, method: string, args: unknown[]): Promise<WireResult>;
}

/** A Durable Object namespace binding (`env.TASK_HUB`), structurally. */
export interface TaskHubNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): TaskHubStub;
}

async function call<T>(stub: TaskHubStub, hub: string, method: string, args: unknown[]): Promise<T> {
  const result = await stub.invoke(hub, method, args);
  if (!result.ok) throw fromWire(result.error);
  return result.value as T;
}

/** How long one notification poll may wait in the object. */
const POLL_MS = 10_000;

class RemoteTaskHub implements TaskHubStore {
  private readonly listeners = new Set<(n: StoreNotification) => void>();
  private polling = false;

  constructor(readonly taskHub: string, private readonly stub: TaskHubStub, private readonly registered: () => Promise<void>) {}

  /**
   * Notifications across the boundary, by long polling the object while anyone listens.
   * Best effort, as the port allows: callers still poll (e.g. a client's wait interval).
   */
  subscribe(listener: (n: StoreNotification) => void): () => void {
    this.listeners.add(listener);
    if (!this.polling) { this.polling = true; void this.poll(); }
    return () => this.listeners.delete(listener);
  }

  private async poll(): Promise<void> {
    try {
      let after = -1;
      while (this.listeners.size) {
        const batch = await this.call<NotificationBatch>('pollNotifications', after, after < 0 ? 0 : POLL_MS);
        after = batch.seq;
        const notifications = batch.gap ? [{ kind: 'work' } as const, ...batch.notifications] : batch.notifications;
        for (const n of notifications) for (const listener of this.listeners) listener(n);
      }
    } catch {
      // The listeners fall back to polling; the next subscribe starts again.
    } finally {
      this.polling = false;
    }
  }

  async createInstance(instance: NewInstance): Promise<InstanceRecord> {
    await this.registered();
    return this.call('createInstance', instance);
  }
  getInstance(instanceId: string): Promise<InstanceRecord | undefined> { return this.call('getInstance', instanceId); }
  getHistory(instanceId: string): Promise<HistoryEvent[]> { return this.call('getHistory', instanceId); }
  queryInstances(query: InstanceQuery): Promise<InstancePage> { return this.call('queryInstances', query); }
  async enqueueMessages(messages: OrchestrationMessage[]): Promise<void> {
    await this.registered();
    return this.call('enqueueMessages', messages);
  }
  leaseOrchestration(now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> { return this.call('leaseOrchestration', now, lockMs); }
  abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): Promise<void> { return this.call('abandonOrchestration', workItem, visibleAt); }
  async commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    const outcomes = await this.call<({ ok: true; version: number } | { ok: false; error: WireError })[]>('commit', episodes);
    return outcomes.map((o) => (o.ok ? o : { ok: false, error: fromWire(o.error) }));
  }
  discardMessages(workItem: OrchestrationWorkItem, messageIds: string[]): Promise<void> { return this.call('discardMessages', workItem, messageIds); }
  leaseActivity(now: number, lockMs: number): Promise<LeasedActivity | undefined> { return this.call('leaseActivity', now, lockMs); }
  completeActivities(completions: ActivityCompletion[]): Promise<boolean[]> { return this.call('completeActivities', completions); }
  abandonActivity(leased: LeasedActivity, visibleAt?: number): Promise<void> { return this.call('abandonActivity', leased, visibleAt); }
  nextWakeTime(): Promise<number | undefined> { return this.call('nextWakeTime'); }
  purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> { return this.call('purgeInstance', instanceId, onlyIf); }
  purgeInstances(filter: PurgeFilter): Promise<number> { return this.call('purgeInstances', filter); }
  isEmpty(): Promise<boolean> { return this.call('isEmpty'); }
  clear(): Promise<void> { return this.call('clear'); }

  private call<T>(method: HubMethod, ...args: unknown[]): Promise<T> {
    // Trailing undefined arguments are dropped: RPC would send them as explicit values.
    while (args.length && args[args.length - 1] === undefined) args.pop();
    return call<T>(this.stub, this.taskHub, method, args);
  }
}

/** Task hubs in Durable Objects, one object per hub. */
export class DurableObjectStorage implements Storage {
  private readonly hubs = new Map<string, RemoteTaskHub>();
  private readonly registrations = new Map<string, Promise<void>>();

  constructor(private readonly namespace: TaskHubNamespaceLike<any>) {} // eslint-disable-line @typescript-eslint/no-explicit-any

  taskHub(name: string): TaskHubStore { return this.remote(name); }

  async listTaskHubs(): Promise<string[]> {
    const names = await call<string[]>(this.stub(REGISTRY), REGISTRY, 'listHubs', []);
    // The registry keeps a name once written; the hub itself says whether it holds anything.
    const held = await Promise.all(names.map(async (name) => !(await this.remote(name).isEmpty())));
    return names.filter((_, i) => held[i]).sort();
  }

  async deleteTaskHub(name: string): Promise<boolean> {
    const hub = this.remote(name);
    if (await hub.isEmpty()) return false;
    await hub.clear();
    return true;
  }

  private remote(name: string): RemoteTaskHub {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, hub = new RemoteTaskHub(name, this.stub(name), () => this.register(name)));
    return hub;
  }

  /** Records the hub in the registry before its first write from this process. */
  private register(name: string): Promise<void> {
    let done = this.registrations.get(name);
    if (!done) {
      done = call<void>(this.stub(REGISTRY), REGISTRY, 'registerHub', [name]);
      done.catch(() => this.registrations.delete(name));
      this.registrations.set(name, done);
    }
    return done;
  }

  private stub(name: string): TaskHubStub { return this.namespace.get(this.namespace.idFromName(name)); }
}
