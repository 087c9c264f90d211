/**
 * The browser side of bench/indexeddb.chromium.mjs: durable steps per second on the page's
 * real IndexedDB. A step is one activity call through an orchestration: lease the instance,
 * commit an episode that appends TaskScheduled and enqueues the activity, lease the activity,
 * complete it (its TaskCompleted is the next episode's message). With eager dispatch (the
 * Worker's path, and the `eager` port rows) the commit leases the activity and the completion
 * leases the instance back: two store operations per step instead of four.
 */

import { event } from '../../core/history.js';
import { DurableApp, DurableClient, Worker } from '../../core/index.js';
import { type IndexedDbOptions, IndexedDbStorage } from '../../core/store/indexeddb.js';
import type { EpisodeCommit, LeasedActivity, OrchestrationMessage, OrchestrationWorkItem, TaskHubStore } from '../../core/store/port.js';
import { leaseActivities, leaseOrchestrations } from '../../core/worker/lease-many.js';
import { withoutBatchLeasing } from '../store/without-batch-leasing.js';

const config = { seconds: 3, lanes: 64, ...(JSON.parse(decodeURIComponent(location.hash.slice(1)) || '{}') as { seconds?: number; lanes?: number }) };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
let dbSeq = 0;
const dbName = () => `bench-${Date.now()}-${++dbSeq}`;

// Counts transactions (readwrite ones carry the operations) and requests: each costs the page
// and the browser process about the same whatever its size, so these explain the engine rows.
let writeTransactions = 0;
let readTransactions = 0;
let requests = 0;
const transaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
  if (args[1] === 'readwrite') writeTransactions++;
  else readTransactions++;
  return transaction.apply(this, args);
} as IDBDatabase['transaction'];
for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype] as unknown as Record<string, (...args: unknown[]) => unknown>[]) {
  for (const method of ['get', 'getKey', 'getAll', 'getAllKeys', 'put', 'add', 'delete', 'count', 'openCursor', 'openKeyCursor']) {
    const original = proto[method];
    if (original)
      proto[method] = function (this: unknown, ...args: unknown[]) {
        requests++;
        return original.apply(this, args);
      };
  }
}

const done = (request: IDBTransaction) =>
  new Promise((resolve, reject) => {
    request.oncomplete = resolve;
    request.onerror = request.onabort = () => reject(request.error);
  });

/** Plain IndexedDB, one awaited transaction at a time: what this machine's disk path costs. */
async function rawTransactions(seconds: number, shape: 'put' | 'get+3put'): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName(), 1);
    request.onupgradeneeded = () => request.result.createObjectStore('s');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const tx = db.transaction('s', 'readwrite');
    const store = tx.objectStore('s');
    if (shape === 'put') store.put({ n }, n);
    else
      store.get(n - 1).onsuccess = () => {
        for (let k = 0; k < 3; k++) store.put({ n, k }, `${n}-${k}`);
      };
    await done(tx);
    n++;
  }
  db.close();
  return n / seconds;
}

/**
 * `leaseBatch`: each lane leases up to that many orchestrations, then activities, per call (the
 * batch methods). `eager`: each lane runs its instance on eager leases (what the Worker does).
 */
