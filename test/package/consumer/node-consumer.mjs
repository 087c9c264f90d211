// A consumer's ESM script: every entry that runs on Node, imported by package name.
import Database from 'better-sqlite3';
import { DurableApp, DurableClient, InvalidArgumentError, MemoryStorage, UnknownOrchestratorError, Worker } from 'edge-durable';
import { createApp, createCheckStatusResponse } from 'edge-durable/http';
import { IndexedDbStorage } from 'edge-durable/indexeddb';
import { MissingPeerError, startNodeServer } from 'edge-durable/node';
import { Simulation } from 'edge-durable/simulator';
import { SqliteStorage } from 'edge-durable/sqlite';

const app = new DurableApp()
  .orchestration('HelloSequence', function* (context) {
    const out = [];
    for (const city of ['Tokyo', 'London']) out.push(yield context.df.callActivity('SayHello', city));
    return out;
  })
  .activity('SayHello', (city) => `Hello ${city}!`);

async function run(storage) {
  const client = new DurableClient({ storage, app });
  const worker = new Worker(app, storage.taskHub(client.taskHubName));
  worker.start();
  try {
    const id = await client.startNew('HelloSequence');
    return (await client.waitForCompletion(id, { timeoutInSeconds: 20 })).output;
  } finally {
    await worker.stop();
  }
}

const caught = async (f) => {
  try {
    await f();
  } catch (error) {
    return error;
  }
};
const sim = new Simulation(app);
const simId = await sim.startNew('HelloSequence');
await sim.runUntilIdle();
const sqlite = new SqliteStorage(new Database(':memory:'));
const fromSqlite = await caught(() => sqlite.taskHub('not a valid/hub'));
const fromSimulator = await caught(() => sim.startNew('NoSuchOrchestrator'));

console.log(
  JSON.stringify({
    memory: await run(new MemoryStorage()),
    sqlite: await run(sqlite),
    simulator: (await sim.getStatus(simId)).output,
    sqliteErrorIsRootClass: fromSqlite instanceof InvalidArgumentError,
    simulatorErrorIsRootClass: fromSimulator instanceof UnknownOrchestratorError,
    http: typeof createApp === 'function' && typeof createCheckStatusResponse === 'function',
    node: typeof startNodeServer === 'function' && typeof MissingPeerError === 'function',
    indexeddb: typeof IndexedDbStorage.open === 'function',
  }),
);
