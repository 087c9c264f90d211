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
 * The parts, in `sqlite/`: `connection.ts` (statements, transactions, errors), `schema.ts`
 * (tables, opening), `rows.ts` (row conversion and checks), `queue.ts` (an instance's rows
 * and its inbox, inside a transaction), `episode.ts` (committing one episode), `listing.ts`
 * (queries), `hub.ts` (the port for one hub).
 * @module
 */
import { validateTaskHubName } from '../limits.js';
import type { Storage, TaskHubStore } from './port.js';
import { Connection, type SqliteDatabase, toStorageError } from './sqlite/connection.js';
import { WriteGroup } from './sqlite/group.js';
import { type Listeners, SqliteTaskHub } from './sqlite/hub.js';
import { HUB_TABLES, INSTANCE_TABLES, openSchema } from './sqlite/schema.js';

export { type SqliteDatabase, type SqliteStatement, toStorageError } from './sqlite/connection.js';
export { SQLITE_SCHEMA_VERSION } from './sqlite/schema.js';

/** Durable task hubs in one SQLite database (file or `:memory:`). */
export class SqliteStorage implements Storage {
  private readonly sql: Connection;
  private readonly hubs = new Map<string, SqliteTaskHub>();
  private readonly listeners: Listeners = new Map();
  /** The write calls of one turn, across hubs: one transaction (see `sqlite/group.ts`). */
  private readonly group: WriteGroup;

  /**
   * Takes an open connection, e.g. `new SqliteStorage(new Database('durable.db'))`; creates the
   * schema in an empty database and switches it to WAL with `synchronous=NORMAL` (a crash of the
   * process loses nothing committed; a power loss may lose the last commits, never consistency).
   */
  constructor(db: SqliteDatabase) {
    this.sql = new Connection(db);
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
    } catch (error) {
      throw toStorageError(error);
    }
    openSchema(this.sql);
    this.group = new WriteGroup(this.sql);
  }

  taskHub(name: string): TaskHubStore {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, (hub = new SqliteTaskHub(name, this.sql, this.group, this.listeners)));
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
    this.sql.closed = true;
    this.sql.db.close?.();
  }
}
