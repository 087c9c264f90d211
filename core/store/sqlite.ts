/**
 * The SQLite store: the Node host's embedded default (it survives a process restart).
 *
 * The core stays web-standard: this module imports no driver and no `node:*` module. It takes
 * any synchronous SQLite connection with `prepare(sql)` (statements with `run`, `get`, `all`)
 * and `exec(sql)`: better-sqlite3's `Database` fits (`new SqliteStorage(new Database(file))`).
 * Transactions are plain `BEGIN IMMEDIATE` / `SAVEPOINT` statements and pragmas plain `PRAGMA`
 * statements, so the driver needs no `transaction()` or `pragma()` helper; that subset is also
 * what node:sqlite's `DatabaseSync` and bun:sqlite offer (not tested here).
 *
 * Schema (version 1, recorded in `meta`; WAL journal, `synchronous=NORMAL`). Every key starts
 * with the task hub, so a hub, an instance's history or its inbox is one index range:
 *
 * | table      | columns                                                                    | indexes |
 * |------------|----------------------------------------------------------------------------|---------|
 * | meta       | key, value (`format` = edge-durable, `schema_version` = 1)                 | key |
 * | instances  | hub, instance_id, name, execution_id, runtime_status, input, output, custom_status, failure_details (JSON), created_time, last_updated_time, completed_time, parent_instance_id, version | unique (hub, instance_id); (hub, created_time, instance_id); (hub, runtime_status, created_time, instance_id) |
 * | history    | hub, instance_id, seq, event (JSON)                                        | primary (hub, instance_id, seq) |
 * | messages   | seq (arrival order), hub, instance_id, id, execution_id, visible_at (ms), event (JSON); leased by (visible_at, seq) | unique (hub, instance_id, id) |
 * | inboxes    | hub, instance_id, pending_at, lock_token, lock_expires_at, ready_at        | primary (hub, instance_id); (hub, ready_at) |
 * | activities | seq, hub, instance_id, id, execution_id, task_scheduled_id, name, input, enqueued_time, visible_at, lease_token, expires_at, deliveries, ready_at | unique (hub, instance_id, id); (hub, ready_at) |
 *
 * `inboxes` is the instance lock table: one row per instance with pending messages, holding
 * its lock and `ready_at = max(earliest pending visible_at, lock expiry)`. So leasing is the
 * first row of `(hub, ready_at)` — O(log n) however many instances are locked or waiting on
 * timers — and `nextWakeTime` is the first `ready_at` of inboxes and activities.
 *
 * Every operation is one SQLite transaction (synchronous, so nothing interleaves within the
 * process; `BEGIN IMMEDIATE` against other processes), except that the writes of the work's
 * path (`createInstance`, `enqueueMessages`, `commit`, `completeActivities`) made in one turn
 * of the event loop share one, each in its own savepoint (`sqlite/group.ts`). `commit` and `completeActivities` run
 * all their items in one transaction, each item in a savepoint and checked before it writes,
 * so a refused item writes nothing and does not disturb the others. Besides its version, an
 * episode's lease must still hold the instance: several processes may lease the same rows.
 *
 * Ordering: SQLite compares text by UTF-8 bytes, which is code-point order; the in-memory store
 * compares UTF-16 code units. The two differ only between characters U+E000..U+FFFF and
 * characters beyond U+FFFF. Pages here are consistently in code-point order.
 *
 * Several processes may open the file (WAL; `busy_timeout` makes a writer wait for the one
 * writing, and every write is one short `BEGIN IMMEDIATE` transaction), but one of them at most
 * is its owner and runs workers (`claimOwnership`, see `sqlite/owner.ts`); the others are
 * clients. Subscribers hear other processes' commits through a poll of `PRAGMA data_version`.
 *
 * The parts, in `sqlite/`: `connection.ts` (statements, transactions, errors), `schema.ts`
 * (tables, opening), `rows.ts` (row conversion and checks), `queue.ts` (an instance's rows
 * and its inbox, inside a transaction), `episode.ts` (committing one episode), `listing.ts`
 * (queries), `hub.ts` (the port for one hub), `owner.ts` (the file's one owner and its
 * leases), `watch.ts` (other processes' writes).
 * @module
 */
import { type Clock, systemClock } from '../clock.js';
import { validateTaskHubName } from '../limits.js';
import type { Storage, TaskHubStore } from './port.js';
import { Connection, type SqliteDatabase, toStorageError } from './sqlite/connection.js';
import { WriteGroup } from './sqlite/group.js';
import { type Listeners, SqliteTaskHub } from './sqlite/hub.js';
import { type Claim, type ClaimOptions, claimOwner, currentOwner, giveUp, heartbeat, type OwnerRecord } from './sqlite/owner.js';
import { HUB_TABLES, INSTANCE_TABLES, openSchema } from './sqlite/schema.js';
import { ExternalWrites } from './sqlite/watch.js';

