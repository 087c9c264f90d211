// End-to-end durable throughput through HTTP: the Node host on SQLite in one process, a load
// generator in another starting HelloSequence instances (3 sequential activities) over HTTP at
// bounded concurrency, each request waiting for its instance to complete.
//
// Work items are counted as the Durable Task Scheduler counts them: one per orchestration
// episode and one per activity execution. HelloSequence takes 4 episodes (start, and after each
// of its 3 activities) and 3 activities: 7 work items per instance.
//
//   node --import tsx bench/scale/throughput.mjs [total] [concurrency]
//   WORKERD_PARTITIONS=4 node --import tsx bench/scale/throughput.mjs [total] [concurrency]   (the Worker in workerd)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { child, hostProcess } from './children.mjs';

export const WORK_ITEMS_PER_HELLO_SEQUENCE = 7;
export const ACTIVITIES_PER_HELLO_SEQUENCE = 3;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * Runs the load generator `rounds` times over `total` HelloSequence instances (after a warm-up
 * run), with `hooks` around each round; returns the median rates and the samples.
 */
async function loadRounds(load, { url, token, concurrency, total, rounds, warmUp }, hooks = {}) {
  const job = { url, token, concurrency };
  const warm = await load.ask({ ...job, total: Math.min(total, warmUp) });
  if (warm.bad) throw new Error(`${warm.bad} starts did not complete: ${warm.firstBad}`);
  const perSecond = [];
  for (let r = 0; r < rounds; r++) {
    await hooks.before?.();
    const run = await load.ask({ ...job, total });
    await hooks.after?.();
    if (run.bad) throw new Error(`${run.bad} of ${total} starts did not complete: ${run.firstBad}`);
    perSecond.push((total / run.ms) * 1000);
  }
  const orchestrations = median(perSecond);
  return {
    orchestrationsPerSecond: orchestrations,
    activitiesPerSecond: orchestrations * ACTIVITIES_PER_HELLO_SEQUENCE,
    workItemsPerSecond: orchestrations * WORK_ITEMS_PER_HELLO_SEQUENCE,
    samples: perSecond,
    total,
    concurrency,
  };
}

/** Orchestrations/s over `rounds` runs of `total` instances against one host (after a warm-up run), and the host's CPU per orchestration. */
export async function endToEndThroughput({ total = 4000, concurrency = 128, rounds = 3, hostArgs = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'edge-durable-bench-e2e-'));
  const host = await hostProcess(dataDir, hostArgs);
  const load = child('./load-start.mjs');
  try {
    const cpuMsPerOrchestration = [];
    let before;
    const run = await loadRounds(
      load,
      { url: host.url, token: host.token, concurrency, total, rounds, warmUp: 1000 },
      {
        before: async () => {
          before = (await host.ask('usage')).cpu;
        },
        after: async () => {
          const after = (await host.ask('usage')).cpu;
          cpuMsPerOrchestration.push((after.user - before.user + after.system - before.system) / 1000 / total);
        },
      },
    );
    return { ...run, hostCpuMsPerOrchestration: median(cpuMsPerOrchestration) };
  } finally {
    await load.close();
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : 0;
}

/**
 * A long run on a fresh host: `total` HelloSequence instances in steps of `step`, the host's
 * memory sampled (after a GC) at each step, then the database's size per instance once the host
 * has closed it (the last connection's close checkpoints the WAL into the file).
 */
export async function longRun({ total = 50_000, step = Math.max(1, Math.floor(total / 10)), concurrency = 128 } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'edge-durable-bench-long-'));
  const host = await hostProcess(dataDir);
  const load = child('./load-start.mjs');
  const samples = [];
  let ms = 0;
  try {
    const job = { url: host.url, token: host.token, concurrency };
    for (let done = 0; done < total; done += step) {
      const run = await load.ask({ ...job, total: step });
      if (run.bad) throw new Error(`${run.bad} of ${step} starts did not complete: ${run.firstBad}`);
      ms += run.ms;
      const { memory } = await host.ask('usage');
      samples.push({ completed: done + step, rssMB: memory.rss / 2 ** 20, heapUsedMB: memory.heapUsed / 2 ** 20 });
    }
  } finally {
    await load.close();
    await host.ask('close').catch(() => undefined);
    await host.close();
  }
  try {
    const files = readdirSync(dataDir).map((f) => ({ f, bytes: statSync(join(dataDir, f)).size }));
    const bytes = files.reduce((sum, { bytes }) => sum + bytes, 0);
    const first = samples[0];
    const last = samples[samples.length - 1];
    return {
      total,
      orchestrationsPerSecond: (total / ms) * 1000,
      bytesPerInstance: bytes / total,
      files,
      samples,
      // Growth of the GC'd heap per 1,000 further completed instances: the least-squares slope over the samples.
      heapGrowthKBPer1000: slope(samples.map((x) => [x.completed / 1000, x.heapUsedMB * 1024])),
      rssGrowthMB: last.rssMB - first.rssMB,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [total, concurrency] = process.argv.slice(2).map(Number);
  if (process.env.LONG_RUN) console.log(await longRun({ total: total || undefined, step: Number(process.env.LONG_RUN) }));
  else if (process.env.WORKERD_PARTITIONS)
    console.log(
      await workerdThroughput({ partitions: Number(process.env.WORKERD_PARTITIONS), total: total || undefined, concurrency: concurrency || undefined }),
    );
  else
    console.log(
      await endToEndThroughput({
        total: total || undefined,
        concurrency: concurrency || undefined,
        hostArgs: process.env.HOST_ARGS ? process.env.HOST_ARGS.split(' ') : [],
      }),
    );
}

/**
 * The same workload through the same load generator against this repository's Worker in real
 * workerd (Miniflare), its task hub split over `partitions` Durable Objects (DURABLE_PARTITIONS).
 * Miniflare runs every object in one workerd process on one thread: the figures show one host's
 * throughput and what partitioning costs there, not how partitions add up on Cloudflare.
 */
export async function workerdThroughput({ partitions, total = 2000, concurrency = 128, rounds = 3 }) {
  process.env.WRANGLER_SEND_METRICS ??= 'false';
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
  const { startWorkerd } = await import('../../test/http/workerd.ts');
  const token = 'bench-admin';
  const worker = await startWorkerd({ DURABLE_TOKEN: token, DURABLE_PARTITIONS: String(partitions) });
  const load = child('./load-start.mjs');
  try {
    return { partitions, ...(await loadRounds(load, { url: worker.url, token, concurrency, total, rounds, warmUp: 500 })) };
  } finally {
    await load.close();
    await worker.close();
  }
}
