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
 * process; `BEGIN IMMEDIATE` against other processes). `commit` and `completeActivities` run
 * all their items in one transaction, each item in a savepoint and checked before it writes,
 * so a refused item writes nothing and does not disturb the others.
 *
 * Ordering: SQLite compares text by UTF-8 bytes, which is code-point order; the in-memory store
 * compares UTF-16 code units. The two differ only between characters U+E000..U+FFFF and
 * characters beyond U+FFFF. Pages here are consistently in code-point order.
 * @module
 */
import {
  InstanceAlreadyExistsError, InvalidArgumentError, isDurableError, StorageCorruptedError, StorageQuotaExceededError, VersionConflictError,
  type FailureDetails,
} from '../errors.js';
import { isRuntimeStatus, isTerminal, type HistoryEvent, type RuntimeStatus } from '../history.js';
import { randomId } from '../ids.js';
import { validateTaskHubName } from '../limits.js';
import type {
  ActivityCompletion, CompletionOutcome, ActivityWorkItem, CommitOutcome, EpisodeCommit, InstancePage, InstanceQuery, InstanceRecord,
  LeasedActivity, NewInstance, OrchestrationMessage, OrchestrationWorkItem, PurgeFilter, Storage, StoreNotification, TaskHubStore,
} from './port.js';
import { normalizePurgeFilter, normalizeQuery, toPage, type NormalizedQuery, type SortKey } from './query.js';

export const SQLITE_SCHEMA_VERSION = 1;
const FORMAT = 'edge-durable';

/** A prepared statement: the part of better-sqlite3's (or node:sqlite's) API this store uses. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** A synchronous SQLite connection, e.g. better-sqlite3's `Database`. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  close?(): unknown;
}

type Param = string | number | null;

// ---------------------------------------------------------------------------------------------
// Schema

const TABLES = ['meta', 'instances', 'history', 'messages', 'inboxes', 'activities'] as const;

const SCHEMA = `
CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE instances (
  hub TEXT NOT NULL, instance_id TEXT NOT NULL, name TEXT NOT NULL, execution_id TEXT NOT NULL,
  runtime_status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT, failure_details TEXT,
  created_time TEXT NOT NULL, last_updated_time TEXT NOT NULL, completed_time TEXT,
  parent_instance_id TEXT, version INTEGER NOT NULL
);
CREATE UNIQUE INDEX instances_by_id ON instances (hub, instance_id);
CREATE INDEX instances_by_created ON instances (hub, created_time, instance_id);
CREATE INDEX instances_by_status ON instances (hub, runtime_status, created_time, instance_id);
CREATE TABLE history (
  hub TEXT NOT NULL, instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY (hub, instance_id, seq)
);
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY, hub TEXT NOT NULL, instance_id TEXT NOT NULL, id TEXT NOT NULL,
  execution_id TEXT, visible_at INTEGER NOT NULL, event TEXT NOT NULL
);
CREATE UNIQUE INDEX messages_by_instance ON messages (hub, instance_id, id);
CREATE TABLE inboxes (
  hub TEXT NOT NULL, instance_id TEXT NOT NULL, pending_at INTEGER NOT NULL,
  lock_token TEXT, lock_expires_at INTEGER NOT NULL DEFAULT 0, ready_at INTEGER NOT NULL,
  PRIMARY KEY (hub, instance_id)
) WITHOUT ROWID;
CREATE INDEX inboxes_by_ready ON inboxes (hub, ready_at);
CREATE TABLE activities (
  seq INTEGER PRIMARY KEY, hub TEXT NOT NULL, instance_id TEXT NOT NULL, id TEXT NOT NULL,
  execution_id TEXT NOT NULL, task_scheduled_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT,
  enqueued_time TEXT NOT NULL, visible_at INTEGER NOT NULL, lease_token TEXT,
  expires_at INTEGER NOT NULL DEFAULT 0, deliveries INTEGER NOT NULL DEFAULT 0, ready_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX activities_by_instance ON activities (hub, instance_id, id);
CREATE INDEX activities_by_ready ON activities (hub, ready_at);
`;

const INSTANCE_COLUMNS = 'hub, instance_id, name, execution_id, runtime_status, input, output, custom_status, failure_details, created_time, last_updated_time, completed_time, parent_instance_id, version';

interface InstanceRow {
  hub: string; instance_id: string; name: string; execution_id: string; runtime_status: string;
  input: string | null; output: string | null; custom_status: string | null; failure_details: string | null;
  created_time: string; last_updated_time: string; completed_time: string | null; parent_instance_id: string | null; version: number;
}
interface MessageRow { id: string; instance_id: string; execution_id: string | null; visible_at: number; event: string }
interface InboxRow { instance_id: string; lock_token: string | null; lock_expires_at: number }
interface ActivityRow {
  seq: number; instance_id: string; id: string; execution_id: string; task_scheduled_id: number; name: string; input: string | null;
  enqueued_time: string; deliveries: number;
}

// ---------------------------------------------------------------------------------------------
// Rows are checked as they are read: a damaged row is a named error, not a crash later.

const str = (v: unknown): v is string => typeof v === 'string';
const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function corrupted(row: string, problem: string, cause?: unknown): StorageCorruptedError {
  return new StorageCorruptedError(`SQLite row ${row} ${problem}; the database was written by something else or is damaged.`, cause === undefined ? undefined : { cause });
}

function parseJson(row: string, column: string, text: unknown): unknown {
  if (!str(text)) throw corrupted(row, `has no JSON text in '${column}'`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw corrupted(row, `has unparseable JSON in '${column}' (${(error as Error).message})`, error);
  }
}

function parseEvent(row: string, text: unknown): HistoryEvent {
  const value = parseJson(row, 'event', text);
  if (typeof value !== 'object' || value === null || !str((value as HistoryEvent).type)) throw corrupted(row, `has an 'event' that is not a history event`);
  return value as HistoryEvent;
}

const instanceRowName = (hub: string, instanceId: unknown) => `instances(hub='${hub}', instance_id='${String(instanceId)}')`;

function toRecord(hub: string, row: InstanceRow): InstanceRecord {
  const name = instanceRowName(hub, row.instance_id);
  for (const column of ['instance_id', 'name', 'execution_id', 'created_time', 'last_updated_time'] as const) {
    if (!str(row[column])) throw corrupted(name, `has a bad or missing '${column}'`);
  }
  if (!isRuntimeStatus(row.runtime_status)) throw corrupted(name, `has an unknown runtime_status '${String(row.runtime_status)}'`);
  if (!int(row.version)) throw corrupted(name, `has a bad version '${String(row.version)}'`);
  const record: InstanceRecord = {
    instanceId: row.instance_id, name: row.name, executionId: row.execution_id, runtimeStatus: row.runtime_status,
    createdTime: row.created_time, lastUpdatedTime: row.last_updated_time, version: row.version,
  };
  if (row.input !== null) record.input = row.input;
  if (row.output !== null) record.output = row.output;
  if (row.custom_status !== null) record.customStatus = row.custom_status;
  if (row.failure_details !== null) {
    const details = parseJson(name, 'failure_details', row.failure_details);
    if (typeof details !== 'object' || details === null) throw corrupted(name, `has a 'failure_details' that is not an object`);
    record.failureDetails = details as FailureDetails;
  }
  if (row.completed_time !== null) record.completedTime = row.completed_time;
  if (row.parent_instance_id !== null) record.parentInstanceId = row.parent_instance_id;
  return record;
}

function instanceParams(hub: string, instanceId: string, r: Omit<InstanceRecord, 'version'>, version: number): Param[] {
  return [
    hub, instanceId, r.name, r.executionId, r.runtimeStatus, r.input ?? null, r.output ?? null, r.customStatus ?? null,
    r.failureDetails === undefined ? null : JSON.stringify(r.failureDetails), r.createdTime, r.lastUpdatedTime,
    r.completedTime ?? null, r.parentInstanceId ?? null, version,
  ];
}

function timeOf(what: string, iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${what} '${String(iso)}' is not an ISO 8601 date-time.`);
  return ms;
}

/**
 * Code-point order, which is how SQLite orders UTF-8 text: UTF-16 units U+E000..U+FFFF move
 * below the surrogates (which stand for code points above U+FFFF).
 */
