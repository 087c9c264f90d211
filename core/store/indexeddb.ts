/**
 * The IndexedDB store, on `idb`: for a browser tab, a worker, or Node with fake-indexeddb.
 * Only web-standard APIs: IndexedDB, BroadcastChannel, crypto.
 *
 * Schema (database version 1). Every key starts with the task hub, so hubs share the stores
 * and a hub, an instance's history or its inbox is one key range:
 *
 * | store      | key                        | value                                      | indexes |
 * |------------|----------------------------|--------------------------------------------|---------|
 * | instances  | [hub, instanceId]          | InstanceRecord + hub, historyLength        | byCreated [hub, createdTime, instanceId]; byStatus [hub, runtimeStatus, createdTime, instanceId] |
 * | history    | [hub, instanceId, seq]     | one event                                  | |
 * | messages   | [hub, instanceId, id]      | message + at (visibleAt, ms) + seq (arrival order) | |
 * | inboxes    | [hub, instanceId]          | one per instance with messages: pendingAt, lock, readyAt = max(pendingAt, lock.expiresAt) | byReadyAt [hub, readyAt] |
 * | activities | [hub, instanceId, id]      | work item + at, lock, readyAt = lock ? lock.expiresAt : at, deliveries | byReadyAt [hub, readyAt] |
 *
 * So every hot path is a key lookup or the first entry of an index range: listing pages walk
 * byCreated/byStatus backwards (or the primary key forwards for a prefix) and stop after a
 * page; leasing takes the first inbox or activity with readyAt <= now; nextWakeTime reads the
 * first readyAt; appending history writes only the new events.
 *
 * Writes go through one queue per connection: whatever is queued when a transaction starts
 * shares it (group commit), each operation still atomic on its own: operations decide before
 * they write, an operation that fails aborts the shared transaction, and then each one is
 * replayed in a transaction of its own so that only the failing one fails.
 * @module
 */
import { wrap, type DBSchema, type IDBPDatabase, type IDBPObjectStore, type IDBPTransaction, type StoreNames } from 'idb';
import {
  InstanceAlreadyExistsError, InvalidArgumentError, isDurableError, StorageCorruptedError, StorageQuotaExceededError, VersionConflictError,
} from '../errors.js';
import { isRuntimeStatus, isTerminal, type HistoryEvent, type RuntimeStatus } from '../history.js';
import { randomId } from '../ids.js';
import { validateTaskHubName } from '../limits.js';
import type {
  ActivityCompletion, ActivityWorkItem, CommitOutcome, EpisodeCommit, InstancePage, InstanceQuery, InstanceRecord, Lease,
  LeasedActivity, NewInstance, OrchestrationMessage, OrchestrationWorkItem, PurgeFilter, Storage, StoreNotification, TaskHubStore,
} from './port.js';
import { compareInQueryOrder, encodeContinuationToken, matchesQuery, normalizePurgeFilter, normalizeQuery, type NormalizedQuery } from './query.js';

export const SCHEMA_VERSION = 1;

export type InstanceRow = InstanceRecord & { hub: string; historyLength: number };
export interface HistoryRow { hub: string; instanceId: string; seq: number; event: HistoryEvent }
export interface MessageRow { hub: string; instanceId: string; id: string; seq: number; at: number; message: OrchestrationMessage }
export interface InboxRow { hub: string; instanceId: string; pendingAt: number; readyAt: number; nextSeq: number; lock?: Lease }
export interface ActivityRow { hub: string; instanceId: string; id: string; at: number; readyAt: number; deliveries: number; lock?: Lease; item: ActivityWorkItem }

export interface Schema extends DBSchema {
  instances: { key: [string, string]; value: InstanceRow; indexes: { byCreated: [string, string, string]; byStatus: [string, string, string, string] } };
  history: { key: [string, string, number]; value: HistoryRow };
  messages: { key: [string, string, string]; value: MessageRow };
  inboxes: { key: [string, string]; value: InboxRow; indexes: { byReadyAt: [string, number] } };
  activities: { key: [string, string, string]; value: ActivityRow; indexes: { byReadyAt: [string, number] } };
}

type Name = StoreNames<Schema>;

