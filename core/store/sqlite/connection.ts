/**
 * The SQLite connection the store runs on: the driver interface it needs (better-sqlite3's
 * `Database` fits), cached statements, transactions and savepoints, and the mapping of SQLite
 * failures to the port's typed errors.
 * @module
 */
import { isDurableError, StorageCorruptedError, StorageQuotaExceededError } from '../../errors.js';

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

export type Param = string | number | null;

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
  if (code === 'SQLITE_FULL')
    return new StorageQuotaExceededError(
      `The SQLite database or disk is full; the transaction was rolled back. Free space (purge finished instances) and retry.`,
      { cause: error },
    );
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    return new StorageCorruptedError(`The SQLite database is damaged or not a database (${code}: ${String(message)}).`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The connection: cached statements, transactions and savepoints. */
export class Connection {
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
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  get<T>(sql: string, ...params: Param[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }
  all<T>(sql: string, ...params: Param[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }
  run(sql: string, ...params: Param[]): number {
    return Number(this.statement(sql).run(...params).changes);
  }

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
        if (nested) {
          this.control(`ROLLBACK TO ${name}`);
          this.control(`RELEASE ${name}`);
        } else this.control('ROLLBACK');
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
