// The IndexedDB adapter as released with schema version 1 (commit 5a892f2), verbatim but for its
// import paths: upgrade.case.ts writes real version 1 databases with it, then opens them with
// the current adapter.
/**
 * The IndexedDB store, on `idb`: for a browser tab, a worker, or Node with fake-indexeddb.
 * Only web-standard APIs: IndexedDB, BroadcastChannel, crypto.
 *
 * Schema (database version 1). Every key starts with the task hub, so hubs share the stores
 * and a hub, an instance's history or its messages are one key range:
 *
 * | store      | key                    | value                                              | indexes |
 * |------------|------------------------|----------------------------------------------------|---------|
 * | instances  | [hub, instanceId]      | InstanceRecord + hub, historyLength                | byCreated [hub, createdTime, instanceId]; byStatus [hub, runtimeStatus, createdTime, instanceId] |
 * | history    | [hub, instanceId, seq] | the events one commit appended, seq = the first's position | |
 * | messages   | [hub, instanceId, id]  | message + at (visibleAt, ms) + seq (arrival order) | |
 * | inboxes    | [hub, instanceId]      | one per instance with messages: pendingAt (earliest at), lock, readyAt = max(pendingAt, lock.expiresAt), nextSeq | byReadyAt [hub, readyAt] |
 * | activities | [hub, instanceId, id]  | work item + at, lock, readyAt = lock ? lock.expiresAt : at, deliveries | byReadyAt [hub, readyAt] |
 *
 * So every hot path is a key lookup or the head of an index range:
 * - listing walks byCreated or byStatus backwards (one cursor per status, merged), or the
 *   primary key forwards for a prefix, and stops after a page;
 * - leasing takes the oldest inboxes or activities with readyAt <= now, and a lease is a
 *   lock stored in that row, so every connection to the database sees it;
 * - nextWakeTime is the first readyAt; a commit appends its new events as one history row,
 *   and getHistory reads the instance's key range.
 *
 * Writes are group-committed: whatever operations are queued when a write transaction starts
 * share it, each still atomic on its own, and the next transaction's requests go out while
 * one commits (see indexeddb/connection.ts and indexeddb/unit.ts).
 * An episode commits only if the instance still has the expected version and, when it
 * carries a lease, that lease is still the instance's: a lapsed lease that another worker
 * took over cannot commit the same messages twice.
 * @module
 */
import { wrap, type IDBPDatabase } from 'idb';
import { InvalidArgumentError, StorageCorruptedError } from '../../../core/errors.js';
import { validateTaskHubName } from '../../../core/limits.js';
import type { Storage, TaskHubStore } from '../../../core/store/port.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { IndexedDbTaskHub } from './hub.js';
import { create, SCHEMA_VERSION, toStorageError, verify, within, type Schema } from './schema.js';

export { SCHEMA_VERSION, type ActivityRow, type HistoryRow, type InboxRow, type InstanceRow, type MessageRow, type Schema } from './schema.js';

export interface IndexedDbOptions extends ConnectionOptions {
  /** Defaults to `globalThis.indexedDB`. idb also needs the IDB* globals (in Node: `import 'fake-indexeddb/auto'`). */
  indexedDB?: IDBFactory;
  /** Transaction durability; 'strict' asks the browser to flush every commit to disk. Default: the browser's. */
  durability?: 'default' | 'strict' | 'relaxed';
  /** Most operations one write transaction carries. Default 128. */
  maxBatch?: number;
}

/** Durable task hubs in one IndexedDB database. */
export class IndexedDbStorage implements Storage {
  private readonly hubs = new Map<string, IndexedDbTaskHub>();

  private constructor(private readonly connection: Connection) {}

  /**
   * Opens (or creates) the database. idb's `openDB` always uses the global factory, so the
   * request is opened on the given one and wrapped, which is all `openDB` does besides.
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

  /** Distinct hubs, skipping from one hub's first key to the next one's: O(hubs), not O(records). */
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
    return this.connection.write({
      run: async (unit) => {
        const found = await Promise.all((['instances', 'inboxes', 'activities'] as const).map((store) => unit.tx.objectStore(store).getKey(within(name))));
        unit.dropHub(name);
        return found.some((key) => key !== undefined);
      },
    });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