/** The schema as data: the upgrade creates it and `open` checks an existing database against it. */
const STORES: Record<Name, { keyPath: string[]; indexes: Record<string, string[]> }> = {
  instances: { keyPath: ['hub', 'instanceId'], indexes: { byCreated: ['hub', 'createdTime', 'instanceId'], byStatus: ['hub', 'runtimeStatus', 'createdTime', 'instanceId'] } },
  history: { keyPath: ['hub', 'instanceId', 'seq'], indexes: {} },
  messages: { keyPath: ['hub', 'instanceId', 'id'], indexes: {} },
  inboxes: { keyPath: ['hub', 'instanceId'], indexes: { byReadyAt: ['hub', 'readyAt'] } },
  activities: { keyPath: ['hub', 'instanceId', 'id'], indexes: { byReadyAt: ['hub', 'readyAt'] } },
};
const ALL = Object.keys(STORES) as Name[];

type WriteTx = IDBPTransaction<Schema, Name[], 'readwrite'>;
type ReadTx = IDBPTransaction<Schema, Name[], 'readonly'>;
type Job<T> = (tx: WriteTx) => Promise<T>;
/** An episode's outcome and the notifications it owes once committed. */
interface Applied { outcome: CommitOutcome; changes: StoreNotification[] }
const refused = (error: Error): Applied => ({ outcome: { ok: false, error }, changes: [] });
function leaseLost(instanceId: string, version: number): VersionConflictError {
  const error = new VersionConflictError(instanceId, version, version);
  error.message = `Instance '${instanceId}' was leased by another worker after this episode's lease lapsed; the episode is not committed.`;
  return error;
}

export interface IndexedDbOptions {
  /** Defaults to `globalThis.indexedDB`; idb also needs the matching IDB* globals (fake-indexeddb/auto in Node). */
  indexedDB?: IDBFactory;
  /** Transaction durability; 'strict' flushes every commit to disk. Default: the browser's. */
  durability?: 'default' | 'strict' | 'relaxed';
  /** Most operations one write transaction carries (group commit). Default 100. */
  maxBatch?: number;
}

// ---------------------------------------------------------------------------------------------
// Key ranges. Array keys sort after every string and number, so [...prefix, []] bounds a prefix.

const within = (...prefix: IDBValidKey[]) => IDBKeyRange.bound(prefix, [...prefix, []]);
const readyBy = (hub: string, now: number) => IDBKeyRange.bound([hub, -Infinity], [hub, now]);

/** The instances between `from`/`to` and before the continuation point, in an index keyed by [...prefix, createdTime, instanceId]. */
function span(prefix: IDBValidKey[], q: Pick<NormalizedQuery, 'createdTimeFrom' | 'createdTimeTo' | 'after'>): IDBKeyRange | undefined {
  const upper = q.after && (q.createdTimeTo === undefined || q.after.createdTime <= q.createdTimeTo)
    ? [...prefix, q.after.createdTime, q.after.instanceId]
    : q.createdTimeTo !== undefined ? [...prefix, q.createdTimeTo, []] : [...prefix, []];
  if (q.createdTimeFrom !== undefined && q.createdTimeFrom > (upper[prefix.length] as string | unknown[])) return undefined;
  return IDBKeyRange.bound(q.createdTimeFrom !== undefined ? [...prefix, q.createdTimeFrom] : prefix, upper, false, true);
}

// ---------------------------------------------------------------------------------------------
// Records are checked as they are read: a foreign or damaged record is an error, not a crash later.

const str = (v: unknown) => typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && !Number.isNaN(v);
const obj = (v: unknown) => typeof v === 'object' && v !== null;
const SHAPES: Record<Name, Record<string, (v: unknown) => boolean>> = {
  instances: { hub: str, instanceId: str, name: str, executionId: str, runtimeStatus: isRuntimeStatus, createdTime: str, lastUpdatedTime: str, version: num, historyLength: num },
  history: { seq: num, event: (v) => obj(v) && str((v as HistoryEvent).type) },
  messages: { id: str, seq: num, at: num, message: obj },
  inboxes: { instanceId: str, pendingAt: num, readyAt: num, nextSeq: num },
  activities: { at: num, readyAt: num, deliveries: num, item: obj },
};

