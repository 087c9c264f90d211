// A consumer's TypeScript, checked against the installed declarations (NodeNext and Bundler).
import Database from 'better-sqlite3';
import { DurableApp, DurableClient, type DurableError, MemoryStorage, type OrchestrationContext, RetryOptions, type Storage, Worker } from 'edge-durable';
import { createApp, type DurableHttpApp } from 'edge-durable/http';
import { IndexedDbStorage } from 'edge-durable/indexeddb';
import { type NodeServer, startNodeServer } from 'edge-durable/node';
import { Simulation } from 'edge-durable/simulator';
import { SqliteStorage } from 'edge-durable/sqlite';

function* greet(context: OrchestrationContext) {
  const name: string = yield context.df.callActivityWithRetry('SayHello', new RetryOptions(1000, 3), context.df.getInput<string>());
  return name;
}
export const app = new DurableApp().orchestration('Greet', greet).activity('SayHello', (name: string) => `Hello ${name}!`);

export async function main(): Promise<NodeServer> {
  const storage: Storage = new SqliteStorage(new Database(':memory:'));
  const client = new DurableClient({ storage, app });
  new Worker(app, storage.taskHub(client.taskHubName)).start();
  const id: string = await client.startNew('Greet', { input: 'Tokyo' });
  const sim = new Simulation(app);
  await sim.runUntilIdle();
  const http: DurableHttpApp = createApp({ storage: new MemoryStorage(), app, auth: { anonymous: true } });
  void http;
  void IndexedDbStorage.open('db');
  void id;
  const failure: DurableError | undefined = undefined;
  void failure;
  return startNodeServer({ app, port: 0 });
}