export { type SqliteDatabase, type SqliteStatement, toStorageError } from './sqlite/connection.js';
export { type Claim, type ClaimOptions, DEFAULT_STALE_AFTER_MS, type OwnerIdentity, type OwnerRecord, storeInUse } from './sqlite/owner.js';
export { SQLITE_SCHEMA_VERSION } from './sqlite/schema.js';

export interface SqliteStorageOptions {
  /** For heartbeats, claims and the change poll. Default the system clock. */
  clock?: Clock;
  /** How long a write waits for another process's write transaction before failing with SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** How often subscribers' connection looks for other processes' commits (`PRAGMA data_version`); 0 never. Default 100 ms. */
  externalWritePollMs?: number;
}

/** The file's ownership, held by this process: see `claimOwnership`. */
export interface Ownership extends Claim {
  /** Records that the owner is alive; false once another process has taken the file over (stop leasing then). */
  heartbeat(): boolean;
  /** Gives the file up (a clean stop, after the workers have stopped). */
  release(): void;
}

/** Durable task hubs in one SQLite database (file or `:memory:`). */
export class SqliteStorage implements Storage {
  private readonly sql: Connection;
  private readonly hubs = new Map<string, SqliteTaskHub>();
  private readonly listeners: Listeners = new Map();
  private readonly clock: Clock;
  private readonly external: ExternalWrites;
  /** The write calls of one turn, across hubs: one transaction (see `sqlite/group.ts`). */
  private readonly group: WriteGroup;

  /**
   * Takes an open connection, e.g. `new SqliteStorage(new Database('durable.db'))`; creates the
   * schema in an empty database and switches it to WAL with `synchronous=NORMAL` (a crash of the
   * process loses nothing committed; a power loss may lose the last commits, never consistency).
   */
  constructor(db: SqliteDatabase, options: SqliteStorageOptions = {}) {
    this.sql = new Connection(db);
    this.clock = options.clock ?? systemClock;
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
    } catch (error) {
      throw toStorageError(error);
    }
    openSchema(this.sql);
    this.group = new WriteGroup(this.sql);
    this.external = new ExternalWrites(this.sql, this.clock, options.externalWritePollMs ?? 100, () => {
      for (const set of this.listeners.values()) for (const listener of [...set]) listener({ kind: 'work' });
    });
  }

  /**
   * Makes this process the file's owner, the one that runs workers on it, and releases every
   * lease of earlier owners (they are dead: a live one refuses the claim with
   * `StoreInUseError`, naming its process). Call it before starting workers, beat the
   * heartbeat every few seconds (well within `staleAfterMs`), and release on a clean stop.
   * Clients of the file (the CLI's `--store`) never claim.
   */
  claimOwnership(options: ClaimOptions): Ownership {
    const claim = claimOwner(this.sql, options, this.clock.now());
    for (const set of this.listeners.values()) for (const listener of [...set]) listener({ kind: 'work' });
    return {
      ...claim,
      heartbeat: () => heartbeat(this.sql, claim.epoch, this.clock.now()),
      release: () => {
        if (!this.sql.closed) giveUp(this.sql, claim.epoch);
      },
    };
  }

  /** The file's recorded owner (alive or not), if it has had one. */
  owner(): OwnerRecord | undefined {
    return currentOwner(this.sql);
  }

  /**
   * Calls `listener` when another process has committed to the file (polled, see
   * `externalWritePollMs`), e.g. to start a worker for a task hub a client created.
   */
  onExternalWrite(listener: () => void): () => void {
    return this.external.watch(listener);
  }

  taskHub(name: string): TaskHubStore {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, (hub = new SqliteTaskHub(name, this.sql, this.group, this.listeners, this.external)));
    return hub;
  }

  /** Hubs with an instance, a message or an activity: skips from one hub to the next in each table's index, O(hubs). */
  async listTaskHubs(): Promise<string[]> {
    return this.sql.read(() => {
      const found = new Set<string>();
      for (const table of HUB_TABLES) {
        // Hub names are never empty, so '' is below the first.
        let hub = '';
        for (
          let row: { hub: string } | undefined;
          (row = this.sql.get<{ hub: string }>(`SELECT hub FROM ${table} WHERE hub > ? ORDER BY hub LIMIT 1`, hub));
          hub = row.hub
        )
          found.add(row.hub);
      }
      return [...found].sort();
    });
  }

  async deleteTaskHub(name: string): Promise<boolean> {
    validateTaskHubName(name);
    return this.sql.write(() => {
      const existed = HUB_TABLES.some((table) => this.sql.get(`SELECT 1 FROM ${table} WHERE hub = ? LIMIT 1`, name) !== undefined);
      for (const table of INSTANCE_TABLES) this.sql.run(`DELETE FROM ${table} WHERE hub = ?`, name);
      return existed;
    });
  }

  /** Closes the connection; the storage cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.sql.closed) return;
    this.group.flush();
    this.external.stop();
    this.sql.closed = true;
    this.sql.db.close?.();
  }
}
