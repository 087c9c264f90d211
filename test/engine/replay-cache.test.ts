/** The replay cache keeps running orchestrators in memory; strict mode replays every episode. */
import { describe, expect, it } from 'vitest';
import { DurableApp, MemoryStorage, type TaskHubStore, Worker } from '../../core/index.js';
import { harness } from '../helpers.js';

function countingHistoryReads(storage: MemoryStorage, hub = 'DurableFunctionsHub') {
  const store = storage.taskHub(hub);
  const reads = { count: 0, events: 0 };
  const original = store.getHistory.bind(store);
  (store as TaskHubStore).getHistory = async (id: string) => {
    const history = await original(id);
    reads.count++;
    reads.events += history.length;
    return history;
  };
  return reads;
}

const chain = new DurableApp()
  .orchestration('Chain', function* (ctx) {
    let x = 0;
    for (let i = 0; i < ctx.df.getInput<number>(); i++) x = yield ctx.df.callActivity('Inc', x);
    return x;
  })
  .activity('Inc', (x: number) => x + 1);

describe('replay cache', () => {
  it('does not re-read or replay history for a cached orchestrator', async () => {
    const storage = new MemoryStorage();
    const reads = countingHistoryReads(storage);
    const h = harness({ app: chain, storage });
    const id = await h.client.startNew('Chain', { input: 200 });
    await h.settle();
    expect((await h.client.getStatus(id))?.output).toBe(200);
    // Not even the first episode reads: a new instance (version 1) has no history yet.
    expect(reads.count).toBe(0);
  });

  it('strict mode replays the whole history every episode, with the same result', async () => {
    const storage = new MemoryStorage();
    const reads = countingHistoryReads(storage);
    const h = harness({ app: chain, storage, worker: { replayCache: false } });
    const id = await h.client.startNew('Chain', { input: 20 });
    await h.settle();
    expect((await h.client.getStatus(id))?.output).toBe(20);
    expect(reads.count).toBe(20); // every episode but the first (a new instance has no history)
    expect(reads.events).toBeGreaterThan(20 * 20); // quadratic: the price of strictness
  });

  it('stays within its bound and falls back to replay for evicted instances', async () => {
    const storage = new MemoryStorage();
    const reads = countingHistoryReads(storage);
    const h = harness({ app: chain, storage, worker: { replayCache: 2 } });
    const ids = await Promise.all(Array.from({ length: 6 }, () => h.client.startNew('Chain', { input: 5 })));
    await h.settle();
    for (const id of ids) expect((await h.client.getStatus(id))?.output).toBe(5);
    expect(reads.count).toBeGreaterThan(6);
  });

  it('a fresh worker (cold cache) continues a half-run orchestration from history', async () => {
    const storage = new MemoryStorage();
    const h = harness({ app: chain, storage });
    const id = await h.client.startNew('Chain', { input: 10 });
    await h.worker.runUntilIdle();
    h.worker.clearCache();
    await h.settle();
    expect((await h.client.getStatus(id))?.output).toBe(10);
  });
});

describe('several workers on one store', () => {
  it('a worker with a stale cache re-reads before dropping anything', async () => {
    const storage = new MemoryStorage();
    const h = harness({ app: chain, storage });
    const orchestrationsOnly = { clock: h.clock, maxConcurrentActivities: 0 };
    const a = new Worker(chain, h.store, orchestrationsOnly);
    const b = new Worker(chain, h.store, orchestrationsOnly);
    const c = new Worker(chain, h.store, { clock: h.clock, maxConcurrentOrchestrations: 0 });
    const id = await h.client.startNew('Chain', { input: 6 });
    for (let i = 0; i < 6; i++) for (const w of [a, c, b, c]) await w.runUntilIdle();
    await a.runUntilIdle();
    expect(await h.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: 6 });
  });
});
