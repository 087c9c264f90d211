/**
 * SQLite-backed objects also have a synchronous key-value API (`ctx.storage.kv`). Reads
 * through it skip the asynchronous storage round trip, which dominates the store's cost;
 * each change set is written in one `transactionSync`, so it stays atomic.
 * @module
 */
import type { DurableObjectListOptions, DurableObjectStorageLike } from './tx.js';

export interface SyncKvLike {
  get<T = unknown>(key: string): T | undefined;
  put<T>(key: string, value: T): void;
  delete(key: string): boolean;
  list<T = unknown>(options?: DurableObjectListOptions): Iterable<[string, T]>;
}

export interface SqliteStorageLike {
  kv: SyncKvLike;
  transactionSync<T>(closure: () => T): T;
  deleteAll?(): Promise<void>;
}

export function isSqliteStorage(storage: unknown): storage is SqliteStorageLike {
  const s = storage as Partial<SqliteStorageLike> | undefined;
  return typeof s?.kv?.get === 'function' && typeof s.transactionSync === 'function';
}

export function syncStorage(storage: SqliteStorageLike): DurableObjectStorageLike {
  const { kv } = storage;
  return {
    async get<T>(keys: string[]) {
      const found = new Map<string, T>();
      for (const key of keys) {
        const value = kv.get<T>(key);
        if (value !== undefined) found.set(key, value);
      }
      return found;
    },
    async put(entries) {
      storage.transactionSync(() => {
        for (const [k, v] of Object.entries(entries)) kv.put(k, v);
      });
    },
    async delete(keys) {
      return storage.transactionSync(() => keys.filter((k) => kv.delete(k)).length);
    },
    async list<T>(options?: DurableObjectListOptions) {
      return new Map(kv.list<T>(options));
    },
    async write(puts, deletes) {
      storage.transactionSync(() => {
        for (const k of deletes) kv.delete(k);
        for (const [k, v] of puts) kv.put(k, v);
      });
    },
    deleteAll: storage.deleteAll && (() => storage.deleteAll!()),
  };
}
