/**
 * What runs inside a task hub's Durable Object, free of Cloudflare imports so that it
 * also runs in tests: it serves the storage port to callers (`invoke`) and, when given
 * an app, hosts the engine's `Worker` so the object drives its own orchestrations.
 *
 * How the engine is driven inside the object: every call that adds work kicks a drive
 * loop (`worker.runUntilIdle()` until nothing is due, waiting in place for work due
 * within 50 ms); before the loop the alarm is set as a backstop (so an evicted object
 * wakes up again), after it the alarm is set to the store's `nextWakeTime()` (durable
 * timers, lapsed leases, retries). `alarm()` runs the same loop. Activities run in the
 * object too; a host without an app only stores, and external workers lease through `invoke`.
 *
 * The loop outlives the call that kicked it without `ctx.waitUntil`, which does nothing in
 * a Durable Object (it exists for compatibility with Workers): an object with work or
 * outbound I/O in progress stays active, at least 70 s after its last caller left. Only an
 * eviction or a restart can cut the loop short, and the backstop alarm covers those.
 *
 * The loop starts in the turn of the call that kicked it, not after a yield. On SQLite-backed
 * storage every write of a turn goes into one transaction, and a reply leaves the object only
 * once that transaction is durable (locally a WAL fsync on workerd's single thread; in
 * production, replication). A start whose orchestration runs to completion in that turn
 * therefore shares one durable commit with it, and a caller that starts and then waits pays
 * one commit per orchestration; yielding first would make it two. `allowUnconfirmed` cannot
 * help: the commit still runs before the reply is sent.
 * @module
 */
import type { DurableApp } from '../../core/app.js';
import { InvalidArgumentError, PartitionCountMismatchError } from '../../core/errors.js';
import type { RuntimeStatus } from '../../core/history.js';
import { createRefusal } from '../../core/store/commit-rules.js';
import type { TransferBatch } from '../../core/store/durable-object/outbox.js';
import { DurableObjectTaskHubStore } from '../../core/store/durable-object/store.js';
import { isSqliteStorage, syncStorage } from '../../core/store/durable-object/sync.js';
import type { DurableObjectStorageLike } from '../../core/store/durable-object/tx.js';
import { partitionOf } from '../../core/store/partitions.js';
import type { CommitOutcome, EpisodeCommit, InstanceRecord, NewInstance, StoreNotification } from '../../core/store/port.js';
import { DEFAULT_ACTIVITY_LOCK_MS, DEFAULT_ORCHESTRATION_LOCK_MS, Worker, type WorkerOptions } from '../../core/worker/index.js';
import { Courier, type HubAddress, PartitionStore, parseHubAddress } from './partition.js';
import type { TaskHubNamespaceLike } from './remote.js';
import { toWire, type WireResult } from './rpc-errors.js';

/** Port methods callable across the boundary, plus the hub's housekeeping. */
export const HUB_METHODS = [
  'createInstance',
  'getInstance',
  'getHistory',
  'queryInstances',
  'countInstances',
  'getHistoryPage',
  'enqueueMessages',
  'leaseOrchestration',
  'abandonOrchestration',
  'commit',
  'discardMessages',
  'leaseActivity',
  'completeActivities',
  'abandonActivity',
  'nextWakeTime',
  'purgeInstance',
  'purgeInstances',
  'isEmpty',
  'clear',
  'waitForInstance',
  'leaseOrchestrations',
  'leaseActivities',
] as const;
export type HubMethod = (typeof HUB_METHODS)[number] | 'pollNotifications' | 'batch' | 'createInstanceAndWait' | 'claimPartitions';

/** What `pollNotifications` returns: notifications after the caller's sequence number. */
export interface NotificationBatch {
  seq: number;
  notifications: StoreNotification[];
  /** Some notifications were dropped (the caller was too far behind). */
  gap?: boolean;
}

/** The registry object's name; hub names start with a letter, so it cannot clash. */
export const REGISTRY = '#registry';

