/**
 * The database layout (see ../indexeddb.ts for the table), the key ranges over it, and the
 * checks that records read back are ours and whole.
 * @module
 */
import type { DBSchema, IDBPDatabase, StoreNames } from 'idb';
import { InvalidArgumentError, isDurableError, StorageCorruptedError, StorageQuotaExceededError } from '../../../core/errors.js';
import { isRuntimeStatus, type HistoryEvent } from '../../../core/history.js';
import type { ActivityWorkItem, InstanceRecord, Lease, OrchestrationMessage } from '../../../core/store/port.js';
import type { NormalizedQuery } from '../../../core/store/query.js';

export const SCHEMA_VERSION = 1;

export type InstanceRow = InstanceRecord & { hub: string; historyLength: number };
/** The events one commit appended; `seq` is the position of the first of them in the history. */
export interface HistoryRow { hub: string; instanceId: string; seq: number; events: HistoryEvent[] }
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

export type Name = StoreNames<Schema>;
export type Row<N extends Name> = Schema[N]['value'];
export type Key<N extends Name> = Schema[N]['key'];

/** The layout as data: the upgrade creates it and `verify` checks an existing database against it. */
export const STORES: Record<Name, { keyPath: string[]; indexes: Record<string, string[]> }> = {
  instances: { keyPath: ['hub', 'instanceId'], indexes: { byCreated: ['hub', 'createdTime', 'instanceId'], byStatus: ['hub', 'runtimeStatus', 'createdTime', 'instanceId'] } },
  history: { keyPath: ['hub', 'instanceId', 'seq'], indexes: {} },
  messages: { keyPath: ['hub', 'instanceId', 'id'], indexes: {} },
  inboxes: { keyPath: ['hub', 'instanceId'], indexes: { byReadyAt: ['hub', 'readyAt'] } },
  activities: { keyPath: ['hub', 'instanceId', 'id'], indexes: { byReadyAt: ['hub', 'readyAt'] } },
};
export const ALL = Object.keys(STORES) as Name[];

export function create(db: IDBDatabase): void {
  for (const name of ALL) {
    const { keyPath, indexes } = STORES[name];
    const store = db.createObjectStore(name, { keyPath });
    for (const [index, path] of Object.entries(indexes)) store.createIndex(index, path);
  }
}

/** Refuses a database with another layout: someone else's, or a damaged one. */
export function verify(db: IDBPDatabase<Schema>): void {
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

export const keyOf = <N extends Name>(store: N, row: Row<N>): Key<N> =>
  STORES[store].keyPath.map((field) => (row as unknown as Record<string, IDBValidKey>)[field]) as Key<N>;

// Key ranges. Array keys sort after every string and number, so [...prefix, []] bounds a prefix.

export const within = (...prefix: IDBValidKey[]) => IDBKeyRange.bound(prefix, [...prefix, []]);
export const readyBy = (hub: string, now: number) => IDBKeyRange.bound([hub, -Infinity], [hub, now]);

/** The instances between `from`/`to` and before the continuation point, in an index keyed by [...prefix, createdTime, instanceId]. */
export function span(prefix: IDBValidKey[], q: Pick<NormalizedQuery, 'createdTimeFrom' | 'createdTimeTo' | 'after'>): IDBKeyRange | undefined {
  const upper = q.after && (q.createdTimeTo === undefined || q.after.createdTime <= q.createdTimeTo)
    ? [...prefix, q.after.createdTime, q.after.instanceId]
    : q.createdTimeTo !== undefined ? [...prefix, q.createdTimeTo, []] : [...prefix, []];
  if (q.createdTimeFrom !== undefined && q.createdTimeFrom > (upper[prefix.length] as string | unknown[])) return undefined;
  return IDBKeyRange.bound(q.createdTimeFrom !== undefined ? [...prefix, q.createdTimeFrom] : prefix, upper, false, true);
}

// Records are checked as they are read: a foreign or damaged record is an error, not a crash later.

const str = (v: unknown) => typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && !Number.isNaN(v);
const obj = (v: unknown) => typeof v === 'object' && v !== null;
const SHAPES: Record<Name, Record<string, (v: unknown) => boolean>> = {
  instances: { hub: str, instanceId: str, name: str, executionId: str, runtimeStatus: isRuntimeStatus, createdTime: str, lastUpdatedTime: str, version: num, historyLength: num },
  history: { seq: num, events: (v) => Array.isArray(v) && v.every((e) => obj(e) && str((e as HistoryEvent).type)) },
  messages: { hub: str, instanceId: str, id: str, seq: num, at: num, message: obj },
  inboxes: { hub: str, instanceId: str, pendingAt: num, readyAt: num, nextSeq: num },
  activities: { hub: str, instanceId: str, id: str, at: num, readyAt: num, deliveries: num, item: obj },
};

export function checked<N extends Name>(store: N, value: unknown): Row<N> {
  const bad = !obj(value) ? 'not an object' : Object.entries(SHAPES[store]).find(([field, ok]) => !ok((value as Record<string, unknown>)[field]))?.[0];
  if (bad) throw new StorageCorruptedError(`A record in IndexedDB store '${store}' is malformed (${bad === 'not an object' ? bad : `bad or missing '${bad}'`}); the database was written by something else or is damaged.`);
  return value as Row<N>;
}
export const maybe = <N extends Name>(store: N, value: unknown) => value === undefined ? undefined : checked(store, value);

export function toRecord(row: InstanceRow): InstanceRecord {
  const { hub: _hub, historyLength: _length, ...record } = row;
  return record;
}

export function timeOf(what: string, iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${what} '${String(iso)}' is not an ISO 8601 date-time.`);
  return ms;
}

/** Maps DOMExceptions to the port's typed errors; durable errors pass through. */
export function toStorageError(error: unknown): Error {
  if (isDurableError(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = (error as { message?: unknown } | null)?.message;
  if (name === 'QuotaExceededError') return new StorageQuotaExceededError('IndexedDB quota exceeded; the transaction was rolled back. Free space (purge finished instances) and retry.', { cause: error });
  if (typeof name === 'string') return new StorageCorruptedError(`IndexedDB failed (${name}: ${String(message)}); the transaction was rolled back.`, { cause: error });
  return error instanceof Error ? error : new StorageCorruptedError(String(error));
}

export const noop = () => {};
/** A request nobody awaits: a failure aborts the transaction and surfaces through `tx.done`. */
export const quiet = <T>(request: Promise<T>): Promise<T> => { request.catch(noop); return request; };
