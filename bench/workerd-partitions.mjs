// Partitioned task hubs in real workerd (miniflare): the same concurrent workload (orchestrations
// of 3 sequential x → x+1 activities, started and awaited from the Worker) on hubs of 1, 4 and 16
// partition objects, in one run. The peer column is the 1-partition hub; ratio = speedup.
// Miniflare runs every object of a Worker in one workerd process, on one thread: partitions
// here share that thread (and this machine's cores), so these rows show what partitioning
// costs or buys on one host, not how it adds up on Cloudflare, where each object has its own.
//
//   node bench/workerd-partitions.mjs [orchestrations] [rounds]
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startMiniflare } from '../test/workerd/miniflare.mjs';

process.env.WRANGLER_SEND_METRICS ??= 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const round = (x) => Math.round(x * 1000) / 1000;
const COUNTS = [1, 4, 16];

async function batch(mf, partitions, n) {
  const t0 = performance.now();
  const response = await mf.dispatchFetch(`http://bench/?n=${n}&steps=3&partitions=${partitions}`);
  if (!response.ok) throw new Error(`${partitions} partitions: ${response.status} ${await response.text()}`);
  const { work } = await response.json();
  const ms = performance.now() - t0;
  return { ms, perSecond: (n * 1000) / ms, stepsPerSecond: (work * 1000) / ms };
}

/** Median orchestrations/s per partition count, rounds interleaved so that a noisy moment hits every count alike. */
export async function partitionsBenchmark({ orchestrations = 200, rounds = 3 } = {}) {
  const mf = await startMiniflare(fileURLToPath(new URL('./workerd-partitions-worker.ts', import.meta.url)), {
    durableObjects: { PARTITIONED_HUB: { className: 'PartitionedHub', useSQLite: true } },
  });
  await mf.ready;
  try {
    const runs = Object.fromEntries(COUNTS.map((c) => [c, []]));
    for (const c of COUNTS) await batch(mf, c, Math.min(orchestrations, 20)); // warm-up: creates each hub's objects
    for (let r = 0; r < rounds; r++) for (const c of COUNTS) runs[c].push(await batch(mf, c, orchestrations));
    const result = {};
    for (const c of COUNTS) {
      result[c] = {
        orchestrationsPerSecond: round(median(runs[c].map((x) => x.perSecond))),
        stepsPerSecond: round(median(runs[c].map((x) => x.stepsPerSecond))),
        ms: runs[c].map((x) => Math.round(x.ms)),
      };
    }
    return result;
  } finally {
    await mf.dispose();
  }
}

/** Rows for bench/run.mjs. */
export async function benchmarks({ rounds = 3 } = {}) {
  const r = await partitionsBenchmark({ rounds });
  const one = r[1].orchestrationsPerSecond;
  return COUNTS.map((c) => ({
    name: `workerd: partitioned hub, 200 x 3 steps concurrent, ${c} partition(s) vs 1 (one workerd thread)`,
    ours: r[c].orchestrationsPerSecond,
    peer: one,
    unit: 'orchestrations/s',
    ratio: round(r[c].orchestrationsPerSecond / one),
    better: 'higher',
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [orchestrations, rounds] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await partitionsBenchmark({ orchestrations: orchestrations || undefined, rounds: rounds || undefined }), null, 2));
}
