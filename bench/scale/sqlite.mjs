// The scale of one SQLite store (the Node host's): listing, status reads and counts at 100,000
// and 1,000,000 instances, and a purge by filter of 100,000 instances while reads go on.
//
// The instances are seeded directly, not through the engine: batched INSERTs into the store's own
// schema (created by SqliteStorage), one transaction per 10,000 rows. 1,000,000 instances
// through the engine would take most of an hour here; the queries measured read the instance
// rows only, which the seed writes as the engine does (the purge seed also writes history rows
// and a start message, so that a purge deletes what it would in use).
//
//   node --import tsx bench/scale/sqlite.mjs [instances]   # one size, prints JSON
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { INSTANCE_COLUMNS } from '../../core/store/sqlite/schema.ts';
import { SqliteStorage } from '../../core/store/sqlite.ts';

export const HUB = 'DurableFunctionsHub';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const STATUSES = ['Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Failed', 'Failed', 'Running', 'Terminated'];
const BATCH = 10_000;

/** Instance i: created i seconds after T0, 60% Completed, 20% Failed, 10% Running, 10% Terminated; IDs not in creation order. */
export function seedRow(i) {
  const created = new Date(T0 + i * 1000).toISOString();
  const status = STATUSES[i % STATUSES.length];
  const done = status !== 'Running';
  const id = `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-${i}`;
  return [
    HUB,
    id,
    'HelloSequence',
    `exec-${i}`,
    status,
    'null',
    done ? '["Hello Tokyo!","Hello Seattle!","Hello London!"]' : null,
    null,
    status === 'Failed' ? '{"errorType":"Error","errorMessage":"boom"}' : null,
    created,
    created,
    done ? created : null,
    null,
    done ? 9 : 3,
  ];
}

/**
 * Seeds `n` instances (`row(i)` gives each one's columns) into a new store in `file`; with `history`, each also gets
 * that many history rows and a pending message. Returns the seconds it took.
 */
export function seed(file, n, { row = seedRow, history = 0 } = {}) {
  new SqliteStorage(new Database(file)).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    `INSERT INTO instances (${INSTANCE_COLUMNS}) VALUES (${INSTANCE_COLUMNS.split(',')
      .map(() => '?')
      .join(', ')})`,
  );
  const event = JSON.stringify({ type: 'TaskCompleted', eventId: -1, timestamp: new Date(T0).toISOString(), taskScheduledId: 0, result: '"Hello Tokyo!"' });
  const insertHistory = db.prepare('INSERT INTO history (hub, instance_id, seq, event) VALUES (?, ?, ?, ?)');
  const insertMessage = db.prepare('INSERT INTO messages (hub, instance_id, id, execution_id, visible_at, event) VALUES (?, ?, ?, NULL, ?, ?)');
  const start = performance.now();
  const chunk = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const values = row(i);
      insert.run(...values);
      for (let seq = 0; seq < history; seq++) insertHistory.run(HUB, values[1], seq, event);
      if (history) insertMessage.run(HUB, values[1], `m-${i}`, T0, event);
    }
  });
  for (let from = 0; from < n; from += BATCH) chunk(from, Math.min(n, from + BATCH));
  db.close();
  return (performance.now() - start) / 1000;
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const stats = (samples) => ({ p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), n: samples.length });

async function time(times, fn) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

/** The count of each status in the range: the store's `countInstances` where it has one, else the same index range counted in SQL. */
function counter(db, hub) {
  if (typeof hub.countInstances === 'function') return { how: 'TaskHubStore.countInstances', count: (from) => hub.countInstances({ createdTimeFrom: from }) };
  const sql = 'SELECT count(*) AS n FROM instances INDEXED BY instances_by_status WHERE hub = ? AND runtime_status = ? AND created_time >= ?';
  const statement = db.prepare(sql);
  const all = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'];
  const plan = db
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all(HUB, 'Completed', '')
    .map((r) => r.detail)
    .join('; ');
  return {
    how: `SQL count over instances_by_status per status (${plan}); TaskHubStore.countInstances is not in this build`,
    count: (from) => Object.fromEntries(all.map((s) => [s, statement.get(HUB, s, from).n])),
  };
}

/**
 * Latencies (ms) on a seeded store of `n` instances: the first page of a filtered list
 * (Completed, created in the last 90% of the range, 100 a page), a deep page reached by
 * continuation token (the token-based fetch itself is timed), a status read, and the count of
 * every status in the range.
 */