async function portSteps(options: IndexedDbOptions & { lanes: number; seconds: number; leaseBatch?: number; eager?: boolean }) {
  const storage = await IndexedDbStorage.open(dbName(), options);
  const hub = storage.taskHub('Bench');
  await Promise.all(
    Array.from({ length: options.lanes * 2 }, (_, i) =>
      hub.createInstance({
        record: { instanceId: `i${i}`, name: 'B', executionId: 'e', runtimeStatus: 'Pending', createdTime: iso(T0), lastUpdatedTime: iso(T0) },
        start: {
          id: `s${i}`,
          instanceId: `i${i}`,
          event: event('ExecutionStarted', iso(T0), { name: 'B', orchestrationInstance: { instanceId: `i${i}`, executionId: 'e' } }),
          visibleAt: iso(T0),
        },
      }),
    ),
  );
  // Operations: lease calls, episodes committed and activities completed (what shares write transactions).
  let steps = 0,
    operations = 0,
    conflicts = 0,
    running = true;
  const versions = new Map<string, number>();
  const episodeOf = (item: OrchestrationWorkItem, now: number): EpisodeCommit => {
    const version = versions.get(item.instanceId) ?? 1;
    const at = iso(now);
    return {
      instanceId: item.instanceId,
      expectedVersion: version,
      lease: item.lease,
      instance: { instanceId: item.instanceId, name: 'B', executionId: 'e', runtimeStatus: 'Running', createdTime: iso(T0), lastUpdatedTime: at },
      history: {
        append: [
          event('OrchestratorStarted', at, {}),
          ...item.messages.map((m) => m.event),
          event('TaskScheduled', at, { name: 'Step', input: '1' }, version),
          event('OrchestratorCompleted', at, {}),
        ],
      },
      consumedMessageIds: item.messages.map((m) => m.id),
      messages: [],
      newInstances: [],
      activities: [
        { id: crypto.randomUUID(), instanceId: item.instanceId, executionId: 'e', taskScheduledId: version, name: 'Step', input: '1', enqueuedTime: at },
      ],
    };
  };
  const resultOf = (leased: LeasedActivity): OrchestrationMessage => ({
    id: crypto.randomUUID(),
    instanceId: leased.item.instanceId,
    executionId: 'e',
    event: event('TaskCompleted', iso(Date.now()), { taskScheduledId: leased.item.taskScheduledId, result: '2' }),
    visibleAt: iso(Date.now()),
  });
  async function lane(store: TaskHubStore): Promise<void> {
    while (running) {
      const now = Date.now();
      operations++;
      const item = await store.leaseOrchestration(now, 30_000);
      if (!item) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      operations++;
      const [outcome] = await store.commit([episodeOf(item, now)]);
      if (!outcome!.ok) {
        conflicts++;
        await store.abandonOrchestration(item);
        continue;
      }
      versions.set(item.instanceId, outcome!.version);
      operations++;
      const leased = await store.leaseActivity(Date.now(), 300_000);
      if (!leased) continue;
      operations++;
      const [done] = await store.completeActivities([{ leased, result: resultOf(leased) }]);
      if (running && done!.applied) steps++;
    }
  }
  /** The Worker's path: the commit leases the activity it schedules, the completion leases the instance back. */
  async function eagerLane(store: TaskHubStore): Promise<void> {
    let item: OrchestrationWorkItem | undefined;
    while (running) {
      const now = Date.now();
      if (!item) {
        operations++;
        item = await store.leaseOrchestration(now, 30_000);
      }
      if (!item) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      operations++;
      const [outcome] = await store.commit([{ ...episodeOf(item, now), leaseActivities: { now, lockMs: 300_000, max: 1 } }]);
      const held = item;
      item = undefined;
      if (!outcome!.ok) {
        conflicts++;
        await store.abandonOrchestration(held);
        continue;
      }
      versions.set(held.instanceId, outcome!.version);
      let leased = outcome!.leasedActivities?.[0];
      if (!leased) {
        operations++;
        leased = await store.leaseActivity(Date.now(), 300_000);
      }
      if (!leased) continue;
      operations++;
      const [done] = await store.completeActivities([{ leased, result: resultOf(leased), leaseInstance: { now: Date.now(), lockMs: 30_000 } }]);
      if (running && done!.applied) steps++;
      item = done!.workItem;
    }
  }
  async function batchLane(store: TaskHubStore, max: number): Promise<void> {
    while (running) {
      const now = Date.now();
      operations++;
      const items = await leaseOrchestrations(store, now, 30_000, max);
      if (items.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      operations += items.length;
      const outcomes = await store.commit(items.map((item) => episodeOf(item, now)));
      let committed = 0;
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.ok) {
          committed++;
          versions.set(items[i]!.instanceId, outcome.version);
        } else {
          conflicts++;
          await store.abandonOrchestration(items[i]!);
        }
      }
      operations++;
      const leased = await leaseActivities(store, Date.now(), 300_000, committed);
      operations += leased.length;
      const done = await store.completeActivities(leased.map((l) => ({ leased: l, result: resultOf(l) })));
      if (running) steps += done.filter((d) => d.applied).length;
    }
  }
  const lanes = Array.from({ length: options.lanes }, () =>
    options.leaseBatch ? batchLane(hub, options.leaseBatch) : options.eager ? eagerLane(hub) : lane(hub),
  );
  await new Promise((resolve) => setTimeout(resolve, 500)); // warm-up
  steps = 0;
  operations = 0;
  const transactionsBefore = writeTransactions;
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  const elapsed = (performance.now() - start) / 1000;
  const measured = steps,
    operated = operations,
    transactions = writeTransactions - transactionsBefore;
  running = false;
  await Promise.all(lanes);
  await storage.close();
  return {
    stepsPerSecond: measured / elapsed,
    operationsPerTransaction: operated / Math.max(1, transactions),
    transactionsPerSecond: transactions / elapsed,
    conflicts,
  };
}

