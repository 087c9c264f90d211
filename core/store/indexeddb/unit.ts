/**
 * One write transaction as seen by the operations that share it (group commit): a cache over
 * it, so that operations run one after another, each seeing the writes of those before it,
 * while their reads were all sent in one round trip beforehand.
 *
 * In Chromium every request costs the page about a hundred microseconds to issue and the
 * browser process as much again, nearly whatever its size; awaiting the reads of fifty
 * operations one by one costs more than the commit. So:
 * - each operation first `warm`s the rows it will read (sent together, not awaited), then
 *   runs against the cache: a read is served from it, or sent and cached;
 * - a write only updates the cache and marks the row dirty; dirty rows are written once, when
 *   the transaction's operations are done (`flush`), so an instance row that ten completions
 *   and an eager lease touch is written once. Anything that reads the database past the cache (a
 *   scan of a ready queue, a range) flushes first, as requests run in the order sent.
 * Leasing reads the ready rows once per transaction and hands them out to its lease operations.
 *
 * Instance rows may also come from what the connection knows from its earlier transactions
 * (`known`, see connection.ts), without a read: the transaction then checks, before it
 * commits, that nobody else wrote since. What it read and wrote is `publish`ed for the next.
 * @module
 */
import { checked, type Key, maybe, type Name, quiet, type Row, readyBy, type StateRow, within } from './schema.js';

/** Instance rows by cache id (undefined: known to be absent). */
export type Known = Map<string, StateRow | undefined>;
/** How many instance rows a connection keeps knowing (least recently touched go first). */
const KNOWN_ROWS = 2048;

type Cached = 'instances' | 'activities';
/** The ready queues: instances with messages, queued activities, and instances holding activities (inline). */
export type Queue = 'instances' | 'activities' | 'inline';
type QueueRow<Q extends Queue> = Q extends 'activities' ? Row<'activities'> : StateRow;

/** An operation in a shared write transaction: `warm` sends its reads, `run` decides and writes. */
export interface Op<T> {
  warm?(unit: Unit): void;
  run(unit: Unit): Promise<T>;
  /** How many queue rows it may lease (a batch lease): scans read enough rows for every operation. Default 0. */
  weight?: number;
}

/** Cache ids: length-prefixed, so that no two keys share one, without JSON. */
const idOf = (key: readonly IDBValidKey[]): string =>
  key.length === 2
    ? `${(key[0] as string).length}:${key[0] as string}${key[1] as string}`
    : `${(key[0] as string).length}:${(key[1] as string).length}:${key[0] as string}${key[1] as string}${key[2] as string}`;
const keyOf = (store: Cached, row: Row<Cached>): readonly IDBValidKey[] =>
  store === 'activities' ? [row.hub, row.instanceId, (row as Row<'activities'>).id] : [row.hub, row.instanceId];

/** A request as a promise, without idb's listeners. Nobody need await it: a failure also aborts the transaction, which `tx.done` reports. */
export function request<T>(req: IDBRequest<T>): Promise<T> {
  return quiet(
    new Promise<T>((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }),
  );
}

const SCANNED: Record<Queue, { store: Cached; index: 'byReadyAt' | 'byActivityAt' }> = {
  instances: { store: 'instances', index: 'byReadyAt' },
  activities: { store: 'activities', index: 'byReadyAt' },
  inline: { store: 'instances', index: 'byActivityAt' },
};
/** A read of a queue's ready rows: as of `now` and of the queue's write `stamp`; `complete` once it found fewer than it asked for. */
interface Scan {
  rows: Promise<unknown[]>;
  now: number;
  stamp: number;
  complete?: boolean;
}
interface Dirty {
  store: Cached;
  key: readonly IDBValidKey[];
  row: Row<Cached> | undefined;
}

