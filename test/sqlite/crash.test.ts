/**
 * A real crash: a worker process is killed (SIGKILL) mid-flight, leaving its WAL and leases
 * behind; a new storage and worker on the same file finish every instance exactly once.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { DurableClient, type HistoryEvent, Worker } from '../../core/index.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { registerSamples } from '../../samples/index.js';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('finishes every instance after the worker process is killed mid-flight', async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-durable-crash-'));
  const file = join(dir, 'durable.db');
  const proc = spawn(process.execPath, ['--import', 'tsx', child, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('MID')) resolve();
    });
    proc.on('exit', (code) => reject(new Error(`The worker process exited (${code}) before it was killed.`)));
  });
  proc.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(existsSync(`${file}-wal`)).toBe(true);

  const storage = new SqliteStorage(new Database(file));
  const app = registerSamples();
  const client = new DurableClient({ storage, app });
  const ids = ['hello-0', 'hello-1', 'hello-2', 'fan'];
  const before = await Promise.all(ids.map((id) => client.getStatus(id)));
  expect(before.every((s) => s !== null)).toBe(true);
  expect(before.some((s) => s?.runtimeStatus !== 'Completed')).toBe(true);

  const worker = new Worker(app, storage.taskHub(client.taskHubName));
  worker.start();
  try {
    for (const id of ids) {
      const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 15_000 });
      expect(status.runtimeStatus).toBe('Completed');
      expect(status.output).toEqual(id === 'fan' ? 9455 : ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      const history = await client.getHistory(id);
      const scheduled = history.filter((e) => e.type === 'TaskScheduled').map((e) => e.eventId);
      const completed = history.filter((e): e is Extract<HistoryEvent, { type: 'TaskCompleted' }> => e.type === 'TaskCompleted').map((e) => e.taskScheduledId);
      expect(scheduled).toHaveLength(id === 'fan' ? 30 : 3);
      expect([...completed].sort((a, b) => a - b)).toEqual([...scheduled].sort((a, b) => a - b));
      expect(history.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
      expect(history.filter((e) => e.type === 'ExecutionCompleted')).toHaveLength(1);
    }
  } finally {
    await worker.stop();
    await storage.close();
  }
  const db = new Database(file, { readonly: true });
  try {
    for (const id of ids) {
      const seqs = (
        db.prepare('SELECT seq FROM history WHERE hub = ? AND instance_id = ? ORDER BY seq').all('DurableFunctionsHub', id) as { seq: number }[]
      ).map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i));
    }
    // Nothing is left behind: no messages, inboxes or activities.
    for (const table of ['messages', 'inboxes', 'activities']) expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
  } finally {
    db.close();
  }
});
