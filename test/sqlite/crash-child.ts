/**
 * A worker process for the crash test (not a test itself): starts instances on a SQLite file and
 * runs them with short leases; prints MID after its 3rd commit, then slows down so the parent
 * can kill it (SIGKILL) mid-flight.
 * Usage: node --import tsx test/sqlite/crash-child.ts <file>
 */
import Database from 'better-sqlite3';
import { DurableClient, Worker } from '../../core/index.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { registerSamples } from '../../samples/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: crash-child.ts <database file>');
const storage = new SqliteStorage(new Database(file));
const app = registerSamples();
const client = new DurableClient({ storage, app });
const store = storage.taskHub(client.taskHubName);
const commit = store.commit.bind(store);
let commits = 0;
store.commit = async (episodes) => {
  const outcomes = await commit(episodes);
  if (++commits === 3) process.stdout.write('MID\n');
  if (commits >= 3) await new Promise((resolve) => setTimeout(resolve, 100));
  return outcomes;
};
for (let i = 0; i < 3; i++) await client.startNew('HelloSequence', { instanceId: `hello-${i}` });
await client.startNew('FanOutFanIn', { instanceId: 'fan', input: 30 });
new Worker(app, store, { orchestrationLockMs: 500, activityLockMs: 500 }).start();