export class Unit {
  private readonly rows: Record<Cached, Map<string, Promise<unknown>>> = { instances: new Map(), activities: new Map() };
  private readonly dirty: Record<Cached, Map<string, Dirty>> = { instances: new Map(), activities: new Map() };
  private readonly scans = new Map<string, Scan>();
  /** Writes per queue that may have made a row ready, to tell whether a scan still shows every ready row. */
  private readonly stamps: Record<Queue, number> = { instances: 0, activities: 0, inline: 0 };
  /** The latest `now` any scan of the queue was taken at. */
  private readonly scannedUpTo: Record<Queue, number> = { instances: -Infinity, activities: -Infinity, inline: -Infinity };
  private readonly plain = new Map<Name, IDBObjectStore>();
  /** Instance rows as read from the database (once the read is done) and as written, for `publish`. */
  private readonly read: Known = new Map();
  private readonly written: Known = new Map();
  /** A whole hub was deleted: what the connection knew goes. */
  private forget = false;
  private published = false;

  /**
   * `size`: how many rows the operations sharing the transaction may lease (see `Op.weight`); scans read enough for all of them.
   * `known`: instance rows as they are once the transactions before this one commit (read, never changed here).
   */
  constructor(
    readonly tx: IDBTransaction,
    private readonly size: number,
    private readonly known?: ReadonlyMap<string, StateRow | undefined>,
  ) {}

  get<N extends Cached>(store: N, key: Key<N>): Promise<Row<N> | undefined> {
    const id = idOf(key);
    const cache = this.rows[store];
    let hit = cache.get(id);
    if (!hit && store === 'instances' && !this.forget && this.known?.has(id)) cache.set(id, (hit = Promise.resolve(this.known.get(id))));
    if (!hit) {
      hit = quiet(
        request(this.raw(store).get(key)).then((value) => {
          const row = maybe(store, value);
          // A read that ends after `publish` (nobody awaited it) may predate this transaction's own write of the row.
          if (store === 'instances' && !this.published) this.read.set(id, row as StateRow | undefined);
          return row;
        }),
      );
      cache.set(id, hit);
    }
    return hit as Promise<Row<N> | undefined>;
  }

  put<N extends Cached>(store: N, row: Row<N>): void {
    const key = keyOf(store, row);
    const id = idOf(key);
    this.rows[store].set(id, Promise.resolve(row));
    this.dirty[store].set(id, { store, key, row });
    // A row ready later than every scan's `now` (a lease just taken) cannot be missing from them.
    if (store === 'activities') this.touch('activities', (row as Row<'activities'>).readyAt);
    else {
      this.touch('instances', (row as StateRow).readyAt);
      this.touch('inline', (row as StateRow).activityAt);
    }
  }

  /** A deleted row cannot be missing from a scan: scans check every row they return against the cache. */
  delete<N extends Cached>(store: N, key: Key<N>): void {
    const id = idOf(key);
    this.rows[store].set(id, Promise.resolve(undefined));
    this.dirty[store].set(id, { store, key, row: undefined });
  }

  private touch(queue: Queue, readyAt: number | undefined): void {
    if (readyAt !== undefined && readyAt <= this.scannedUpTo[queue]) this.stamps[queue]++;
  }

  /** Sends the dirty rows: at the end of the transaction's operations, and before any read past the cache. */
  flush(): void {
    for (const store of ['instances', 'activities'] as const) {
      const dirty = this.dirty[store];
      if (dirty.size === 0) continue;
      const os = this.raw(store);
      for (const [id, { key, row }] of dirty) {
        if (row) os.put(row);
        else os.delete(key as IDBValidKey);
        if (store === 'instances') this.written.set(id, row as StateRow | undefined);
      }
      dirty.clear();
    }
  }

