// End-to-end durable throughput through HTTP: the Node host on SQLite in one process, a load
// generator in another starting HelloSequence instances (3 sequential activities) over HTTP at
// bounded concurrency, each request waiting for its instance to complete.
//
// Work items are counted as the Durable Task Scheduler counts them: one per orchestration
// episode and one per activity execution. HelloSequence takes 4 episodes (start, and after each
// of its 3 activities) and 3 activities: 7 work items per instance.
//
//   node --import tsx bench/scale/throughput.mjs [total] [concurrency]
import { mkdtempSync, rmSync } from 'node:fs';
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

/** Orchestrations/s over `rounds` runs of `total` instances against one host (after a warm-up run), and the host's CPU per orchestration. */
export async function endToEndThroughput({ total = 4000, concurrency = 128, rounds = 3, hostArgs = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'edge-durable-bench-e2e-'));
  const host = await hostProcess(dataDir, hostArgs);
  const load = child('./load-start.mjs');
  try {
    const job = { url: host.url, token: host.token, concurrency };
    const warm = await load.ask({ ...job, total: Math.min(total, 1000) });
    if (warm.bad) throw new Error(`${warm.bad} starts did not complete: ${warm.firstBad}`);
    const perSecond = [];
    const cpuMsPerOrchestration = [];
    for (let r = 0; r < rounds; r++) {
      const before = (await host.ask('usage')).cpu;
      const run = await load.ask({ ...job, total });
      const after = (await host.ask('usage')).cpu;
      if (run.bad) throw new Error(`${run.bad} of ${total} starts did not complete: ${run.firstBad}`);
      perSecond.push((total / run.ms) * 1000);
      cpuMsPerOrchestration.push((after.user - before.user + after.system - before.system) / 1000 / total);
    }
    const orchestrations = median(perSecond);
    return {
      orchestrationsPerSecond: orchestrations,
      activitiesPerSecond: orchestrations * ACTIVITIES_PER_HELLO_SEQUENCE,
      workItemsPerSecond: orchestrations * WORK_ITEMS_PER_HELLO_SEQUENCE,
      hostCpuMsPerOrchestration: median(cpuMsPerOrchestration),
      samples: perSecond,
      total,
      concurrency,
    };
  } finally {
    await load.close();
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [total, concurrency] = process.argv.slice(2).map(Number);
  console.log(
    await endToEndThroughput({
      total: total || undefined,
      concurrency: concurrency || undefined,
      hostArgs: process.env.HOST_ARGS ? process.env.HOST_ARGS.split(' ') : [],
    }),
  );
}
