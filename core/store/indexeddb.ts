/**
 * The IndexedDB store, on `idb`: for a browser tab, a worker, or Node with fake-indexeddb.
 * Only web-standard APIs: IndexedDB, BroadcastChannel, crypto.
 *
 * Schema (database version 3; versions 1 and 2 are upgraded in place, see
 * indexeddb/upgrade.ts). Every key starts with the task hub, so hubs share the stores and a
 * hub, or an instance's history or activities, is one key range:
 *
 * | store      | key                    | value                                              | indexes |
 * |------------|------------------------|----------------------------------------------------|---------|
 * | instances  | [hub, instanceId]      | InstanceRecord + hub, historyLength, tail (newest events); the queue: messages (arrival order), lock, readyAt, its own activities (those leased eagerly, and a few queued ones), activityAt. A shell row (queue only) holds messages for an instance that does not exist | byCreated [hub, createdTime, instanceId]; byStatus [hub, runtimeStatus, createdTime, instanceId]; byReadyAt [hub, readyAt]; byActivityAt [hub, activityAt] |
 * | history    | [hub, instanceId, seq] | a run of events, seq = the first's position         | |
 * | activities | [hub, instanceId, id]  | work item + at, lock, readyAt = lock ? lock.expiresAt : at, deliveries | byReadyAt [hub, readyAt] |
 * | meta       | 'stamp' (out of line)  | a token that every write transaction replaces       | |
 *
 * readyAt = max(first visible message, lease expiry) is absent without messages, activityAt
 * (when the first inline activity is due) without inline activities, and a shell has no status
 * fields: IndexedDB leaves a record out of an index whose key it lacks, so every index holds
 * only what it is for. So every hot path is a key lookup or the head of an index range:
 * - a step of an orchestration is one read (usually from memory, see below) and one write
 *   of its row per commit (the new events join the tail; a full tail becomes a history row)
 *   and per activity completion (the activity leaves the row, its result joins the queue, the
 *   instance is leased back);
 * - listing walks byCreated or byStatus backwards (one cursor per status, merged), or the
 *   primary key forwards for a prefix, and stops after a page;
 * - leasing takes the oldest rows with readyAt (or activityAt) <= now, and a lease is a lock
 *   stored in that row, so every connection to the database sees it;
 * - nextWakeTime is the first key of the three ready indexes; getHistory reads the
 *   instance's history range and its row's tail.
 *
 * Writes are group-committed: whatever operations are queued when a write transaction starts
 * share it, each still atomic on its own, and the next transaction's requests go out while
 * one commits (see indexeddb/connection.ts and indexeddb/unit.ts). A connection takes the
 * instance rows its own transactions read and wrote from memory instead of reading them again;
 * the stamp tells a transaction whether another connection wrote since (it then runs again,
 * reading them), so a step's commit usually reads nothing but the stamp.
 * An episode commits only if the instance still has the expected version and, when it
 * carries a lease, that lease is still the instance's: a lapsed lease that another worker
 * took over cannot commit the same messages twice. An episode that records activity results
 * directly also needs those activities still held and no message of the instance visible; it
 * deletes them in the same transaction, so a result is recorded once, by it or by the queue.
 * @module
 */
import { type IDBPDatabase, wrap } from 'idb';
import { InvalidArgumentError, StorageCorruptedError } from '../errors.js';
import { validateTaskHubName } from '../limits.js';
import { Connection, type ConnectionOptions } from './indexeddb/connection.js';
import { IndexedDbTaskHub } from './indexeddb/hub.js';
import { notOurs, SCHEMA_VERSION, type Schema, toStorageError, verify, within } from './indexeddb/schema.js';
import { request } from './indexeddb/unit.js';
import { upgrade } from './indexeddb/upgrade.js';
import type { Storage, TaskHubStore } from './port.js';

export {
  type ActivityRow,
  type HistoryRow,
  type InlineActivity,
  type InstanceRow,
  type Pending,
  SCHEMA_VERSION,
  type Schema,
  type ShellRow,
  type StateRow,
} from './indexeddb/schema.js';

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
    let foreign: { version: number; found: string[] } | undefined;
    try {
      const request = factory.open(name, SCHEMA_VERSION);
      request.onupgradeneeded = (event) => {
        const found = upgrade(request.result, request.transaction!, event.oldVersion);
        // Not ours: abort, so that it keeps its version and contents.
        if (found.length) {
          foreign = { version: event.oldVersion, found };
          request.transaction!.abort();
        }
      };
      db = (await wrap(request)) as unknown as IDBPDatabase<Schema>;
    } catch (error) {
      if (foreign) throw notOurs(name, foreign.version, foreign.found, foreign.version);
      if ((error as Error | null)?.name === 'VersionError') {
        throw new StorageCorruptedError(
          `IndexedDB database '${name}' has a newer schema than version ${SCHEMA_VERSION}; it was written by a newer edge-durable or by something else.`,
          { cause: error },
        );
      }
      throw toStorageError(error);
    }
    try {
      verify(db);
    } catch (error) {
      db.close();
      throw error;
    }
    // Another tab upgrading or deleting the database waits for every connection to close.
    db.addEventListener('versionchange', () => db.close());
    return new IndexedDbStorage(new Connection(db, options));
  }

  taskHub(name: string): TaskHubStore {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, (hub = new IndexedDbTaskHub(name, this.connection)));
    return hub;
  }

  /** Distinct hubs, skipping from one hub's first key to the next one's: O(hubs), not O(records). */
  async listTaskHubs(): Promise<string[]> {
    const stores = ['instances', 'activities'] as const;
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
        // The database shows what earlier operations of the transaction wrote once they are sent.
        unit.flush();
        const found = await Promise.all((['instances', 'activities'] as const).map((store) => request(unit.raw(store).getKey(within(name)))));
        unit.dropHub(name);
        return found.some((key) => key !== undefined);
      },
    });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