function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** Newest first: createdTime (ASCII ISO text), then instanceId, both descending. */
function newestFirst(a: SortKey, b: SortKey): number {
  if (a.createdTime !== b.createdTime) return a.createdTime > b.createdTime ? -1 : 1;
  return -compareText(a.instanceId, b.instanceId);
}

/** Maps SQLite failures to the port's typed errors; durable errors pass through. */
export function toStorageError(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as { message?: unknown } | null)?.message;
  // SQLite codes first: isDurableError takes any Error with a string `code`, SqliteError included.
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return sqliteError(error, code, message);
  if (isDurableError(error)) return error;
  return error instanceof Error ? error : new Error(String(error));
}

function sqliteError(error: unknown, code: string, message: unknown): Error {
  if (code === 'SQLITE_FULL') return new StorageQuotaExceededError(`The SQLite database or disk is full; the transaction was rolled back. Free space (purge finished instances) and retry.`, { cause: error });
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    return new StorageCorruptedError(`The SQLite database is damaged or not a database (${code}: ${String(message)}).`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

// ---------------------------------------------------------------------------------------------

/** The connection: cached statements, transactions and savepoints. */
class Connection {
  private readonly statements = new Map<string, SqliteStatement>();
  private depth = 0;
  closed = false;
  /**
   * Set when a nested savepoint could not be rolled back because SQLite had already rolled back
   * the whole transaction (disk full, I/O error): the batch must stop, or what follows would run
   * outside any transaction.
   */
  lost = false;

  constructor(readonly db: SqliteDatabase) {}

  private statement(sql: string): SqliteStatement {
    if (this.closed) throw new Error('This SqliteStorage is closed.');
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, statement = this.db.prepare(sql));
    return statement;
  }

  get<T>(sql: string, ...params: Param[]): T | undefined { return this.statement(sql).get(...params) as T | undefined; }
  all<T>(sql: string, ...params: Param[]): T[] { return this.statement(sql).all(...params) as T[]; }
  run(sql: string, ...params: Param[]): number { return Number(this.statement(sql).run(...params).changes); }

  /** Runs `body` in a write transaction (a savepoint when nested); on any error nothing of it is written. */
  write<T>(body: () => T): T {
    return this.transaction('BEGIN IMMEDIATE', body);
  }

  /** A consistent snapshot across several reads. */
  read<T>(body: () => T): T {
    return this.transaction('BEGIN', body);
  }

  /** Transaction control goes through cached statements too: `exec` would parse it every time. */
  private control(sql: string): void {
    this.statement(sql).run();
  }

  private transaction<T>(begin: string, body: () => T): T {
    if (this.closed) throw new Error('This SqliteStorage is closed.');
    const name = `sp${this.depth}`;
    const nested = this.depth > 0;
    try {
      this.control(nested ? `SAVEPOINT ${name}` : begin);
    } catch (error) {
      throw toStorageError(error);
    }
    this.depth++;
    try {
      const result = body();
      this.control(nested ? `RELEASE ${name}` : 'COMMIT');
      return result;
    } catch (error) {
      // SQLite may already have rolled back (disk full, I/O error); then this fails, and that is fine.
      try {
        if (nested) { this.control(`ROLLBACK TO ${name}`); this.control(`RELEASE ${name}`); } else this.control('ROLLBACK');
      } catch {
        if (nested) this.lost = true;
      }
      throw toStorageError(error);
    } finally {
      this.depth--;
      if (this.depth === 0) this.lost = false;
    }
  }
}

/** Listeners of one storage, per hub (same process only). */
type Listeners = Map<string, Set<(n: StoreNotification) => void>>;

/** An episode's outcome and the notifications it owes once committed. */
/** An episode's outcome, the notifications it owes, and whether it left work to lease (else no 'work' notice). */
interface Applied { outcome: CommitOutcome; changes: StoreNotification[]; work?: boolean }
const refused = (error: Error): Applied => ({ outcome: { ok: false, error }, changes: [] });

class SqliteTaskHub implements TaskHubStore {
  constructor(readonly taskHub: string, private readonly sql: Connection, private readonly listeners: Listeners) {}

  async createInstance(instance: NewInstance): Promise<InstanceRecord> {
    const { instanceId } = instance.record;
    const created = this.sql.write(() => {
      const existing = this.status(instanceId);
      if (existing && !isTerminal(existing.runtimeStatus)) throw new InstanceAlreadyExistsError(instanceId, existing.runtimeStatus);
      return this.install(instance);
    });
    this.notify({ kind: 'work' });
    this.notify({ kind: 'instance', instanceId, runtimeStatus: created.runtimeStatus });
    return created;
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const row = this.sql.get<InstanceRow>(`SELECT ${INSTANCE_COLUMNS} FROM instances WHERE hub = ? AND instance_id = ?`, this.taskHub, instanceId);
    return row && toRecord(this.taskHub, row);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const rows = this.sql.all<{ seq: number; event: string }>('SELECT seq, event FROM history WHERE hub = ? AND instance_id = ? ORDER BY seq', this.taskHub, instanceId);
    return rows.map((r) => parseEvent(`history(hub='${this.taskHub}', instance_id='${instanceId}', seq=${r.seq})`, r.event));
  }

  async queryInstances(query: InstanceQuery): Promise<InstancePage> {
    const q = normalizeQuery(query);
    const rows = this.sql.read(() => {
      if (q.instanceIdPrefix !== undefined) return this.byPrefix(q, q.instanceIdPrefix);
      // One index range per status, each newest first and at most a page and one, merged.
      const sources = q.runtimeStatus ? [...q.runtimeStatus].map((s) => this.byCreated(q, s)) : [this.byCreated(q)];
      return sources.length === 1 ? sources[0]! : sources.flat().sort((a, b) => newestFirst(
        { createdTime: a.created_time, instanceId: a.instance_id }, { createdTime: b.created_time, instanceId: b.instance_id },
      )).slice(0, q.pageSize + 1);
    });
    return toPage(rows.map((row) => toRecord(this.taskHub, row)), q.pageSize);
  }

  /** Newest first over `instances_by_created` or, for one status, `instances_by_status`; the time range and continuation point bound the index range. */
  private byCreated(q: NormalizedQuery, status?: RuntimeStatus): InstanceRow[] {
    const where = ['hub = ?'];
    const params: Param[] = [this.taskHub];
    if (status !== undefined) { where.push('runtime_status = ?'); params.push(status); }
    if (q.createdTimeFrom !== undefined) { where.push('created_time >= ?'); params.push(q.createdTimeFrom); }
    if (q.createdTimeTo !== undefined) { where.push('created_time <= ?'); params.push(q.createdTimeTo); }
    if (q.after) { where.push('(created_time, instance_id) < (?, ?)'); params.push(q.after.createdTime, q.after.instanceId); }
    const index = status === undefined ? 'instances_by_created' : 'instances_by_status';
    return this.sql.all<InstanceRow>(
      `SELECT ${INSTANCE_COLUMNS} FROM instances INDEXED BY ${index} WHERE ${where.join(' AND ')} ORDER BY created_time DESC, instance_id DESC LIMIT ?`,
      ...params, q.pageSize + 1,
    );
  }

  /** By instanceId ascending over `instances_by_id`, from the prefix (or the continuation point) to the end of the prefix. */
  private byPrefix(q: NormalizedQuery, prefix: string): InstanceRow[] {
    const after = q.after?.instanceId;
    if (after !== undefined && !after.startsWith(prefix) && compareText(after, prefix) > 0) return [];
    const resume = after !== undefined && after.startsWith(prefix);
    // No UTF-8 text contains the byte 0xFF, so prefix || 0xFF is above every ID that starts with the prefix.
    const where = ['hub = ?', resume ? 'instance_id > ?' : 'instance_id >= ?', `instance_id < CAST(? || x'ff' AS TEXT)`];
    const params: Param[] = [this.taskHub, resume ? after : prefix, prefix];
    if (q.runtimeStatus) { where.push(`runtime_status IN (${[...q.runtimeStatus].map(() => '?').join(', ')})`); params.push(...q.runtimeStatus); }
    if (q.createdTimeFrom !== undefined) { where.push('created_time >= ?'); params.push(q.createdTimeFrom); }
    if (q.createdTimeTo !== undefined) { where.push('created_time <= ?'); params.push(q.createdTimeTo); }
    return this.sql.all<InstanceRow>(
      `SELECT ${INSTANCE_COLUMNS} FROM instances INDEXED BY instances_by_id WHERE ${where.join(' AND ')} ORDER BY instance_id LIMIT ?`,
      ...params, q.pageSize + 1,
    );
  }

  async enqueueMessages(messages: OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    this.sql.write(() => this.enqueue(messages));
    this.notify({ kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    const hub = this.taskHub;
    // Nothing ready: answer from a read, without taking the write lock (other processes may be writing).
    if (!this.sql.get('SELECT 1 FROM inboxes WHERE hub = ? AND ready_at <= ? LIMIT 1', hub, now)) return undefined;
    const leased = this.sql.write(() => {
      // An inbox that is ready but shows nothing visible is repaired and skipped; bounded, in case rows disagree.
      for (let attempt = 0; attempt < 16; attempt++) {
        const inbox = this.sql.get<{ instance_id: string }>('SELECT instance_id FROM inboxes WHERE hub = ? AND ready_at <= ? ORDER BY ready_at LIMIT 1', hub, now);
        if (!inbox) return undefined;
        const item = this.lockInbox(inbox.instance_id, now, lockMs);
        if (item) return item;
      }
      return undefined;
    });
    if (leased instanceof Error) throw leased;
    return leased;
  }

  /**
   * Locks an instance's inbox whose lock (if any) has lapsed, with every visible message;
   * with none visible, repairs the row and returns undefined. Inside a write transaction.
   */
  private lockInbox(instanceId: string, now: number, lockMs: number): OrchestrationWorkItem | Error | undefined {
    const hub = this.taskHub;
    const rows = this.sql.all<MessageRow>('SELECT id, instance_id, execution_id, visible_at, event FROM messages WHERE hub = ? AND instance_id = ? AND visible_at <= ? ORDER BY visible_at, seq', hub, instanceId, now);
    if (rows.length === 0) { this.settle(instanceId, undefined, true); return undefined; }
    const lease = { token: randomId(), expiresAt: now + lockMs };
    this.sql.run('UPDATE inboxes SET lock_token = ?, lock_expires_at = ?, ready_at = max(pending_at, ?) WHERE hub = ? AND instance_id = ?', lease.token, lease.expiresAt, lease.expiresAt, hub, instanceId);
    // A damaged message keeps its instance locked (so the others go on) and is reported.
    try {
      return { instanceId, messages: rows.map((row) => this.toMessage(row)), lease };
    } catch (error) {
      return error as Error;
    }
  }

  async abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    const hub = this.taskHub;
    const { instanceId, lease } = workItem;
    const released = this.sql.write(() => {
      if (this.lockToken(instanceId) !== lease.token) return false;
      if (visibleAt !== undefined) {
        for (const { id } of workItem.messages) {
          this.sql.run('UPDATE messages SET visible_at = max(visible_at, ?) WHERE hub = ? AND instance_id = ? AND id = ?', visibleAt, hub, instanceId, id);
        }
      }
      this.settle(instanceId, lease.token);
      return true;
    });
    if (released) this.notify({ kind: 'work' });
  }

  async commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    if (episodes.length === 0) return [];
    let results: Applied[];
    try {
      results = this.sql.write(() => episodes.map((e) => {
        try {
          return this.sql.write(() => this.applyEpisode(e));
        } catch (error) {
          if (this.sql.lost) throw error;
          return refused(toStorageError(error));
        }
      }));
    } catch (error) {
      // The transaction itself failed (e.g. disk full at COMMIT): nothing was written.
      const failure = toStorageError(error);
      return episodes.map(() => ({ ok: false, error: failure }));
    }
    if (results.some((r) => r.work)) this.notify({ kind: 'work' });
    for (const { changes } of results) for (const n of changes) this.notify(n);
    return results.map((r) => r.outcome);
  }

  async discardMessages(workItem: OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    const hub = this.taskHub;
    this.sql.write(() => {
      for (const id of messageIds) this.sql.run('DELETE FROM messages WHERE hub = ? AND instance_id = ? AND id = ?', hub, workItem.instanceId, id);
      this.settle(workItem.instanceId, workItem.lease.token);
    });
  }

  async leaseActivity(now: number, lockMs: number): Promise<LeasedActivity | undefined> {
    const hub = this.taskHub;
    if (!this.sql.get('SELECT 1 FROM activities WHERE hub = ? AND ready_at <= ? LIMIT 1', hub, now)) return undefined;
    return this.sql.write(() => {
      const row = this.sql.get<ActivityRow>(
        'SELECT seq, instance_id, id, execution_id, task_scheduled_id, name, input, enqueued_time, deliveries FROM activities WHERE hub = ? AND ready_at <= ? ORDER BY ready_at LIMIT 1',
        hub, now,
      );
      if (!row) return undefined;
      const lease = { token: randomId(), expiresAt: now + lockMs };
      this.sql.run('UPDATE activities SET lease_token = ?, expires_at = ?, ready_at = ?, deliveries = deliveries + 1 WHERE seq = ?', lease.token, lease.expiresAt, lease.expiresAt, row.seq);
      return { item: this.toActivity(row), lease, deliveryCount: row.deliveries + 1 };
    });
  }

  async completeActivities(completions: ActivityCompletion[]): Promise<CompletionOutcome[]> {
    if (completions.length === 0) return [];
    const hub = this.taskHub;
    let work = false;
    const outcomes = this.sql.write(() => {
      const done = completions.map(({ leased, result }): CompletionOutcome => this.sql.write(() => {
        const { instanceId, id } = leased.item;
        const row = this.sql.get<{ lease_token: string | null }>('SELECT lease_token FROM activities WHERE hub = ? AND instance_id = ? AND id = ?', hub, instanceId, id);
        if (!row || row.lease_token !== leased.lease.token) return { applied: false };
        this.sql.run('DELETE FROM activities WHERE hub = ? AND instance_id = ? AND id = ?', hub, instanceId, id);
        this.enqueue([result]);
        return { applied: true };
      }));
      // Eager dispatch, once every result is in: each free instance at most once, with all of them.
      const leasedNow = new Set<string>();
      completions.forEach(({ result, leaseInstance }, i) => {
        if (!done[i]!.applied || leasedNow.has(result.instanceId)) return;
        const free = leaseInstance && (this.sql.get<{ lock_expires_at: number }>('SELECT lock_expires_at FROM inboxes WHERE hub = ? AND instance_id = ?', hub, result.instanceId)?.lock_expires_at ?? 0) <= leaseInstance.now;
        const item = free ? this.lockInbox(result.instanceId, leaseInstance.now, leaseInstance.lockMs) : undefined;
        // A damaged message: leave the instance to the queue, which reports it.
        if (item && !(item instanceof Error)) { done[i]!.workItem = item; leasedNow.add(result.instanceId); } else work = true;
      });
      return done;
    });
    if (work) this.notify({ kind: 'work' });
    return outcomes;
  }

  async abandonActivity(leased: LeasedActivity, visibleAt?: number): Promise<void> {
    const hub = this.taskHub;
    const { instanceId, id } = leased.item;
    const at = visibleAt ?? null;
    const released = this.sql.run(
      `UPDATE activities SET lease_token = NULL, expires_at = 0, visible_at = coalesce(?, visible_at), ready_at = coalesce(?, visible_at)
       WHERE hub = ? AND instance_id = ? AND id = ? AND lease_token = ?`,
      at, at, hub, instanceId, id, leased.lease.token,
    );
    if (released) this.notify({ kind: 'work' });
  }

  async nextWakeTime(): Promise<number | undefined> {
    const row = this.sql.get<{ inbox: number | null; activity: number | null }>(
      'SELECT (SELECT min(ready_at) FROM inboxes WHERE hub = ?) AS inbox, (SELECT min(ready_at) FROM activities WHERE hub = ?) AS activity',
      this.taskHub, this.taskHub,
    );
    const next = Math.min(row?.inbox ?? Infinity, row?.activity ?? Infinity);
    return Number.isFinite(next) ? next : undefined;
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    return this.sql.write(() => {
      const current = this.status(instanceId);
      if (!current || !onlyIf.includes(current.runtimeStatus)) return 0;
      this.remove(instanceId);
      return 1;
    });
  }

  async purgeInstances(filter: PurgeFilter): Promise<number> {
    const q = normalizePurgeFilter(filter);
    return this.sql.write(() => {
      let purged = 0;
      for (const status of q.runtimeStatus) {
        const where = ['hub = ?', 'runtime_status = ?'];
        const params: Param[] = [this.taskHub, status];
        if (q.createdTimeFrom !== undefined) { where.push('created_time >= ?'); params.push(q.createdTimeFrom); }
        if (q.createdTimeTo !== undefined) { where.push('created_time <= ?'); params.push(q.createdTimeTo); }
        const ids = this.sql.all<{ instance_id: string }>(`SELECT instance_id FROM instances INDEXED BY instances_by_status WHERE ${where.join(' AND ')}`, ...params);
        for (const { instance_id } of ids) this.remove(instance_id);
        purged += ids.length;
      }
      return purged;
    });
  }

  subscribe(listener: (notification: StoreNotification) => void): () => void {
    let set = this.listeners.get(this.taskHub);
    if (!set) this.listeners.set(this.taskHub, set = new Set());
    set.add(listener);
    return () => { set.delete(listener); };
  }

  // ---- inside transactions ----

  /** One episode: every check before the first write, so a refused episode writes nothing. */
  private applyEpisode(e: EpisodeCommit): Applied {
    const hub = this.taskHub;
    const current = this.status(e.instanceId);
    if (!current || current.version !== e.expectedVersion) return refused(new VersionConflictError(e.instanceId, e.expectedVersion, current?.version));
    if (e.lease && this.lockToken(e.instanceId) !== e.lease.token) {
      // The lease lapsed and another worker took the instance: it got these messages too.
      const error = new VersionConflictError(e.instanceId, e.expectedVersion, current.version);
      error.message = `Instance '${e.instanceId}' was leased by another worker after this episode's lease lapsed; the episode is not committed.`;
      return refused(error);
    }
    const direct = e.completesActivities;
    if (direct) {
      // As if completed and the instance leased with exactly these results: a message visible first must go through the queue.
      if (this.sql.get('SELECT 1 FROM messages WHERE hub = ? AND instance_id = ? AND visible_at <= ? LIMIT 1', hub, e.instanceId, direct.now)) {
        return refused(new VersionConflictError(e.instanceId, e.expectedVersion, current.version, 'a message for it is waiting'));
      }
      for (const { item, lease } of direct.activities) {
        const row = this.sql.get<{ lease_token: string | null }>('SELECT lease_token FROM activities WHERE hub = ? AND instance_id = ? AND id = ?', hub, item.instanceId, item.id);
        if (!row || row.lease_token !== lease.token) return refused(new VersionConflictError(e.instanceId, e.expectedVersion, current.version, `activity '${item.id}' is no longer held`));
      }
    }
    for (const { record } of e.newInstances) {
      const existing = this.status(record.instanceId);
      if (existing && !isTerminal(existing.runtimeStatus)) return refused(new InstanceAlreadyExistsError(record.instanceId, existing.runtimeStatus));
    }

    let seq = 0;
    if ('replace' in e.history) this.sql.run('DELETE FROM history WHERE hub = ? AND instance_id = ?', hub, e.instanceId);
    else seq = (this.sql.get<{ last: number | null }>('SELECT max(seq) AS last FROM history WHERE hub = ? AND instance_id = ?', hub, e.instanceId)?.last ?? -1) + 1;
    for (const event of 'replace' in e.history ? e.history.replace : e.history.append) {
      this.sql.run('INSERT INTO history (hub, instance_id, seq, event) VALUES (?, ?, ?, ?)', hub, e.instanceId, seq++, JSON.stringify(event));
    }
    const version = current.version + 1;
    this.sql.run(
      `UPDATE instances SET name = ?, execution_id = ?, runtime_status = ?, input = ?, output = ?, custom_status = ?,
       failure_details = ?, created_time = ?, last_updated_time = ?, completed_time = ?, parent_instance_id = ?, version = ? WHERE hub = ? AND instance_id = ?`,
      ...instanceParams(hub, e.instanceId, e.instance, version).slice(2), hub, e.instanceId,
    );
    for (const id of e.consumedMessageIds) this.sql.run('DELETE FROM messages WHERE hub = ? AND instance_id = ? AND id = ?', hub, e.instanceId, id);
    // Completed here: their results are in the history, not queued.
    for (const { item } of direct?.activities ?? []) this.sql.run('DELETE FROM activities WHERE hub = ? AND instance_id = ? AND id = ?', hub, item.instanceId, item.id);
    // Eager dispatch: the first `max` activities are written already leased to the committer.
    const eager = e.leaseActivities;
    const leasedActivities: LeasedActivity[] = [];
    for (const item of e.activities) {
      const at = timeOf('enqueuedTime', item.enqueuedTime);
      const lease = eager && leasedActivities.length < eager.max ? { token: randomId(), expiresAt: eager.now + eager.lockMs } : undefined;
      this.sql.run(
        `INSERT INTO activities (hub, instance_id, id, execution_id, task_scheduled_id, name, input, enqueued_time, visible_at, lease_token, expires_at, deliveries, ready_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        hub, item.instanceId, item.id, item.executionId, item.taskScheduledId, item.name, item.input ?? null, item.enqueuedTime, at,
        lease?.token ?? null, lease?.expiresAt ?? 0, lease ? 1 : 0, lease?.expiresAt ?? at,
      );
      if (lease) leasedActivities.push({ item: { ...item }, lease, deliveryCount: 1 });
    }
    const changes: StoreNotification[] = [];
    for (const child of e.newInstances) {
      const created = this.install(child);
      changes.push({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
    }
    this.enqueue(e.messages);
    this.settle(e.instanceId, e.lease?.token);
    if (current.runtimeStatus !== e.instance.runtimeStatus || isTerminal(e.instance.runtimeStatus)) {
      changes.push({ kind: 'instance', instanceId: e.instanceId, runtimeStatus: e.instance.runtimeStatus });
    }
    const outcome: CommitOutcome = leasedActivities.length ? { ok: true, version, leasedActivities } : { ok: true, version };
    // Work left for a lease: anything not handed back eagerly, or messages still in the inbox.
    const work = e.messages.length > 0 || e.newInstances.length > 0 || e.activities.length > leasedActivities.length
      || this.sql.get('SELECT 1 FROM inboxes WHERE hub = ? AND instance_id = ?', hub, e.instanceId) !== undefined;
    return { outcome, changes, work };
  }

  private status(instanceId: string): { runtimeStatus: RuntimeStatus; version: number } | undefined {
    const row = this.sql.get<{ runtime_status: unknown; version: unknown }>('SELECT runtime_status, version FROM instances WHERE hub = ? AND instance_id = ?', this.taskHub, instanceId);
    if (!row) return undefined;
    if (!isRuntimeStatus(row.runtime_status)) throw corrupted(instanceRowName(this.taskHub, instanceId), `has an unknown runtime_status '${String(row.runtime_status)}'`);
    if (!int(row.version)) throw corrupted(instanceRowName(this.taskHub, instanceId), `has a bad version '${String(row.version)}'`);
    return { runtimeStatus: row.runtime_status, version: row.version };
  }

  private lockToken(instanceId: string): string | null | undefined {
    return this.sql.get<InboxRow>('SELECT instance_id, lock_token, lock_expires_at FROM inboxes WHERE hub = ? AND instance_id = ?', this.taskHub, instanceId)?.lock_token;
  }

  /** Creates an instance (replacing a terminal one with everything it had) and enqueues its start. */
  private install({ record, start }: NewInstance): InstanceRecord {
    this.remove(record.instanceId);
    this.sql.run(`INSERT INTO instances (${INSTANCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ...instanceParams(this.taskHub, record.instanceId, record, 1));
    this.enqueue([start]);
    return { ...record, version: 1 };
  }

  private remove(instanceId: string): void {
    for (const table of ['instances', 'history', 'messages', 'inboxes', 'activities']) {
      this.sql.run(`DELETE FROM ${table} WHERE hub = ? AND instance_id = ?`, this.taskHub, instanceId);
    }
  }

  private enqueue(messages: readonly OrchestrationMessage[]): void {
    const hub = this.taskHub;
    for (const m of messages) {
      const at = timeOf('visibleAt', m.visibleAt);
      // A message ID already queued for the instance is not queued twice.
      const added = this.sql.run(
        'INSERT INTO messages (hub, instance_id, id, execution_id, visible_at, event) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hub, instance_id, id) DO NOTHING',
        hub, m.instanceId, m.id, m.executionId ?? null, at, JSON.stringify(m.event),
      );
      if (!added) continue;
      this.sql.run(
        `INSERT INTO inboxes (hub, instance_id, pending_at, lock_token, lock_expires_at, ready_at) VALUES (?, ?, ?, NULL, 0, ?)
         ON CONFLICT (hub, instance_id) DO UPDATE SET pending_at = min(pending_at, excluded.pending_at), ready_at = max(min(pending_at, excluded.pending_at), lock_expires_at)`,
        hub, m.instanceId, at, at,
      );
    }
  }

  /**
   * Recomputes an instance's inbox after messages left it or moved, releasing the lock if `token`
   * holds it (or, with `dropLapsed`, whatever lock there is: only called when it has lapsed).
   * An inbox without messages goes.
   */
  private settle(instanceId: string, token: string | undefined, dropLapsed = false): void {
    const hub = this.taskHub;
    const pending = this.sql.get<{ at: number | null }>('SELECT min(visible_at) AS at FROM messages WHERE hub = ? AND instance_id = ?', hub, instanceId)?.at ?? null;
    if (pending === null) { this.sql.run('DELETE FROM inboxes WHERE hub = ? AND instance_id = ?', hub, instanceId); return; }
    const inbox = this.sql.get<InboxRow>('SELECT instance_id, lock_token, lock_expires_at FROM inboxes WHERE hub = ? AND instance_id = ?', hub, instanceId);
    const release = dropLapsed || (token !== undefined && inbox?.lock_token === token);
    const lockToken = release ? null : inbox?.lock_token ?? null;
    const expiresAt = release ? 0 : inbox?.lock_expires_at ?? 0;
    this.sql.run(
      `INSERT INTO inboxes (hub, instance_id, pending_at, lock_token, lock_expires_at, ready_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (hub, instance_id) DO UPDATE SET pending_at = excluded.pending_at, lock_token = excluded.lock_token,
       lock_expires_at = excluded.lock_expires_at, ready_at = excluded.ready_at`,
      hub, instanceId, pending, lockToken, expiresAt, Math.max(pending, expiresAt),
    );
  }

  private toMessage(row: MessageRow): OrchestrationMessage {
    const name = `messages(hub='${this.taskHub}', instance_id='${row.instance_id}', id='${row.id}')`;
    if (!int(row.visible_at)) throw corrupted(name, `has a bad visible_at '${String(row.visible_at)}'`);
    const message: OrchestrationMessage = { id: row.id, instanceId: row.instance_id, event: parseEvent(name, row.event), visibleAt: new Date(row.visible_at).toISOString() };
    if (row.execution_id !== null) message.executionId = row.execution_id;
    return message;
  }

  private toActivity(row: ActivityRow): ActivityWorkItem {
    const name = `activities(hub='${this.taskHub}', instance_id='${row.instance_id}', id='${row.id}')`;
    for (const column of ['id', 'instance_id', 'execution_id', 'name', 'enqueued_time'] as const) {
      if (!str(row[column])) throw corrupted(name, `has a bad or missing '${column}'`);
    }
    if (!int(row.task_scheduled_id)) throw corrupted(name, `has a bad task_scheduled_id '${String(row.task_scheduled_id)}'`);
    const item: ActivityWorkItem = {
      id: row.id, instanceId: row.instance_id, executionId: row.execution_id, taskScheduledId: row.task_scheduled_id, name: row.name, enqueuedTime: row.enqueued_time,
    };
    if (row.input !== null) item.input = row.input;
    return item;
  }

  private notify(n: StoreNotification): void {
    for (const listener of this.listeners.get(this.taskHub) ?? []) listener(n);
  }
}

// ---------------------------------------------------------------------------------------------

/** Creates the schema in an empty database, and refuses one with a foreign or newer schema. */
function openSchema(sql: Connection): void {
  sql.write(() => {
    const tables = sql.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`).map((t) => t.name);
    if (tables.length === 0) {
      sql.db.exec(SCHEMA);
      sql.run('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)', 'format', FORMAT, 'schema_version', String(SQLITE_SCHEMA_VERSION));
      return;
    }
    const foreign = `The SQLite database is not an edge-durable store of schema version ${SQLITE_SCHEMA_VERSION}`;
    if (!tables.includes('meta')) throw new StorageCorruptedError(`${foreign}: it has tables (${tables.join(', ')}) but no 'meta' table. Use another file, or delete this one.`);
    const meta = new Map(sql.all<{ key: unknown; value: unknown }>('SELECT key, value FROM meta').map((r) => [r.key, r.value]));
    if (meta.get('format') !== FORMAT) throw new StorageCorruptedError(`${foreign}: its meta format is '${String(meta.get('format'))}'. Use another file, or delete this one.`);
    const version = Number(meta.get('schema_version'));
    if (!Number.isInteger(version) || version < 1) throw new StorageCorruptedError(`${foreign}: its meta schema_version '${String(meta.get('schema_version'))}' is not a version.`);
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new StorageCorruptedError(`The SQLite database has edge-durable schema version ${version}, newer than this build's ${SQLITE_SCHEMA_VERSION}; it was written by a newer edge-durable. Upgrade, or use another file.`);
    }
    const missing = TABLES.filter((t) => !tables.includes(t));
    if (missing.length) throw new StorageCorruptedError(`${foreign}: it lacks the table(s) ${missing.join(', ')}.`);
  });
}

/** Durable task hubs in one SQLite database (file or `:memory:`). */
export class SqliteStorage implements Storage {
  private readonly sql: Connection;
  private readonly hubs = new Map<string, SqliteTaskHub>();
  private readonly listeners: Listeners = new Map();

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
  }

  taskHub(name: string): TaskHubStore {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, hub = new SqliteTaskHub(name, this.sql, this.listeners));
    return hub;
  }

  /** Hubs with an instance, a message or an activity: skips from one hub to the next in each table's index, O(hubs). */
  async listTaskHubs(): Promise<string[]> {
    return this.sql.read(() => {
      const found = new Set<string>();
      for (const table of ['instances', 'inboxes', 'activities']) {
        // Hub names are never empty, so '' is below the first.
        let hub = '';
        for (let row; (row = this.sql.get<{ hub: string }>(`SELECT hub FROM ${table} WHERE hub > ? ORDER BY hub LIMIT 1`, hub)); hub = row.hub) found.add(row.hub);
      }
      return [...found].sort();
    });
  }

  async deleteTaskHub(name: string): Promise<boolean> {
    validateTaskHubName(name);
    return this.sql.write(() => {
      const existed = ['instances', 'inboxes', 'activities'].some((table) => this.sql.get(`SELECT 1 FROM ${table} WHERE hub = ? LIMIT 1`, name) !== undefined);
      for (const table of ['instances', 'history', 'messages', 'inboxes', 'activities']) this.sql.run(`DELETE FROM ${table} WHERE hub = ?`, name);
      return existed;
    });
  }

  /** Closes the connection; the storage cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.sql.closed) return;
    this.sql.closed = true;
    this.sql.db.close?.();
  }
}
