/** Database files for the SQLite tests, each in its own temporary folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * Returns a function that gives a fresh database path on every call. Called at a file's top level
 * or inside a `describe`, it removes the folders after each test of that scope.
 */
export function tempDatabaseFiles(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-durable-sqlite-'));
    dirs.push(dir);
    return join(dir, 'durable.db');
  };
}
