/** The crash-at-every-write scenarios on SQLite files: the new process opens a new connection to the file. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { runCrashScenarios } from '../crash.case.js';

const dir = mkdtempSync(join(tmpdir(), 'edge-durable-crash-points-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fileOf = new WeakMap<object, string>();

runCrashScenarios('SQLite', {
  open() {
    const file = join(dir, `run-${++files}.db`);
    const storage = new SqliteStorage(new Database(file));
    fileOf.set(storage, file);
    return storage;
  },
  async reopen(dead) {
    const file = fileOf.get(dead)!;
    await (dead as SqliteStorage).close();
    return new SqliteStorage(new Database(file));
  },
  async close(storage) {
    await (storage as SqliteStorage).close();
  },
});
