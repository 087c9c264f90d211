/**
 * Opening a local store for `--store PATH`. The store type is pluggable: `main()` takes an
 * `openStore` in its IO (tests may pass another); the default opens the Node host's SQLite file.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import type { Storage } from '../core/store/port.js';
import { failedError, usageError } from './errors.js';

export type StoreOpener = (path: string) => Promise<Storage>;

/** The Node host's store, `new SqliteStorage(new Database(path))`, on a file that must exist. */
export const openSqliteStore: StoreOpener = async (path) => {
  if (!existsSync(path)) {
    throw usageError(
      `There is no store at '${path}'.`,
      'Pass the SQLite file the Node host uses (by default .data/durable.sqlite); the host creates it when it first starts.',
    );
  }
  if (!statSync(path).isFile()) throw usageError(`'${path}' is not a file; --store takes the path of the host's SQLite file (e.g. .data/durable.sqlite).`);
  // Loaded on demand: endpoint mode never pays for the native SQLite module.
  const [{ default: Database }, { SqliteStorage }] = await Promise.all([import('better-sqlite3'), import('../core/store/sqlite.js')]);
  try {
    return new SqliteStorage(new Database(path, { fileMustExist: true }));
  } catch (error) {
    throw failedError(
      `Cannot open the store '${path}': ${error instanceof Error ? error.message : String(error)}`,
      'Is it the SQLite file of an edge-durable host (e.g. .data/durable.sqlite)?',
    );
  }
};
