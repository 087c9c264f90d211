/**
 * The database layout (see ../indexeddb.ts for the table), the key ranges over it, and the
 * checks that records read back are ours and whole.
 * @module
 */
import { type DBSchema, type IDBPDatabase, type StoreNames, unwrap } from 'idb';
import { InvalidArgumentError, isDurableError, StorageCorruptedError, StorageQuotaExceededError } from '../../errors.js';
import { type HistoryEvent, isRuntimeStatus } from '../../history.js';
import type { ActivityWorkItem, InstanceRecord, Lease, OrchestrationMessage } from '../port.js';
import type { NormalizedQuery } from '../query.js';

export const SCHEMA_VERSION = 3;

/** A pending message and when it is visible (ms); a queue keeps them in arrival order. */
export interface Pending {
  at: number;
  message: OrchestrationMessage;
}
/** An activity kept in its instance's row (leased eagerly by the commit that scheduled it, or queued there: see queue.ts `schedule`); `at` is when it is due unleased. */
export interface InlineActivity {
  at: number;
  deliveries: number;
  lock?: Lease;
  item: ActivityWorkItem;
}
/**
 * An instance's queue, kept in its row so that an episode or a completion reads and writes one
 * row: pending messages, the orchestration lease, and its own activities (leased eagerly, or a few queued).
 * `readyAt` = max(first visible, lease expiry), absent without messages; `activityAt` = the
 * earliest an inline activity is due (lease expiry, or `at` unleased), absent without any.
 * An absent field keeps the row out of that index; so do absent status fields (a shell).
 */
export interface QueueFields {
  messages?: Pending[];
  lock?: Lease;
  readyAt?: number;
  activities?: InlineActivity[];
  activityAt?: number;
}
/**
 * An instance: its status, its queue, and the newest events of its history (`tail`, the last
 * `tail.length` of `historyLength`), which move to a history row once there are enough of
 * them, so that most commits write this row and nothing else.
 */
export type InstanceRow = InstanceRecord & QueueFields & { hub: string; historyLength: number; tail?: HistoryEvent[] };
/** Messages for an instance that does not exist (yet, or any more): a queue and nothing else, in no listing index. */
export type ShellRow = QueueFields & { hub: string; instanceId: string };
export type StateRow = InstanceRow | ShellRow;
export const isInstance = (row: StateRow): row is InstanceRow => 'version' in row;
/** A run of events; `seq` is the position of the first of them in the history. */
export interface HistoryRow {
  hub: string;
  instanceId: string;
  seq: number;
  events: HistoryEvent[];
}
export interface ActivityRow {
  hub: string;
  instanceId: string;
  id: string;
  at: number;
  readyAt: number;
  deliveries: number;
  lock?: Lease;
  item: ActivityWorkItem;
}

export interface Schema extends DBSchema {
  instances: {
    key: [string, string];
    value: StateRow;
    indexes: { byCreated: [string, string, string]; byStatus: [string, string, string, string]; byReadyAt: [string, number]; byActivityAt: [string, number] };
  };
  history: { key: [string, string, number]; value: HistoryRow };
  activities: { key: [string, string, string]; value: ActivityRow; indexes: { byReadyAt: [string, number] } };
  /** `STAMP`: a token that every write transaction replaces (see connection.ts). */
  meta: { key: string; value: string };
}

/** The key of the write stamp in `meta`. */
export const STAMP = 'stamp';

export type Name = StoreNames<Schema>;
export type Row<N extends Name> = Schema[N]['value'];
export type Key<N extends Name> = Schema[N]['key'];