function checked<N extends Name>(store: N, value: unknown): Schema[N]['value'] {
  const bad = !obj(value) ? 'not an object' : Object.entries(SHAPES[store]).find(([field, ok]) => !ok((value as Record<string, unknown>)[field]))?.[0];
  if (bad) throw new StorageCorruptedError(`A record in IndexedDB store '${store}' is malformed (${bad === 'not an object' ? bad : `bad or missing '${bad}'`}); the database was written by something else or is damaged.`);
  return value as Schema[N]['value'];
}
const maybe = <N extends Name>(store: N, value: unknown) => value === undefined ? undefined : checked(store, value);

function toRecord(row: InstanceRow): InstanceRecord {
  const { hub: _hub, historyLength: _length, ...record } = row;
  return record;
}

function timeOf(what: string, iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${what} '${String(iso)}' is not an ISO 8601 date-time.`);
  return ms;
}

/** Maps DOMExceptions to the port's typed errors; durable errors pass through. */
export function toStorageError(error: unknown): Error {
  if (isDurableError(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = (error as { message?: unknown } | null)?.message;
  if (name === 'QuotaExceededError') return new StorageQuotaExceededError(`IndexedDB quota exceeded; the transaction was rolled back. Free space (purge finished instances) and retry.`, { cause: error });
  if (typeof name === 'string') return new StorageCorruptedError(`IndexedDB failed (${name}: ${String(message)}); the transaction was rolled back.`, { cause: error });
  return error instanceof Error ? error : new StorageCorruptedError(String(error));
}

const noop = () => {};
/** A write whose result nobody awaits: a failure aborts the transaction and surfaces through `tx.done`. */
const w = (request: Promise<unknown>) => void request.catch(noop);

// ---------------------------------------------------------------------------------------------
// Writes shared by the operations. They run inside a transaction and await only its requests.

const readyAt = (inbox: InboxRow) => Math.max(inbox.pendingAt, inbox.lock?.expiresAt ?? -Infinity);

async function enqueue(tx: WriteTx, hub: string, messages: readonly OrchestrationMessage[]): Promise<void> {
  const byInstance = new Map<string, OrchestrationMessage[]>();
  for (const m of messages) byInstance.set(m.instanceId, [...byInstance.get(m.instanceId) ?? [], m]);
  for (const [instanceId, list] of byInstance) {
    const inbox = maybe('inboxes', await tx.objectStore('inboxes').get([hub, instanceId]))
      ?? { hub, instanceId, pendingAt: Infinity, readyAt: Infinity, nextSeq: 0 };
    for (const message of list) {
      const at = timeOf('visibleAt', message.visibleAt);
      w(tx.objectStore('messages').put({ hub, instanceId, id: message.id, seq: inbox.nextSeq++, at, message }));
      inbox.pendingAt = Math.min(inbox.pendingAt, at);
    }
    inbox.readyAt = readyAt(inbox);
    w(tx.objectStore('inboxes').put(inbox));
  }
}

/** Recomputes an inbox after messages left it, releasing the lease `token` holds; an empty inbox goes. */
async function settle(tx: WriteTx, hub: string, instanceId: string, token?: string): Promise<void> {
  const inbox = maybe('inboxes', await tx.objectStore('inboxes').get([hub, instanceId]));
  const pending = (await tx.objectStore('messages').getAll(within(hub, instanceId))).map((m) => checked('messages', m));
  if (pending.length === 0) { if (inbox) w(tx.objectStore('inboxes').delete([hub, instanceId])); return; }
  const row = inbox ?? { hub, instanceId, pendingAt: Infinity, readyAt: Infinity, nextSeq: Math.max(...pending.map((m) => m.seq)) + 1 };
  if (token !== undefined && row.lock?.token === token) delete row.lock;
  row.pendingAt = Math.min(...pending.map((m) => m.at));
  row.readyAt = readyAt(row);
  w(tx.objectStore('inboxes').put(row));
}

function removeInstance(tx: WriteTx, hub: string, instanceId: string): void {
  w(tx.objectStore('instances').delete([hub, instanceId]));
  w(tx.objectStore('inboxes').delete([hub, instanceId]));
  for (const store of ['history', 'messages', 'activities'] as const) w(tx.objectStore(store).delete(within(hub, instanceId)));
}

async function install(tx: WriteTx, hub: string, { record, start }: NewInstance): Promise<InstanceRow> {
  removeInstance(tx, hub, record.instanceId);
  const row: InstanceRow = { ...record, hub, version: 1, historyLength: 0 };
  w(tx.objectStore('instances').put(row));
  await enqueue(tx, hub, [start]);
  return row;
}

// ---------------------------------------------------------------------------------------------

interface Connection {
  write<T>(job: Job<T>): Promise<T>;
  read<T>(stores: Name[], body: (tx: ReadTx) => Promise<T>): Promise<T>;
  notify(hub: string, n: StoreNotification): void;
  listen(hub: string, listener: (n: StoreNotification) => void): () => void;
}

class IndexedDbTaskHub implements TaskHubStore {
  constructor(readonly taskHub: string, private readonly db: Connection) {}

  async createInstance(instance: NewInstance): Promise<InstanceRecord> {
    const hub = this.taskHub;
    const { instanceId } = instance.record;
    const result = await this.db.write(async (tx) => {
      const existing = maybe('instances', await tx.objectStore('instances').get([hub, instanceId]));
      if (existing && !isTerminal(existing.runtimeStatus)) return new InstanceAlreadyExistsError(instanceId, existing.runtimeStatus);
      return toRecord(await install(tx, hub, instance));
    });
    if (result instanceof Error) throw result;
    this.db.notify(hub, { kind: 'work' });
    this.db.notify(hub, { kind: 'instance', instanceId, runtimeStatus: result.runtimeStatus });
    return result;
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const row = await this.db.read(['instances'], async (tx) => maybe('instances', await tx.objectStore('instances').get([this.taskHub, instanceId])));
    return row && toRecord(row);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const rows = await this.db.read(['history'], (tx) => tx.objectStore('history').getAll(within(this.taskHub, instanceId)));
    return rows.map((row) => checked('history', row).event);
  }

  async queryInstances(query: InstanceQuery): Promise<InstancePage> {
    const q = normalizeQuery(query);
    const rows = await this.db.read(['instances'], (tx) => (q.instanceIdPrefix !== undefined ? this.byPrefix : this.newestFirst).call(this, tx.objectStore('instances'), q));
    const page = rows.slice(0, q.pageSize).map(toRecord);
    const last = page[page.length - 1];
    return rows.length > q.pageSize && last ? { instances: page, continuationToken: encodeContinuationToken(last) } : { instances: page };
  }

  /** Walks the primary key from the prefix (or the continuation point), filtering the rest, up to a page and one. */
  private async byPrefix(store: IDBPObjectStore<Schema, Name[], 'instances'>, q: NormalizedQuery): Promise<InstanceRow[]> {
    const prefix = q.instanceIdPrefix!;
    const resume = q.after !== undefined && q.after.instanceId >= prefix;
    const rows: InstanceRow[] = [];
    let cursor = await store.openCursor(IDBKeyRange.bound([this.taskHub, resume ? q.after!.instanceId : prefix], [this.taskHub, []], resume, true));
    while (cursor) {
      const row = checked('instances', cursor.value);
      if (!row.instanceId.startsWith(prefix)) break;
      if (matchesQuery(row, q) && rows.push(row) > q.pageSize) break;
      cursor = await cursor.continue();
    }
    return rows;
  }

  /**
   * Newest first: one backward cursor over byCreated, or one per requested status over byStatus
   * merged by (createdTime, instanceId); the time range is part of each index range, so every
   * record read is a match.
   */
  private async newestFirst(store: IDBPObjectStore<Schema, Name[], 'instances'>, q: NormalizedQuery): Promise<InstanceRow[]> {
    const sources = q.runtimeStatus
      ? [...q.runtimeStatus].map((status) => ({ index: store.index('byStatus'), range: span([this.taskHub, status], q) }))
      : [{ index: store.index('byCreated'), range: span([this.taskHub], q) }];
    const heads = await Promise.all(sources.filter((s) => s.range).map((s) => s.index.openCursor(s.range, 'prev')));
    const rows: InstanceRow[] = [];
    for (;;) {
      let next = -1;
      heads.forEach((head, i) => {
        if (head && (next < 0 || compareInQueryOrder(q, head.value, heads[next]!.value) < 0)) next = i;
      });
      if (next < 0 || rows.push(checked('instances', heads[next]!.value)) > q.pageSize) break;
      heads[next] = await heads[next]!.continue();
    }
    return rows;
  }

  async enqueueMessages(messages: OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.db.write((tx) => enqueue(tx, this.taskHub, messages));
    this.db.notify(this.taskHub, { kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    const hub = this.taskHub;
    return this.db.write(async (tx) => {
      const messages = tx.objectStore('messages');
      for (let cursor = await tx.objectStore('inboxes').index('byReadyAt').openCursor(readyBy(hub, now)); cursor; cursor = await cursor.continue()) {
        const inbox = checked('inboxes', cursor.value);
        const pending = (await messages.getAll(within(hub, inbox.instanceId))).map((m) => checked('messages', m));
        const visible = pending.filter((m) => m.at <= now).sort((a, b) => a.seq - b.seq);
        // readyAt <= now means any lock has lapsed; a lapsed lock goes with the next lease.
        delete inbox.lock;
        if (visible.length > 0) inbox.lock = { token: randomId(), expiresAt: now + lockMs };
        if (pending.length === 0) { w(cursor.delete()); continue; }
        inbox.pendingAt = Math.min(...pending.map((m) => m.at));
        inbox.readyAt = readyAt(inbox);
        w(cursor.update(inbox));
        if (inbox.lock) return { instanceId: inbox.instanceId, messages: visible.map((m) => m.message), lease: { ...inbox.lock } };
      }
      return undefined;
    });
  }

  async abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    const hub = this.taskHub;
    const { instanceId, lease } = workItem;
    const released = await this.db.write(async (tx) => {
      const inbox = maybe('inboxes', await tx.objectStore('inboxes').get([hub, instanceId]));
      if (inbox?.lock?.token !== lease.token) return false;
      if (visibleAt !== undefined) {
        for (const { id } of workItem.messages) {
          const row = maybe('messages', await tx.objectStore('messages').get([hub, instanceId, id]));
          if (row && row.at < visibleAt) w(tx.objectStore('messages').put({ ...row, at: visibleAt }));
        }
      }
      await settle(tx, hub, instanceId, lease.token);
      return true;
    });
    if (released) this.db.notify(hub, { kind: 'work' });
  }

  async commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    const results = await Promise.all(episodes.map((e) => this.db.write((tx) => this.applyEpisode(tx, e))
      .catch((error: Error): Applied => ({ outcome: { ok: false, error }, changes: [] }))));
    if (episodes.length) this.db.notify(this.taskHub, { kind: 'work' });
    for (const { changes } of results) for (const n of changes) this.db.notify(this.taskHub, n);
    return results.map((r) => r.outcome);
  }

  async discardMessages(workItem: OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    const hub = this.taskHub;
    await this.db.write(async (tx) => {
      for (const id of messageIds) w(tx.objectStore('messages').delete([hub, workItem.instanceId, id]));
      await settle(tx, hub, workItem.instanceId, workItem.lease.token);
    });
  }

  async leaseActivity(now: number, lockMs: number): Promise<LeasedActivity | undefined> {
    return this.db.write(async (tx) => {
      const cursor = await tx.objectStore('activities').index('byReadyAt').openCursor(readyBy(this.taskHub, now));
      if (!cursor) return undefined;
      const row = checked('activities', cursor.value);
      row.lock = { token: randomId(), expiresAt: now + lockMs };
      row.readyAt = row.lock.expiresAt;
      row.deliveries += 1;
      w(cursor.update(row));
      return { item: row.item, lease: { ...row.lock }, deliveryCount: row.deliveries };
    });
  }

  async completeActivities(completions: ActivityCompletion[]): Promise<boolean[]> {
    const hub = this.taskHub;
    const applied = await Promise.all(completions.map(({ leased, result }) => this.db.write(async (tx) => {
      const key: [string, string, string] = [hub, leased.item.instanceId, leased.item.id];
      const row = maybe('activities', await tx.objectStore('activities').get(key));
      if (row?.lock?.token !== leased.lease.token) return false;
      w(tx.objectStore('activities').delete(key));
      await enqueue(tx, hub, [result]);
      return true;
    })));
    if (applied.includes(true)) this.db.notify(hub, { kind: 'work' });
    return applied;
  }

  async abandonActivity(leased: LeasedActivity, visibleAt?: number): Promise<void> {
    const key: [string, string, string] = [this.taskHub, leased.item.instanceId, leased.item.id];
    const released = await this.db.write(async (tx) => {
      const row = maybe('activities', await tx.objectStore('activities').get(key));
      if (row?.lock?.token !== leased.lease.token) return false;
      delete row.lock;
      if (visibleAt !== undefined) row.at = visibleAt;
      row.readyAt = row.at;
      w(tx.objectStore('activities').put(row));
      return true;
    });
    if (released) this.db.notify(this.taskHub, { kind: 'work' });
  }

  async nextWakeTime(): Promise<number | undefined> {
    const [inbox, activity] = await this.db.read(['inboxes', 'activities'], (tx) => Promise.all([
      tx.objectStore('inboxes').index('byReadyAt').openKeyCursor(within(this.taskHub)),
      tx.objectStore('activities').index('byReadyAt').openKeyCursor(within(this.taskHub)),
    ]).then((cursors) => cursors.map((c) => (c ? (c.key[1] as number) : Infinity))));
    const next = Math.min(inbox!, activity!);
    return Number.isFinite(next) ? next : undefined;
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    const hub = this.taskHub;
    return this.db.write(async (tx) => {
      const row = maybe('instances', await tx.objectStore('instances').get([hub, instanceId]));
      if (!row || !onlyIf.includes(row.runtimeStatus)) return 0;
      removeInstance(tx, hub, instanceId);
      return 1;
    });
  }

  async purgeInstances(filter: PurgeFilter): Promise<number> {
    const hub = this.taskHub;
    const q = normalizePurgeFilter(filter);
    return this.db.write(async (tx) => {
      let purged = 0;
      for (const status of q.runtimeStatus) {
        const range = span([hub, status], q);
        const keys = range ? await tx.objectStore('instances').index('byStatus').getAllKeys(range) : [];
        for (const [, instanceId] of keys) removeInstance(tx, hub, instanceId);
        purged += keys.length;
      }
      return purged;
    });
  }

  subscribe(listener: (notification: StoreNotification) => void): () => void {
    return this.db.listen(this.taskHub, listener);
  }

  /** One episode: every check before the first write, so a refused episode leaves a shared transaction untouched. */
  private async applyEpisode(tx: WriteTx, e: EpisodeCommit): Promise<Applied> {
    const hub = this.taskHub;
    const instances = tx.objectStore('instances');
    const current = maybe('instances', await instances.get([hub, e.instanceId]));
    if (!current || current.version !== e.expectedVersion) return refused(new VersionConflictError(e.instanceId, e.expectedVersion, current?.version));
    if (e.lease) {
      // A lease that lapsed and was taken over: the new holder got these messages too, so committing would duplicate.
      const inbox = maybe('inboxes', await tx.objectStore('inboxes').get([hub, e.instanceId]));
      if (inbox?.lock?.token !== e.lease.token) return refused(leaseLost(e.instanceId, current.version));
    }
    for (const { record } of e.newInstances) {
      const existing = maybe('instances', await instances.get([hub, record.instanceId]));
      if (existing && !isTerminal(existing.runtimeStatus)) return refused(new InstanceAlreadyExistsError(record.instanceId, existing.runtimeStatus));
    }
    const history = tx.objectStore('history');
    let seq = current.historyLength;
    if ('replace' in e.history) { w(history.delete(within(hub, e.instanceId))); seq = 0; }
    for (const event of 'replace' in e.history ? e.history.replace : e.history.append) w(history.put({ hub, instanceId: e.instanceId, seq: seq++, event }));
    const version = current.version + 1;
    w(instances.put({ ...e.instance, hub, instanceId: e.instanceId, version, historyLength: seq }));
    for (const id of e.consumedMessageIds) w(tx.objectStore('messages').delete([hub, e.instanceId, id]));
    for (const item of e.activities) {
      const at = timeOf('enqueuedTime', item.enqueuedTime);
      w(tx.objectStore('activities').put({ hub, instanceId: item.instanceId, id: item.id, at, readyAt: at, deliveries: 0, item }));
    }
    for (const child of e.newInstances) await install(tx, hub, child);
    await enqueue(tx, hub, e.messages);
    await settle(tx, hub, e.instanceId, e.lease?.token);
    const changes: StoreNotification[] = e.newInstances.map(({ record }) => ({ kind: 'instance', instanceId: record.instanceId, runtimeStatus: record.runtimeStatus }));
    if (current.runtimeStatus !== e.instance.runtimeStatus || isTerminal(e.instance.runtimeStatus)) {
      changes.push({ kind: 'instance', instanceId: e.instanceId, runtimeStatus: e.instance.runtimeStatus });
    }
    return { outcome: { ok: true, version }, changes };
  }
}

// ---------------------------------------------------------------------------------------------

interface Queued { job: Job<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }
interface Envelope { hub: string; notification: StoreNotification }

/** One database connection: the write queue (group commit), read transactions and notifications. */
class Connection {
  private readonly queue: Queued[] = [];
  private pumping: Promise<void> | undefined;
  private readonly listeners = new Map<string, Set<(n: StoreNotification) => void>>();
  /** Tells other tabs and workers on the same database; absent where BroadcastChannel is. */
  private readonly channel: BroadcastChannel | undefined;

  constructor(readonly db: IDBPDatabase<Schema>, private readonly options: IndexedDbOptions) {
    if (typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(`edge-durable:${db.name}`);
      this.channel.onmessage = ({ data }: MessageEvent<Envelope>) => { if (typeof data?.hub === 'string') this.deliver(data.hub, data.notification); };
      // Node keeps a process alive for an open channel; a store must not.
      (this.channel as { unref?: () => void }).unref?.();
    }
  }

  write<T>(job: Job<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (value: unknown) => void, reject });
      // A microtask later, so that operations issued together (commit of many episodes) share the transaction.
      this.pumping ??= Promise.resolve().then(() => this.pump());
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 100);
      try {
        const results = await this.transact(async (tx) => {
          const out: unknown[] = [];
          for (const { job } of batch) out.push(await job(tx));
          return out;
        });
        batch.forEach(({ resolve }, i) => resolve(results[i]));
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        // The shared transaction rolled back whole: replay each operation alone, so only the culprit fails.
        else for (const { job, resolve, reject } of batch) await this.transact(job).then(resolve, reject);
      }
    }
    this.pumping = undefined;
  }

  /** One readwrite transaction; on any failure it is aborted, so nothing of it is written. */
  private async transact<T>(body: Job<T>): Promise<T> {
    let tx: WriteTx | undefined;
    try {
      tx = this.db.transaction(ALL, 'readwrite', { durability: this.options.durability ?? 'default' });
      tx.done.catch(noop);
      const result = await body(tx);
      await tx.done;
      return result;
    } catch (error) {
      try { tx?.abort(); } catch { /* already finished */ }
      throw toStorageError(error);
    }
  }

  async read<T>(stores: Name[], body: (tx: ReadTx) => Promise<T>): Promise<T> {
    try {
      const tx = this.db.transaction(stores, 'readonly');
      tx.done.catch(noop);
      return await body(tx);
    } catch (error) {
      throw toStorageError(error);
    }
  }

  notify(hub: string, notification: StoreNotification): void {
    this.deliver(hub, notification);
    this.channel?.postMessage({ hub, notification } satisfies Envelope);
  }

  private deliver(hub: string, notification: StoreNotification): void {
    for (const listener of this.listeners.get(hub) ?? []) listener(notification);
  }

  listen(hub: string, listener: (n: StoreNotification) => void): () => void {
    const set = this.listeners.get(hub) ?? new Set();
    this.listeners.set(hub, set.add(listener));
    return () => { set.delete(listener); };
  }

  async close(): Promise<void> {
    await this.pumping;
    this.channel?.close();
    this.db.close();
  }
}

function create(db: IDBDatabase): void {
  for (const name of ALL) {
    const { keyPath, indexes } = STORES[name];
    const store = db.createObjectStore(name, { keyPath });
    for (const [index, path] of Object.entries(indexes)) store.createIndex(index, path);
  }
}

/** Refuses a database with another layout: someone else's, or a damaged one. */
function verify(db: IDBPDatabase<Schema>): void {
  const names = [...db.objectStoreNames] as string[];
  const problems = [
    ...ALL.filter((n) => !names.includes(n)).map((n) => `no store '${n}'`),
    ...names.filter((n) => !(n in STORES)).map((n) => `a foreign store '${n}'`),
  ];
  if (problems.length === 0) {
    const tx = db.transaction(ALL, 'readonly');
    tx.done.catch(noop);
    for (const name of ALL) {
      const store = tx.objectStore(name);
      if (JSON.stringify(store.keyPath) !== JSON.stringify(STORES[name].keyPath)) problems.push(`store '${name}' keyed by ${JSON.stringify(store.keyPath)}`);
      for (const [index, path] of Object.entries(STORES[name].indexes)) {
        const found = store.indexNames.contains(index as never) ? JSON.stringify(store.index(index as never).keyPath) : undefined;
        if (found !== JSON.stringify(path)) problems.push(found ? `index '${name}.${index}' on ${found}` : `no index '${name}.${index}'`);
      }
    }
  }
  if (problems.length) {
    throw new StorageCorruptedError(`IndexedDB database '${db.name}' (version ${db.version}) is not an edge-durable store of schema version ${SCHEMA_VERSION}: it has ${problems.join(', ')}. Use another database name, or delete this one.`);
  }
}

/** Durable task hubs in one IndexedDB database. */
export class IndexedDbStorage implements Storage {
  private readonly hubs = new Map<string, IndexedDbTaskHub>();

  private constructor(private readonly connection: Connection) {}

  /**
   * Opens (or creates) the database. `openDB` from idb is hard-wired to the global factory,
   * so the request is opened on the given one and wrapped, which is what `openDB` does.
   */
  static async open(name: string, options: IndexedDbOptions = {}): Promise<IndexedDbStorage> {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    if (!factory) throw new InvalidArgumentError('IndexedDB is not available here; pass options.indexedDB (in Node: fake-indexeddb).');
    let db: IDBPDatabase<Schema>;
    try {
      const request = factory.open(name, SCHEMA_VERSION);
      request.onupgradeneeded = (event) => { if (event.oldVersion === 0) create(request.result); };
      db = (await wrap(request)) as unknown as IDBPDatabase<Schema>;
    } catch (error) {
      if ((error as Error | null)?.name === 'VersionError') {
        throw new StorageCorruptedError(`IndexedDB database '${name}' has a newer schema than version ${SCHEMA_VERSION}; it was written by a newer edge-durable or by something else.`, { cause: error });
      }
      throw toStorageError(error);
    }
    try { verify(db); } catch (error) { db.close(); throw error; }
    // Another tab upgrading or deleting the database waits for every connection to close.
    db.addEventListener('versionchange', () => db.close());
    return new IndexedDbStorage(new Connection(db, options));
  }

  taskHub(name: string): TaskHubStore {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, hub = new IndexedDbTaskHub(name, this.connection));
    return hub;
  }

  /** Distinct hubs by skipping from one hub's first key to the next's: O(hubs), not O(records). */
  async listTaskHubs(): Promise<string[]> {
    const stores = ['instances', 'inboxes', 'activities'] as const;
    const hubs = await this.connection.read([...stores], async (tx) => {
      const found = new Set<string>();
      for (const name of stores) {
        const store = tx.objectStore(name);
        for (let cursor = await store.openKeyCursor(); cursor; cursor = await store.openKeyCursor(IDBKeyRange.lowerBound([cursor.key[0], []]))) {
          found.add(cursor.key[0]);
        }
      }
      return found;
    });
    return [...hubs].sort();
  }

  async deleteTaskHub(name: string): Promise<boolean> {
    validateTaskHubName(name);
    return this.connection.write(async (tx) => {
      const found = await Promise.all((['instances', 'inboxes', 'activities'] as const).map((store) => tx.objectStore(store).getKey(within(name))));
      for (const store of ALL) w(tx.objectStore(store).delete(within(name)));
      return found.some((key) => key !== undefined);
    });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