/** The calls of a 'batch': port methods only (no nested batch, no long poll). */
function batchOf(value: unknown): [string, unknown[]][] {
  if (
    !Array.isArray(value) ||
    !value.every((c) => Array.isArray(c) && typeof c[0] === 'string' && (HUB_METHODS as readonly string[]).includes(c[0]) && Array.isArray(c[1]))
  ) {
    throw new InvalidArgumentError("A 'batch' call takes a list of [port method, arguments] pairs.");
  }
  return value as [string, unknown[]][];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Checks what the store trusts of a commit recording activity results directly
 * (`completesActivities`): a malformed one is refused whole, before anything is applied.
 */
function checkCommits(value: unknown): void {
  if (!Array.isArray(value)) throw new InvalidArgumentError("A 'commit' call takes a list of episodes.");
  for (const e of value as unknown[]) {
    if (!isObject(e) || e.completesActivities === undefined) continue;
    const direct = e.completesActivities;
    const valid =
      isObject(direct) &&
      Number.isFinite(direct.now) &&
      Array.isArray(direct.activities) &&
      e.lease === undefined &&
      Array.isArray(e.consumedMessageIds) &&
      e.consumedMessageIds.length === 0 &&
      direct.activities.every(
        (a: unknown) =>
          isObject(a) &&
          isObject(a.item) &&
          typeof a.item.id === 'string' &&
          a.item.instanceId === e.instanceId &&
          isObject(a.lease) &&
          typeof a.lease.token === 'string',
      );
    if (!valid) {
      throw new InvalidArgumentError(
        `Malformed completesActivities in the episode of '${String(e.instanceId)}': it takes { now, activities } with activities leased for that instance, in an episode with no lease and no consumed messages.`,
      );
    }
  }
}

/** A wait holds no gate (it awaits a notification, not storage); it is bounded like a poll. */
const boundedWait = (ms: unknown) => Math.min(Math.max(0, Number(ms) || 0), MAX_POLL_MS);

const ADDS_WORK = new Set<string>(['createInstance', 'enqueueMessages', 'commit', 'completeActivities', 'abandonOrchestration', 'abandonActivity']);
const NAME_KEY = '#hub';
/** In partition 0 of a partitioned hub: its partition count, recorded at the hub's first write. */
const PARTITIONS_KEY = '#partitions';
/** How soon an undelivered outbox is tried again. */
const RETRY_MS = 1_000;
const BACKSTOP_MS = 60_000;
const KEPT_NOTIFICATIONS = 1024;
const MAX_POLL_MS = 30_000;
const SHORT_WAIT_MS = 50;

export interface AlarmStorageLike {
  setAlarm(scheduledTime: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

export interface TaskHubHostOptions {
  /** Run the engine inside the object for this app. */
  app?: DurableApp;
  /** The namespace of the task-hub objects, to reach the other partitions of a partitioned hub. */
  peers?: TaskHubNamespaceLike<unknown>;
  worker?: WorkerOptions;
  now?: () => number;
}

export class TaskHubHost {
  private store: DurableObjectTaskHubStore | undefined;
  private opening: Promise<DurableObjectTaskHubStore> | undefined;
  /** Which hub and partition this object holds (the address its first call named). */
  private address: HubAddress | undefined;
  private addressText: string | undefined;
  /** Delivers the outbox of a partition of a partitioned hub. */
  private courier: Courier | undefined;
  /** When an outbox delivery that failed is tried again. */
  private retryAt: number | undefined;
  private worker: Worker | undefined;
  private driving: Promise<void> | undefined;
  private again = false;
  /** The alarm this object set, if any (saves rewriting it). */
  private alarmAt: number | null | undefined;
  private readonly recent: StoreNotification[] = [];
  private seq = 0;
  private readonly pollers = new Set<() => void>();
  private readonly now: () => number;

  constructor(
    private readonly storage: DurableObjectStorageLike & Partial<AlarmStorageLike>,
    private readonly options: TaskHubHostOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async invoke(hub: string, method: string, args: unknown[]): Promise<WireResult> {
    try {
      if (hub === REGISTRY) return { ok: true, value: await this.registry(method, args) };
      if (method === 'pollNotifications') return { ok: true, value: await this.poll(hub, Number(args[0]), Number(args[1])) };
      if (method === 'receiveTransfers') return { ok: true, value: await this.receive(hub, args[0] as TransferBatch) };
      if (method === 'claimPartitions') return { ok: true, value: await this.claim(hub) };
      // Calls a caller made together (see RemoteTaskHub.together): each is answered on its own.
      if (method === 'batch') return { ok: true, value: await Promise.all(batchOf(args[0]).map(([m, a]) => this.invoke(hub, m, a))) };
      // Not a HUB_METHOD, so that a 'batch' (answered as a whole) cannot hold a wait.
      if (method === 'createInstanceAndWait') return { ok: true, value: await this.createAndWait(hub, args) };
      if (!(HUB_METHODS as readonly string[]).includes(method)) throw new InvalidArgumentError(`'${method}' is not a task hub method.`);
      if (method === 'commit') checkCommits(args[0]);
      const store = await this.hub(hub);
      if (method === 'waitForInstance') args = [args[0], args[1], boundedWait(args[2])];
      const call = store[method as (typeof HUB_METHODS)[number]] as (...a: unknown[]) => Promise<unknown>;
      let value = method === 'commit' && this.courier ? await this.commitAcross(store, args[0] as EpisodeCommit[]) : await call.apply(store, args);
      if (method === 'commit') value = (value as CommitOutcome[]).map((o) => (o.ok ? o : { ok: false, error: toWire(o.error) }));
      if (method === 'clear') await this.storage.put({ [NAME_KEY]: hub });
      if (ADDS_WORK.has(method)) this.kick();
      // What the call sent to other partitions has reached them when it returns (or waits for the alarm).
      if (ADDS_WORK.has(method)) await this.flush();
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toWire(error) };
    }
  }

  /**
   * `createInstance`, then `waitForInstance` on the new instance, for a caller that starts and
   * waits in one round trip. The engine is kicked in between, so that the wait sees it run.
   */
  private async createAndWait(hub: string, [instance, statuses, waitMs]: unknown[]): Promise<InstanceRecord | undefined> {
    // Checked before anything is written: the caller must not get an error for a start that happened.
    if (!Array.isArray(statuses)) throw new InvalidArgumentError("'createInstanceAndWait' takes the statuses to wait for as a list.");
    const store = await this.hub(hub);
    const created = await store.createInstance(instance as NewInstance);
    this.kick();
    return store.waitForInstance(created.instanceId, statuses as RuntimeStatus[], boundedWait(waitMs));
  }

  /** The alarm handler: runs the engine for what is due. */
  async alarm(): Promise<void> {
    this.alarmAt = null;
    const [name] = (await this.storage.get<string>([NAME_KEY])).values();
    if (name === undefined) return;
    await this.hub(name);
    if (this.courier) {
      this.retryAt = undefined;
      await this.flush();
    }
    if (!this.options.app) return;
    this.kick();
    await this.driving;
  }

  /**
   * Delivers the outbox; if a receiver cannot be reached, the alarm tries again. The alarm is
   * set first, so that an object evicted mid-delivery wakes up and delivers.
   */
  private async flush(): Promise<void> {
    if (!this.courier) return;
    const retry = this.now() + RETRY_MS;
    if (this.alarmAt == null || this.alarmAt > this.now() + BACKSTOP_MS) await this.setAlarm(this.now() + BACKSTOP_MS);
    if (await this.courier.deliver()) return;
    this.retryAt = retry;
    if (this.alarmAt == null || this.alarmAt > retry) await this.setAlarm(retry);
  }

  private flushSoon(): void {
    this.flush().catch((e) => console.error('[task hub object] outbox', e));
  }

  /** Another partition's transfers: taken in once, then run (and passed on, if they answer elsewhere). */
  private async receive(hub: string, batch: TransferBatch): Promise<number> {
    const store = await this.hub(hub);
    if (!(store instanceof PartitionStore)) throw new InvalidArgumentError(`Task hub '${hub}' is not partitioned: it takes no transfers.`);
    const ack = await store.receiveTransfers(batch);
    this.kick();
    this.flushSoon();
    return ack;
  }

  /** Partition 0 records the hub's partition count before the hub's first write (see `hub`). */
  private async claim(hub: string): Promise<void> {
    await this.hub(hub);
    const { count, index } = this.address!;
    if (index !== 0) throw new InvalidArgumentError(`Only partition 0 records a hub's partition count; '${hub}' is partition ${index}.`);
    if (!(await this.storage.get([PARTITIONS_KEY])).size) await this.storage.put({ [PARTITIONS_KEY]: count });
  }

  /**
   * A commit from a caller outside the object: a child in another partition is checked there
   * first, as a same-partition commit checks it (the engine inside the object looks its children
   * up before it commits). A child started there in between is refused by that partition, which
   * tells the parent so (see `outbox.ts`).
   */
  private async commitAcross(store: DurableObjectTaskHubStore, episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    const { index, count } = this.address!;
    const refusals = await Promise.all(
      episodes.map(async (e) => {
        for (const child of e.newInstances) {
          if (partitionOf(child.record.instanceId, count) === index) continue;
          const refusal = createRefusal(child.record.instanceId, (await store.getInstance(child.record.instanceId))?.runtimeStatus);
          if (refusal) return refusal;
        }
        return undefined;
      }),
    );
    const committed = await store.commit(episodes.filter((_, i) => !refusals[i]));
    return refusals.map((error) => (error ? { ok: false, error } : committed.shift()!));
  }

  /**
   * The hub store, named on the first call (the object's ID does not carry the name). The name
   * is an address (`partition.ts`): a call that names this object's hub with another partition
   * count is refused, unless the object holds nothing yet; partition 0 also refuses a count
   * other than the one recorded at the hub's first write (`claim`).
   */
  async hub(name: string): Promise<DurableObjectTaskHubStore> {
    const store = this.store ?? (await (this.opening ??= this.open(name).finally(() => (this.opening = undefined))));
    if (this.addressText !== name) this.refuse(name);
    return store;
  }

  /**
   * Opens the hub in this incarnation of the object. With an app, the object runs the hub's
   * engine and is the only holder of its leases (callers across RPC store and read; they do
   * not lease), so every lease it finds was held by an earlier incarnation, which is gone
   * (evicted, reset, redeployed): they are released before the engine starts, and their work
   * runs now instead of when the leases lapse.
   */
  private async open(name: string): Promise<DurableObjectTaskHubStore> {
    const address = parseHubAddress(name);
    const found = await this.storage.get<string | number>([NAME_KEY, PARTITIONS_KEY]);
    const stored = found.get(NAME_KEY) as string | undefined;
    const claimed = found.get(PARTITIONS_KEY) as number | undefined;
    if (claimed !== undefined && claimed !== address.count) throw new PartitionCountMismatchError(address.name, claimed, address.count);
    const storage = isSqliteStorage(this.storage) ? syncStorage(this.storage) : this.storage;
    let store: DurableObjectTaskHubStore;
    if (address.count > 1) {
      if (!this.options.peers)
        throw new InvalidArgumentError(
          `Task hub '${address.name}' has ${address.count} partitions, but its object has no binding to reach the others: pass the binding's name to createTaskHub(app, { binding }).`,
        );
      // What the engine commits for other partitions leaves at once.
      store = new PartitionStore(address, storage, this.options.peers, () => this.flushSoon());
    } else store = new DurableObjectTaskHubStore(address.name, storage);
    if (stored !== undefined && stored !== name) {
      const was = parseHubAddress(stored);
      if (was.name !== address.name) throw new InvalidArgumentError(`This object holds task hub '${was.name}', not '${address.name}'.`);
      // An empty object takes the new address; one that holds instances keeps its count.
      if (!(await store.isEmpty())) throw new PartitionCountMismatchError(address.name, was.count, address.count);
    }
    if (stored !== name) await this.storage.put({ [NAME_KEY]: name });
    store.subscribe((n) => this.remember(n));
    let released = { instances: 0, activities: 0 };
    if (this.options.app) {
      const { orchestrationLockMs = DEFAULT_ORCHESTRATION_LOCK_MS, activityLockMs = DEFAULT_ACTIVITY_LOCK_MS } = this.options.worker ?? {};
      // The engine's own leases lapse within its longest lock time.
      released = await store.releaseLeases({ now: this.now(), withinMs: Math.max(orchestrationLockMs, activityLockMs) });
    }
    this.store = store;
    this.address = address;
    this.addressText = name;
    if (address.count > 1) this.courier = new Courier(store, address, this.options.peers!, (e) => console.error('[task hub object] outbox', e));
    if (this.options.app) this.worker = new Worker(this.options.app, store, { onError: (e) => console.error('[task hub object]', e), ...this.options.worker });
    if (released.instances + released.activities > 0) this.kick();
    return store;
  }

  private refuse(name: string): never {
    const asked = parseHubAddress(name);
    const held = this.address!;
    if (asked.name === held.name) throw new PartitionCountMismatchError(held.name, held.count, asked.count);
    throw new InvalidArgumentError(`This object holds task hub '${held.name}', not '${asked.name}'.`);
  }

  private kick(): void {
    if (!this.worker) return;
    if (this.driving) {
      this.again = true;
      return;
    }
    this.again = false;
    // A kick that lands after the loop's last look (while it sets the alarm or returns) drives again.
    this.driving = this.drive()
      .catch((e) => console.error('[task hub object]', e))
      .finally(() => {
        this.driving = undefined;
        if (this.again) this.kick();
      });
  }

  private async drive(): Promise<void> {
    // A backstop, so that an object evicted mid-loop wakes up again.
    const backstop = this.now() + BACKSTOP_MS;
    if (this.alarmAt == null || this.alarmAt > backstop) await this.setAlarm(backstop);
    let next: number | undefined;
    for (;;) {
      do {
        this.again = false;
        await this.worker!.runUntilIdle();
      } while (this.again);
      next = await this.store!.nextWakeTime();
      // Work stamped by a caller whose clock runs a little ahead (another isolate or machine;
      // workerd clocks also move only on I/O) is due in a few ms: wait here, not for an alarm.
      const wait = next === undefined ? Infinity : next - this.now();
      if (wait > SHORT_WAIT_MS) break;
      // Due already (it came in while the loop looked): go again at once.
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // Everything is durable now, so the alarm moves to the next wake time, later than the
    // backstop or not. With nothing due the backstop stays: a spare wake-up costs less
    // than deleting and setting an alarm in every loop.
    // An outbox waiting for a retry wakes the object too.
    const wake = Math.min(next ?? Infinity, this.retryAt ?? Infinity);
    if (Number.isFinite(wake)) {
      const at = Math.max(wake, this.now());
      if (this.alarmAt !== at) await this.setAlarm(at);
    }
  }

  private async setAlarm(at: number): Promise<void> {
    await this.storage.setAlarm?.(at);
    this.alarmAt = at;
  }

  private remember(n: StoreNotification): void {
    this.recent.push(n);
    if (this.recent.length > KEPT_NOTIFICATIONS) this.recent.shift();
    this.seq++;
    for (const wake of this.pollers) wake();
    this.pollers.clear();
  }

  /**
   * Long poll: the notifications after `after`, waiting up to `waitMs` for one. A negative
   * `after` returns the current sequence number at once, to start from.
   */
  private async poll(hub: string, after: number, waitMs: number): Promise<NotificationBatch> {
    await this.hub(hub);
    if (after >= 0 && after >= this.seq) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.pollers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, boundedWait(waitMs));
        this.pollers.add(done);
      });
    }
    if (after < 0) return { seq: this.seq, notifications: [] };
    const missed = this.seq - after;
    return { seq: this.seq, notifications: this.recent.slice(-Math.min(missed, this.recent.length)), gap: missed > this.recent.length };
  }

  private async registry(method: string, args: unknown[]): Promise<unknown> {
    if (method === 'registerHub') {
      await this.storage.put({ [`hub/${String(args[0])}`]: '' });
      return undefined;
    }
    if (method === 'listHubs') return [...(await this.storage.list({ prefix: 'hub/' })).keys()].map((k) => k.slice(4));
    throw new InvalidArgumentError(`'${method}' is not a registry method.`);
  }
}