/** The layout as data: the upgrade creates it and `verify` checks an existing database against it. */
export const STORES: Record<Name, { keyPath: string[] | null; indexes: Record<string, string[]> }> = {
  instances: {
    keyPath: ['hub', 'instanceId'],
    indexes: {
      byCreated: ['hub', 'createdTime', 'instanceId'],
      byStatus: ['hub', 'runtimeStatus', 'createdTime', 'instanceId'],
      byReadyAt: ['hub', 'readyAt'],
      byActivityAt: ['hub', 'activityAt'],
    },
  },
  history: { keyPath: ['hub', 'instanceId', 'seq'], indexes: {} },
  activities: { keyPath: ['hub', 'instanceId', 'id'], indexes: { byReadyAt: ['hub', 'readyAt'] } },
  meta: { keyPath: null, indexes: {} },
};
export const ALL = Object.keys(STORES) as Name[];

/** Creates the layout in an empty database (the upgrade from version 0). */
export function create(db: IDBDatabase): void {
  for (const name of ALL) {
    const { keyPath, indexes } = STORES[name];
    const store = db.createObjectStore(name, { keyPath });
    for (const [index, path] of Object.entries(indexes)) store.createIndex(index, path);
  }
}

export type Layout = Record<string, { keyPath: string[] | null; indexes: Record<string, string[]> }>;

/** How a database's stores differ from `layout`; `store` opens one of them (in any transaction over them all). */
export function problems(names: readonly string[], store: (name: string) => IDBObjectStore, layout: Layout = STORES): string[] {
  const wanted = Object.keys(layout);
  const found = [
    ...wanted.filter((n) => !names.includes(n)).map((n) => `no store '${n}'`),
    ...names.filter((n) => !(n in layout)).map((n) => `a foreign store '${n}'`),
  ];
  if (found.length) return found;
  for (const name of wanted) {
    const os = store(name);
    if (JSON.stringify(os.keyPath) !== JSON.stringify(layout[name]!.keyPath)) found.push(`store '${name}' keyed by ${JSON.stringify(os.keyPath)}`);
    for (const [index, path] of Object.entries(layout[name]!.indexes)) {
      const on = os.indexNames.contains(index) ? JSON.stringify(os.index(index).keyPath) : undefined;
      if (on !== JSON.stringify(path)) found.push(on ? `index '${name}.${index}' on ${on}` : `no index '${name}.${index}'`);
    }
  }
  return found;
}

export function notOurs(name: string, version: number, found: string[], schema = SCHEMA_VERSION): StorageCorruptedError {
  return new StorageCorruptedError(
    `IndexedDB database '${name}' (version ${version}) is not an edge-durable store of schema version ${schema}: it has ${found.join(', ')}. Use another database name, or delete this one.`,
  );
}

/** Refuses a database with another layout: someone else's, or a damaged one. */
export function verify(db: IDBPDatabase<Schema>): void {
  const names = [...db.objectStoreNames] as string[];
  let tx: IDBTransaction | undefined;
  const found = problems(names, (name) => (tx ??= unwrap(db).transaction(ALL, 'readonly')).objectStore(name));
  if (found.length) throw notOurs(db.name, db.version, found);
}

// Key ranges. Array keys sort after every string and number, so [...prefix, []] bounds a prefix.

export const within = (...prefix: IDBValidKey[]) => IDBKeyRange.bound(prefix, [...prefix, []]);
export const readyBy = (hub: string, now: number) => IDBKeyRange.bound([hub, -Infinity], [hub, now]);

/** The instances between `from`/`to` and before the continuation point, in an index keyed by [...prefix, createdTime, instanceId]. */
export function span(prefix: IDBValidKey[], q: Pick<NormalizedQuery, 'createdTimeFrom' | 'createdTimeTo' | 'after'>): IDBKeyRange | undefined {
  const upper =
    q.after && (q.createdTimeTo === undefined || q.after.createdTime <= q.createdTimeTo)
      ? [...prefix, q.after.createdTime, q.after.instanceId]
      : q.createdTimeTo !== undefined
        ? [...prefix, q.createdTimeTo, []]
        : [...prefix, []];
  // An empty range only against a time: `[]` (open end) is above every string as an IndexedDB key, but not to `>`.
  const top = upper[prefix.length];
  if (q.createdTimeFrom !== undefined && typeof top === 'string' && q.createdTimeFrom > top) return undefined;
  return IDBKeyRange.bound(q.createdTimeFrom !== undefined ? [...prefix, q.createdTimeFrom] : prefix, upper, false, true);
}

