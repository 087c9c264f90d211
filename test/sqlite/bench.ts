/**
 * Throughput on a database file: N × HelloSequence (4 episodes + 3 activities each) with a real
 * Worker on the system clock, against the in-memory store for reference.
 * Usage: node --import tsx test/sqlite/bench.ts [instances=100] [rounds=3]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DurableClient, MemoryStorage, type Storage, Worker } from '../../core/index.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { registerSamples } from '../../samples/index.js';

const instances = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 3);

async function run(storage: Storage): Promise<number> {
  const app = registerSamples();
  const client = new DurableClient({ storage, app });
  let commits = 0;
  const store = storage.taskHub(client.taskHubName);
  const commit = store.commit.bind(store);
  store.commit = (episodes) => {
    commits++;
    return commit(episodes);
  };
  const worker = new Worker(app, store);
  worker.start();
  const started = performance.now();
  const ids = await Promise.all(Array.from({ length: instances }, () => client.startNew('HelloSequence')));
  for (const id of ids) {
    const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 120_000 });
    if (status.runtimeStatus !== 'Completed') throw new Error(`${id} is ${status.runtimeStatus}`);
  }
  const ms = performance.now() - started;
  await worker.stop();
  const steps = instances * 7;
  console.log(
    `  ${instances} instances in ${ms.toFixed(0)} ms: ${((steps / ms) * 1000).toFixed(0)} steps/s (${(((instances * 4) / ms) * 1000).toFixed(0)} episodes/s, ${((instances / ms) * 1000).toFixed(0)} instances/s), ${commits} commit batches`,
  );
  return (steps / ms) * 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'edge-durable-bench-'));
try {
  for (let round = 1; round <= rounds; round++) {
    const file = join(dir, `bench-${round}.db`);
    console.log(`round ${round}: sqlite file (WAL, synchronous=NORMAL)`);
    const storage = new SqliteStorage(new Database(file));
    await run(storage);
    await storage.close();
    console.log(`round ${round}: memory`);
    await run(new MemoryStorage());
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
