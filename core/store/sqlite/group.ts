/**
 * Group commit for the SQLite store: the write calls made in one turn of the event loop (the
 * HTTP requests, episodes and activity results that came in together) run in one transaction,
 * each in its own savepoint, at the end of the turn. A commit's cost is mostly the commit
 * itself (writing the WAL frames of every page it touched, and now and then a checkpoint),
 * so a batch costs little more than one of its calls.
 *
 * Each call still gets its own outcome: a call that throws rolls back its savepoint only and
 * rejects alone; the others commit. Calls run in the order they were made, so a later call
 * sees what an earlier one of the batch wrote (two starts of one instance ID: the second is
 * refused). If the transaction itself fails (disk full at COMMIT), every call of the batch
 * rejects with that error and nothing of it is written. A call resolves only once the
 * transaction has committed, so its caller never acts on a write that may yet roll back.
 * @module
 */
import { type Connection, toStorageError } from './connection.js';

/** Runs `flush` after the current turn's I/O callbacks: `setImmediate` where there is one, else a zero timeout. */
export type Defer = (flush: () => void) => void;

const immediate = (globalThis as { setImmediate?: (run: () => void) => unknown }).setImmediate;
export const nextTurn: Defer = immediate ? (flush) => void immediate(flush) : (flush) => void setTimeout(flush, 0);

interface Call {
  body: () => unknown;
  savepoint: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Most calls one transaction takes; the rest go in the next one, so that a burst does not hold the database for long. */
const MAX_CALLS = 512;

export class WriteGroup {
  private pending: Call[] | undefined;

  constructor(
    private readonly sql: Connection,
    private readonly defer: Defer = nextTurn,
  ) {}

  /**
   * Runs `body` in the turn's shared write transaction; resolves with its result once that has
   * committed. `savepoint: false` is for a body that puts each of its items in a savepoint itself
   * and throws only when the whole transaction is lost: one savepoint less per call.
   */
  run<T>(body: () => T, { savepoint = true } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.pending) {
        this.pending = [];
        this.defer(() => this.flush());
      }
      this.pending.push({ body, savepoint, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Writes the pending calls now (before the connection closes). */
  flush(): void {
    const all = this.pending ?? [];
    this.pending = undefined;
    for (let i = 0; i < all.length; i += MAX_CALLS) this.write(all.slice(i, i + MAX_CALLS));
  }

  private write(calls: Call[]): void {
    if (this.sql.closed) {
      for (const c of calls) c.reject(new Error('This SqliteStorage is closed.'));
      return;
    }
    let outcomes: ({ ok: true; value: unknown } | { ok: false; error: Error })[];
    try {
      outcomes = this.sql.write(() =>
        calls.map((c) => {
          try {
            return { ok: true as const, value: c.savepoint ? this.sql.write(c.body) : c.body() };
          } catch (error) {
            // SQLite rolled back the whole transaction: what follows would run outside of it.
            if (this.sql.lost) throw error;
            return { ok: false as const, error: toStorageError(error) };
          }
        }),
      );
    } catch (error) {
      const failure = toStorageError(error);
      for (const c of calls) c.reject(failure);
      return;
    }
    for (const [i, o] of outcomes.entries()) {
      if (o.ok) calls[i]!.resolve(o.value);
      else calls[i]!.reject(o.error);
    }
  }
}