// Records are checked as they are read: a foreign or damaged record is an error, not a crash later.

const str = (v: unknown) => typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && !Number.isNaN(v);
const obj = (v: unknown) => typeof v === 'object' && v !== null;
const events = (v: unknown) => Array.isArray(v) && v.every((e) => obj(e) && str((e as HistoryEvent).type));
const optional = (ok: (v: unknown) => boolean) => (v: unknown) => v === undefined || ok(v);
/** Fields of every instances row (a shell has only these), and of an instance's row besides. */
const QUEUE: Record<string, (v: unknown) => boolean> = {
  hub: str,
  instanceId: str,
  messages: optional((v) => Array.isArray(v) && v.every((p) => obj(p) && num((p as Pending).at) && obj((p as Pending).message))),
  activities: optional(
    (v) =>
      Array.isArray(v) && v.every((a) => obj(a) && num((a as InlineActivity).at) && num((a as InlineActivity).deliveries) && obj((a as InlineActivity).item)),
  ),
};
const INSTANCE: Record<string, (v: unknown) => boolean> = {
  name: str,
  executionId: str,
  runtimeStatus: isRuntimeStatus,
  createdTime: str,
  lastUpdatedTime: str,
  version: num,
  historyLength: num,
  tail: optional(events),
};
const SHAPES: Record<Name, Record<string, (v: unknown) => boolean>> = {
  instances: QUEUE,
  history: { seq: num, events },
  activities: { hub: str, instanceId: str, id: str, at: num, readyAt: num, deliveries: num, item: obj },
  meta: {},
};
type Checks = [string, (v: unknown) => boolean][];
const CHECKS = Object.fromEntries(ALL.map((name) => [name, Object.entries(SHAPES[name])])) as Record<Name, Checks>;
const INSTANCE_CHECKS: Checks = Object.entries(INSTANCE);
const STATUS_FIELDS = Object.keys(INSTANCE).filter((field) => field !== 'tail');

export function checked<N extends Name>(store: N, value: unknown): Row<N> {
  const failing = (checks: Checks) => checks.find(([field, ok]) => !ok((value as Record<string, unknown>)[field]))?.[0];
  let bad = !obj(value) ? 'not an object' : failing(CHECKS[store]);
  // A row with any status field is an instance's, and must have them all.
  if (!bad && store === 'instances' && STATUS_FIELDS.some((field) => field in (value as object))) bad = failing(INSTANCE_CHECKS);
  if (bad)
    throw new StorageCorruptedError(
      `A record in IndexedDB store '${store}' is malformed (${bad === 'not an object' ? bad : `bad or missing '${bad}'`}); the database was written by something else or is damaged.`,
    );
  return value as Row<N>;
}
export const maybe = <N extends Name>(store: N, value: unknown) => (value === undefined ? undefined : checked(store, value));

/** The port's record of an instance's row: without the hub, the queue and the history tail. */
export function toRecord(row: InstanceRow): InstanceRecord {
  const { hub: _h, historyLength: _l, tail: _t, messages: _m, lock: _k, readyAt: _r, activities: _a, activityAt: _at, ...record } = row;
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
  if (name === 'QuotaExceededError')
    return new StorageQuotaExceededError('IndexedDB quota exceeded; the transaction was rolled back. Free space (purge finished instances) and retry.', {
      cause: error,
    });
  if (typeof name === 'string')
    return new StorageCorruptedError(`IndexedDB failed (${name}: ${String(message)}); the transaction was rolled back.`, { cause: error });
  return error instanceof Error ? error : new StorageCorruptedError(String(error));
}

export const noop = () => {};
/** A request nobody awaits: a failure aborts the transaction and surfaces through `tx.done`. */
export const quiet = <T>(request: Promise<T>): Promise<T> => {
  request.catch(noop);
  return request;
};
