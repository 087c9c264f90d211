/**
 * Writes by other processes on the same file (the CLI's `--store`, another client): SQLite
 * tells no one, so while someone listens the connection polls `PRAGMA data_version`, which
 * changes exactly when another connection has committed. One poll reads the WAL index header
 * in shared memory, a few microseconds, and touches no table, so it runs on a short interval
 * for as long as a worker is subscribed, busy or not. Commits of this connection do not
 * change it (their listeners are told directly).
 * @module
 */
import type { Clock } from '../../clock.js';
import type { Connection } from './connection.js';

export class ExternalWrites {
  private users = 0;
  private version: number | undefined;
  private cancel: (() => void) | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly sql: Connection,
    private readonly clock: Clock,
    /** 0 turns the poll off. */
    private readonly intervalMs: number,
    /** Called first on every change found (the store wakes its hubs' subscribers). */
    private readonly onChange: () => void,
  ) {}

  /** Calls `listener` after each poll that finds another connection's commit; the returned function stops it. */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    this.retain();
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      this.listeners.delete(listener);
      this.release();
    };
  }

  /** Keeps the poll running (a store subscriber); undone by `release`. */
  retain(): void {
    if (this.users++ === 0 && this.intervalMs > 0) {
      this.version = this.read();
      this.arm();
    }
  }

  release(): void {
    if (--this.users > 0) return;
    this.users = 0;
    this.cancel?.();
    this.cancel = undefined;
  }

  stop(): void {
    this.users = 0;
    this.cancel?.();
    this.cancel = undefined;
  }

  private read(): number | undefined {
    if (this.sql.closed) return undefined;
    try {
      return this.sql.get<{ data_version: number }>('PRAGMA data_version')?.data_version;
    } catch {
      // A failing read says nothing about other writers; the next poll tries again, and real failures surface in the store's calls.
      return this.version;
    }
  }

  private arm(): void {
    this.cancel = this.clock.setTimer(this.intervalMs, () => {
      this.cancel = undefined;
      if (this.users === 0 || this.sql.closed) return;
      const version = this.read();
      const changed = version !== this.version;
      this.version = version;
      this.arm();
      if (!changed) return;
      this.onChange();
      for (const listener of [...this.listeners]) listener();
    });
  }
}
