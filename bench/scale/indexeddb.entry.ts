/**
 * The browser side of bench/scale/indexeddb.mjs: the IndexedDB store at `n` instances (from the
 * page's hash), seeded directly into the store's own object store (10,000 rows a transaction,
 * not through the engine), then the latencies of the listing's first page, a deep page by
 * continuation token, a status read and the count of each status in a range.
 */

import { SCHEMA_VERSION, STAMP } from '../../core/store/indexeddb/schema.js';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import type { InstanceRecord, TaskHubStore } from '../../core/store/port.js';

const { sizes } = JSON.parse(decodeURIComponent(location.hash.slice(1)) || '{}') as { sizes: number[] };
const HUB = 'DurableFunctionsHub';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const STATUSES = ['Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Failed', 'Failed', 'Running', 'Terminated'] as const;
const ALL = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'] as const;

/** Instance i, as bench/scale/sqlite.mjs seeds it: created i seconds after T0, 60% Completed, 20% Failed, 10% Running, 10% Terminated. */
function row(i: number): InstanceRecord & { hub: string; historyLength: number } {
  const created = new Date(T0 + i * 1000).toISOString();
  const runtimeStatus = STATUSES[i % STATUSES.length]!;
  const done = runtimeStatus !== 'Running';
  const record: InstanceRecord & { hub: string; historyLength: number } = {
    hub: HUB,
    instanceId: `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-${i}`,
    name: 'HelloSequence',
    executionId: `exec-${i}`,
    runtimeStatus,
    input: 'null',
    createdTime: created,
    lastUpdatedTime: created,
    version: done ? 9 : 3,
    historyLength: done ? 16 : 6,
  };
  if (done) {
    record.output = '["Hello Tokyo!","Hello Seattle!","Hello London!"]';
    record.completedTime = created;
  }
  return record;
}

const request = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
const finished = (tx: IDBTransaction) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error);
  });

async function seed(name: string, n: number): Promise<{ db: IDBDatabase; seconds: number }> {
  const db = await request(indexedDB.open(name, SCHEMA_VERSION));
  const start = performance.now();
  for (let from = 0; from < n; from += 10_000) {
    const tx = db.transaction(['instances', 'meta'], 'readwrite', { durability: 'relaxed' });
    const store = tx.objectStore('instances');
    for (let i = from; i < Math.min(n, from + 10_000); i++) store.put(row(i));
    // As every writer does: a new write stamp, so that the store's connection reads these rows instead of what it remembers.
    tx.objectStore('meta').put(crypto.randomUUID(), STAMP);
    await finished(tx);
  }
  return { db, seconds: (performance.now() - start) / 1000 };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
async function time(times: number, fn: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), n: samples.length };
}

async function measure(n: number) {
  const name = `scale-${n}-${Date.now()}`;
  const storage = await IndexedDbStorage.open(name);
  const hub = storage.taskHub(HUB) as TaskHubStore & { countInstances?: (f: { createdTimeFrom?: string }) => Promise<Record<string, number>> };
  const { db, seconds } = await seed(name, n);
  const createdTimeFrom = new Date(T0 + Math.floor(n / 10) * 1000).toISOString();
  const query = { runtimeStatus: ['Completed' as const], createdTimeFrom, pageSize: 100 };
  const first = await time(100, () => hub.queryInstances(query));
  // Full pages of Completed instances in the range (the seed's 60% of the last 90%).
  const page = Math.min(1000, Math.floor((n * 0.9 * 0.6) / 100));
  let token: string | undefined;
  let walked = 0;
  for (let p = 1; p < page; p++) {
    const got = await hub.queryInstances({ ...query, continuationToken: token });
    walked += got.instances.length;
    token = got.continuationToken;
    if (!token) throw new Error(`the list ended at page ${p} after ${walked} instances`);
  }
  let size = 0;
  const deep = await time(100, async () => {
    size = (await hub.queryInstances({ ...query, continuationToken: token })).instances.length;
  });
  if (size !== 100) throw new Error(`page ${page} held ${size} instances`);
  const read = await time(500, async (i) => {
    const id = row(Math.floor((i * 7919) % n)).instanceId;
    if (!(await hub.getInstance(id))) throw new Error(`no instance ${id}`);
  });
  const how = hub.countInstances ? 'TaskHubStore.countInstances' : 'IDBIndex.count over byStatus per status; TaskHubStore.countInstances is not in this build';
  const count = await time(10, async () => {
    if (hub.countInstances) return hub.countInstances({ createdTimeFrom });
    const index = db.transaction('instances', 'readonly').objectStore('instances').index('byStatus');
    return Promise.all(ALL.map((s) => request(index.count(IDBKeyRange.bound([HUB, s, createdTimeFrom], [HUB, s, []])))));
  });
  db.close();
  await storage.close?.();
  await request(indexedDB.deleteDatabase(name)).catch(() => undefined);
  return { n, seedSeconds: seconds, first, deep: { ...deep, page }, read, count: { ...count, how } };
}

async function main() {
  const results = [];
  for (const n of sizes) results.push(await measure(n));
  return results;
}

(globalThis as { __report?: unknown }).__report = main();