export async function listingLatencies(file, n, { deepPage = 1000 } = {}) {
  const db = new Database(file);
  const storage = new SqliteStorage(db);
  const hub = storage.taskHub(HUB);
  try {
    const createdTimeFrom = new Date(T0 + Math.floor(n / 10) * 1000).toISOString();
    const query = { runtimeStatus: ['Completed'], createdTimeFrom, pageSize: 100 };
    const first = await time(300, () => hub.queryInstances(query));
    // Walk to the deep page once (not timed), then time fetching it from its token.
    const available = Math.floor(((n * 0.9 * 6) / 10 - 1) / 100) + 1;
    const page = Math.min(deepPage, available);
    let token;
    for (let p = 1; p < page; p++) token = (await hub.queryInstances({ ...query, continuationToken: token })).continuationToken;
    let deepCount = 0;
    const deep = await time(300, async () => {
      deepCount = (await hub.queryInstances({ ...query, continuationToken: token })).instances.length;
    });
    if (deepCount !== 100) throw new Error(`page ${page} held ${deepCount} instances, not 100`);
    const ids = Array.from({ length: 2000 }, (_, i) => seedRow(Math.floor((i * 7919) % n))[1]);
    const read = await time(ids.length, async (i) => {
      if (!(await hub.getInstance(ids[i]))) throw new Error(`no instance ${ids[i]}`);
    });
    const { how, count } = counter(db, hub);
    let counts;
    const countAll = await time(15, async () => {
      counts = await count(createdTimeFrom);
    });
    const plans = Object.fromEntries(
      [
        [
          'list',
          `SELECT instance_id FROM instances INDEXED BY instances_by_status WHERE hub = ? AND runtime_status = ? AND created_time >= ? AND (created_time, instance_id) < (?, ?) ORDER BY created_time DESC, instance_id DESC LIMIT 101`,
        ],
        ['status', 'SELECT runtime_status FROM instances WHERE hub = ? AND instance_id = ?'],
      ].map(([k, sql]) => [
        k,
        db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...(k === 'list' ? [HUB, 'Completed', '', '9', '9'] : [HUB, 'x']))
          .map((r) => r.detail)
          .join('; '),
      ]),
    );
    return { n, first, deep: { ...deep, page }, read, count: { ...countAll, how, counts }, plans };
  } finally {
    await storage.close();
  }
}

/**
 * Purges `n` Completed instances (each with `history` history rows and a pending message) by
 * filter while a status read runs every 2 ms: the longest event-loop block (monitorEventLoopDelay)
 * and the longest read during the purge, the chunks reported and the purge's rate.
 */
export async function purgeUnderLoad(file, n = 100_000, { history = 10 } = {}) {
  const row = (i) => {
    const r = seedRow(i);
    r[4] = 'Completed';
    return r;
  };
  seed(file, n, { row, history });
  const db = new Database(file);
  const storage = new SqliteStorage(db);
  const hub = storage.taskHub(HUB);
  // A Running instance the reads look at: the purge does not touch it.
  await hub.createInstance({
    record: {
      instanceId: 'watched',
      name: 'HelloSequence',
      executionId: 'e',
      runtimeStatus: 'Running',
      createdTime: new Date(T0).toISOString(),
      lastUpdatedTime: new Date(T0).toISOString(),
    },
    start: {
      id: 'start',
      instanceId: 'watched',
      event: { type: 'ExecutionStarted', eventId: -1, timestamp: new Date(T0).toISOString(), name: 'HelloSequence' },
      visibleAt: new Date(T0).toISOString(),
    },
  });
  try {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    let done = false;
    let maxRead = 0;
    let reads = 0;
    const reader = (async () => {
      while (!done) {
        const t = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 2));
        const r = await hub.getInstance('watched');
        if (r?.runtimeStatus !== 'Running') throw new Error('the watched instance is gone');
        // The wait asked for 2 ms: what is beyond it is time the read was held up.
        maxRead = Math.max(maxRead, performance.now() - t - 2);
        reads++;
      }
    })();
    let chunks = 0;
    delay.enable();
    const start = performance.now();
    const cpu = process.cpuUsage();
    // From one progress report to the next: a chunk's transaction, plus whatever ran between two chunks.
    let last = start;
    let maxChunkMs = 0;
    const purged = await hub.purgeInstances(
      { runtimeStatus: ['Completed'] },
      {
        onProgress: () => {
          chunks++;
          const now = performance.now();
          maxChunkMs = Math.max(maxChunkMs, now - last);
          last = now;
        },
      },
    );
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    delay.disable();
    done = true;
    await reader;
    if (purged !== n) throw new Error(`purged ${purged} of ${n}`);
    const cpuMsPerChunk = (used.user + used.system) / 1000 / chunks;
    return {
      n,
      history,
      seconds,
      perSecond: n / seconds,
      chunks,
      cpuMsPerChunk,
      maxChunkMs,
      maxBlockMs: delay.max / 1e6,
      p99BlockMs: delay.percentile(99) / 1e6,
      maxReadMs: maxRead,
      reads,
    };
  } finally {
    await storage.close();
  }
}

/** Both sizes' listing latencies, each on a freshly seeded file. */
export async function scaleOfOneStore(sizes = [100_000, 1_000_000]) {
  const results = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'edge-durable-bench-scale-'));
    try {
      const file = join(dir, 'durable.sqlite');
      const seedSeconds = seed(file, n);
      results.push({ ...(await listingLatencies(file, n)), seedSeconds });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

export async function purgeBenchmark(n = 100_000) {
  const dir = mkdtempSync(join(tmpdir(), 'edge-durable-bench-purge-'));
  try {
    return await purgeUnderLoad(join(dir, 'durable.sqlite'), n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2]) || 100_000;
  console.log(JSON.stringify(await scaleOfOneStore([n]), null, 2));
  console.log(JSON.stringify(await purgeBenchmark(Math.min(n, 100_000)), null, 2));
}