  /**
   * Once every request is sent: records in `known` the instance rows this transaction read and
   * wrote, as they are once it commits. Rows are shared, not copied: nothing changes a row
   * in place (every change makes a new one), here or in what callers get from them.
   */
  publish(known: Known): Known {
    this.published = true;
    if (this.forget) known.clear();
    for (const rows of [this.read, this.written]) {
      for (const [id, row] of rows) {
        known.delete(id);
        known.set(id, row);
      }
    }
    for (const id of known.keys()) {
      if (known.size <= KNOWN_ROWS) break;
      known.delete(id);
    }
    return known;
  }

  /** An object store of the transaction: writes go there directly (nothing awaits them; a failed request aborts the transaction). */
  raw(store: Name): IDBObjectStore {
    let plain = this.plain.get(store);
    if (!plain) this.plain.set(store, (plain = this.tx.objectStore(store)));
    return plain;
  }

  /** Deletes an instance with its queue, history and activities. */
  drop(hub: string, instanceId: string): void {
    this.delete('instances', [hub, instanceId]);
    for (const store of ['history', 'activities'] as const) this.raw(store).delete(within(hub, instanceId));
    // Its cached and dirty activities are gone too: the range delete is sent now, later puts after it.
    const owned = idOf([hub, instanceId, '']);
    for (const id of this.rows.activities.keys()) if (id.startsWith(owned)) this.rows.activities.set(id, Promise.resolve(undefined));
    for (const id of this.dirty.activities.keys()) if (id.startsWith(owned)) this.dirty.activities.delete(id);
    this.stamps.activities++;
  }

  /** Deletes a whole task hub; its cached and dirty rows are dropped, so later reads go to the database. */
  dropHub(hub: string): void {
    for (const store of ['instances', 'history', 'activities'] as const) this.raw(store).delete(within(hub));
    this.forget = true;
    this.read.clear();
    this.written.clear();
    for (const store of ['instances', 'activities'] as const) {
      for (const [id, { key }] of this.dirty[store]) if (key[0] === hub) this.dirty[store].delete(id);
      this.rows[store].clear();
    }
    this.scans.clear();
    for (const queue of ['instances', 'activities', 'inline'] as const) this.stamps[queue]++;
  }

  /**
   * Rows of a queue ready by `now`, soonest first: read once per transaction and shared by its
   * lease operations, which check each against the cache. `rescan` reads again.
   */
  async ready<Q extends Queue>(queue: Q, hub: string, now: number, rescan = false): Promise<QueueRow<Q>[]> {
    const id = `${queue}:${hub}`;
    let scan = this.scans.get(id);
    if (!scan || rescan) {
      this.flush();
      const limit = this.size + 8;
      const { store, index } = SCANNED[queue];
      const entry: Scan = { rows: Promise.resolve([]), now, stamp: this.stamps[queue] };
      this.scannedUpTo[queue] = Math.max(this.scannedUpTo[queue], now);
      const range = readyBy(hub, now);
      entry.rows = quiet(
        store === 'instances'
          ? // Instance rows are large and usually known: read their keys, and only the rows that are not.
            request(this.raw(store).index(index).getAllKeys(range, limit)).then((keys) => {
              entry.complete = keys.length < limit;
              return Promise.all(keys.map((key) => this.get('instances', key as Key<'instances'>))).then((rows) => rows.filter((row) => row !== undefined));
            })
          : request(this.raw(store).index(index).getAll(range, limit)).then((found) => {
              entry.complete = found.length < limit;
              return found.map((value) => {
                const row = checked(store, value);
                const cache = this.rows[store];
                const key = idOf(keyOf(store, row));
                if (!cache.has(key)) cache.set(key, Promise.resolve(row));
                return row;
              });
            }),
      );
      this.scans.set(id, (scan = entry));
    }
    return scan.rows as Promise<QueueRow<Q>[]>;
  }

  /** Whether the last scan of the queue showed every row ready by `now` as it is now. */
  exhaustive(queue: Queue, hub: string, now: number): boolean {
    const scan = this.scans.get(`${queue}:${hub}`);
    return scan?.complete === true && scan.stamp === this.stamps[queue] && scan.now >= now;
  }
}
