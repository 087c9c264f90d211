// The scale rows (bench/scale/): one SQLite store at 100,000 and 1,000,000 instances, a purge of
// 100,000 under load, end-to-end durable throughput through HTTP, and the long run's bytes per
// instance and memory. Heavy: minutes, and a 1,000,000-row file in the temp directory for a while.
//
// `npm run bench -- --only scale` runs these rows alone. Sizes: BENCH_SCALE_SIZES (default
// 100000,1000000), BENCH_SCALE_IDB_SIZES (IndexedDB in Chromium, default 10000,100000),
// BENCH_SCALE_LONG_RUN (instances in the long run, default 50000).
import { indexedDbScale } from './scale/indexeddb.mjs';
import { purgeBenchmark, scaleOfOneStore } from './scale/sqlite.mjs';
import { endToEndThroughput, longRun, workerdThroughput } from './scale/throughput.mjs';

const r1 = (x) => Math.round(x * 10) / 10;
const r3 = (x) => Math.round(x * 1000) / 1000;
const k = (n) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

/** The Durable Task Scheduler's published throughput: about 1,400 work items/s for one worker of 2 vCPUs (a DTS benchmark figure, not measured here). */
const DTS_WORK_ITEMS_PER_SECOND = 1400;

export async function benchmarks({ rounds = 3 } = {}) {
  const rows = [];
  const row = (name, ours, unit, better, note, extra = {}) => rows.push({ name, ours, peer: null, unit, ratio: null, better, note, ...extra });

  // First, before the large files of the rows below are written and deleted: their write-back would stall the purge's commits.
  const purge = await purgeBenchmark(100_000);
  row(
    'SQLite purge by filter of 100k instances: longest event-loop block',
    r1(purge.maxBlockMs),
    'ms',
    'lower',
    `monitorEventLoopDelay max (p99 ${r1(purge.p99BlockMs)} ms); a status read every 2 ms waited at most ${r1(purge.maxReadMs)} ms; ${purge.chunks} chunks, ${r1(purge.cpuMsPerChunk)} ms CPU each; ${Math.round(purge.perSecond)} instances/s (10 history rows each). Wall-clock blocks include time the process was descheduled on a busy machine`,
    { target: '<= 50' },
  );

  const sizes = (process.env.BENCH_SCALE_SIZES ?? '100000,1000000').split(',').map(Number);
  const scale = await scaleOfOneStore(sizes);
  for (const s of scale) {
    const at = `SQLite at ${k(s.n)} instances`;
    const latency = (what, st, note) =>
      row(`${at}: ${what}`, r3(st.p50), 'ms (p50)', 'lower', `p99 ${r3(st.p99)} ms over ${st.n} calls; ${note}`, { p99: r3(st.p99) });
    latency('first page, runtimeStatus=Completed + createdTimeFrom, 100 a page', s.first, `plan: ${s.plans.list}`);
    latency(`page ${s.deep.page} of the same list, fetched by continuation token`, s.deep, 'the token-based fetch is timed (the walk to it is not); no OFFSET');
    latency('status read (getInstance)', s.read, `plan: ${s.plans.status}`);
    latency(
      'count of every status in a createdTimeFrom range',
      s.count,
      `${s.count.how}; seeded in ${r1(s.seedSeconds)} s by direct batched INSERTs (not through the engine)`,
    );
  }
  if (scale.length === 2) {
    const [small, large] = scale;
    const growth = (pick) => r3(pick(large).p50 / pick(small).p50);
    row(
      `SQLite ${k(large.n)} vs ${k(small.n)} instances: p50 growth (${large.n / small.n}x the rows)`,
      growth((s) => s.count),
      'x',
      'lower',
      `count ${growth((s) => s.count)}x (an index range: linear in the matches); first page ${growth((s) => s.first)}x, deep page ${growth((s) => s.deep)}x, status read ${growth((s) => s.read)}x (index seeks: logarithmic)`,
      { target: `<= ${large.n / small.n} (linear or better)` },
    );
  }

  const idb = await indexedDbScale((process.env.BENCH_SCALE_IDB_SIZES ?? '10000,100000').split(',').map(Number));
  for (const s of idb.results) {
    const at = `IndexedDB (${idb.browser}) at ${k(s.n)} instances`;
    const latency = (what, st, note) =>
      row(`${at}: ${what}`, r3(st.p50), 'ms (p50)', 'lower', `p99 ${r3(st.p99)} ms over ${st.n} calls; ${note}`, { p99: r3(st.p99) });
    latency('first page, runtimeStatus=Completed + createdTimeFrom, 100 a page', s.first, 'a backward cursor over byStatus');
    latency(`page ${s.deep.page} of the same list, fetched by continuation token`, s.deep, 'the token-based fetch is timed (the walk to it is not)');
    latency('status read (getInstance)', s.read, 'one get by primary key');
    latency(
      'count of every status in a createdTimeFrom range',
      s.count,
      `${s.count.how}; seeded in ${r1(s.seedSeconds)} s (10,000 rows a transaction, not through the engine)`,
    );
  }

  const e2e = await endToEndThroughput({ rounds });
  const dts = `peer: the Durable Task Scheduler's published ~${DTS_WORK_ITEMS_PER_SECOND} work items/s per 2-vCPU worker (not measured here)`;
  rows.push({
    name: 'End-to-end HTTP: HelloSequence on the Node host (SQLite), work items/s',
    ours: Math.round(e2e.workItemsPerSecond),
    peer: DTS_WORK_ITEMS_PER_SECOND,
    unit: 'work items/s',
    ratio: r3(e2e.workItemsPerSecond / DTS_WORK_ITEMS_PER_SECOND),
    better: 'higher',
    note: `7 work items per instance (4 orchestration episodes + 3 activities); ${dts}; host and load generator in separate processes, ${e2e.concurrency} concurrent start-and-wait requests, median of ${e2e.samples.length} runs of ${e2e.total}`,
  });
  row(
    'End-to-end HTTP: HelloSequence on the Node host (SQLite), orchestrations/s',
    Math.round(e2e.orchestrationsPerSecond),
    'orchestrations/s',
    'higher',
    `${Math.round(e2e.activitiesPerSecond)} activities/s; host CPU ${r3(e2e.hostCpuMsPerOrchestration)} ms per orchestration; runs ${e2e.samples.map(Math.round).join(', ')}`,
    { target: '>= 1000' },
  );

  for (const partitions of [1, 4]) {
    const w = await workerdThroughput({ partitions, rounds });
    row(
      `End-to-end HTTP: HelloSequence on the Worker in workerd, ${partitions} partition${partitions > 1 ? 's' : ''}, orchestrations/s`,
      Math.round(w.orchestrationsPerSecond),
      'orchestrations/s',
      'higher',
      `${Math.round(w.activitiesPerSecond)} activities/s, ${Math.round(w.workItemsPerSecond)} work items/s; the same load generator and workload as the Node row; Miniflare runs every object in one workerd thread, so partitions share one core here; runs ${w.samples.map(Math.round).join(', ')}`,
    );
  }

  const long = await longRun({ total: Number(process.env.BENCH_SCALE_LONG_RUN ?? 50_000) });
  row(
    'SQLite bytes per completed HelloSequence instance',
    Math.round(long.bytesPerInstance),
    'bytes',
    'lower',
    `database file after ${long.total} instances through the host, WAL checkpointed at close (instance row, 16 history rows, their indexes)`,
  );
  row(
    `Node host heap growth while ${k(long.total)} instances complete`,
    r1(long.heapGrowthKBPer1000),
    'KB per 1,000 instances',
    'lower',
    `least-squares slope of heapUsed after a GC, sampled every ${long.samples[1].completed - long.samples[0].completed}: ${long.samples.map((s) => r1(s.heapUsedMB)).join(', ')} MB; RSS ${r1(long.samples[0].rssMB)} -> ${r1(long.samples[long.samples.length - 1].rssMB)} MB; ${Math.round(long.orchestrationsPerSecond)} orch/s over the run`,
    { target: '~0 (flat)' },
  );
  return rows;
}