/** The engine itself: Chain orchestrations (`steps` activity calls each) on one Worker. */
async function engineSteps(options: { orchestrations: number; steps: number; durability?: IndexedDbOptions['durability']; singleLeases?: boolean }) {
  const app = new DurableApp()
    .orchestration('Chain', function* (ctx) {
      let x = 0;
      for (let i = 0; i < (ctx.df.getInput() as number); i++) x = yield ctx.df.callActivity('Increment', x);
      return x;
    })
    .activity('Increment', (x: number) => x + 1);
  const storage = await IndexedDbStorage.open(dbName(), { durability: options.durability });
  const client = new DurableClient({ storage, app });
  const store = storage.taskHub(client.taskHubName);
  const worker = new Worker(app, options.singleLeases ? withoutBatchLeasing(store) : store, { onError: (error) => console.error(error) });
  worker.start();
  const [transactionsBefore, readsBefore, requestsBefore] = [writeTransactions, readTransactions, requests];
  const start = performance.now();
  const ids = await Promise.all(Array.from({ length: options.orchestrations }, () => client.startNew('Chain', { input: options.steps })));
  for (const id of ids) {
    const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 600_000 });
    if (status.output !== options.steps) throw new Error(`Chain returned ${JSON.stringify(status.output)} (${status.runtimeStatus})`);
  }
  const elapsed = (performance.now() - start) / 1000;
  const [transactions, reads, requested] = [writeTransactions - transactionsBefore, readTransactions - readsBefore, requests - requestsBefore];
  await worker.stop();
  await storage.close();
  const steps = options.orchestrations * options.steps;
  return {
    stepsPerSecond: steps / elapsed,
    orchestrationsPerSecond: options.orchestrations / elapsed,
    transactionsPerSecond: transactions / elapsed,
    readTransactionsPerSecond: reads / elapsed,
    requestsPerStep: requested / steps,
    seconds: elapsed,
  };
}

async function main() {
  const { seconds, lanes } = config;
  return {
    rawPutTransactionsPerSecond: await rawTransactions(1, 'put'),
    rawGet3PutTransactionsPerSecond: await rawTransactions(1, 'get+3put'),
    port: {
      oneLane: await portSteps({ lanes: 1, seconds }),
      noGroupCommit: await portSteps({ lanes, seconds, maxBatch: 1 }),
      groupCommit: await portSteps({ lanes, seconds }),
      groupCommitStrict: await portSteps({ lanes, seconds, durability: 'strict' }),
      groupCommit4xLanes: await portSteps({ lanes: 4 * lanes, seconds, maxBatch: 512 }),
      groupCommitBatchLeasing: await portSteps({ lanes: Math.max(1, lanes / 16), seconds, leaseBatch: 16 }),
      groupCommitEager: await portSteps({ lanes, seconds, eager: true }),
    },
    engine: {
      // An unmeasured run of the same size first: the engine's code is still cold after the port-level
      // rows, and V8 keeps compiling it for about a thousand steps (on this machine's two cores the
      // compiler threads then took as much CPU per step as the run itself: the row swung 700-1,400).
      warmUp: await engineSteps({ orchestrations: 100, steps: 10 }),
      chain: await engineSteps({ orchestrations: 100, steps: 10 }),
      chainSingleLeases: await engineSteps({ orchestrations: 100, steps: 10, singleLeases: true }),
      chainRelaxed: await engineSteps({ orchestrations: 100, steps: 10, durability: 'relaxed' }),
    },
  };
}

(globalThis as { __report?: unknown }).__report = main();
