// Our engine on the Durable Object store in real workerd (miniflare), against Cloudflare
// Workflows (miniflare's local binding) on the same workload: orchestrations of 3
// sequential x → x+1 steps, serial (create + wait one at a time) and concurrent.
// Returns plain numbers; run directly it prints JSON.
//
//   node bench/workerd.mjs [orchestrations] [rounds]
//
// Rows measured (wall time around each batch, after one warm-up batch):
// - engine: Worker-side DurableClient.startNewAndWait → RPC → engine hosted in the hub's object (the deployment shape;
//   one round trip per orchestration: the object starts it and waits, woken by its notifications);
// - inside: client, engine and store in one object (no RPC hop; waits are notified);
// - port:   the storage port alone in the object (lease → commit → lease activity → complete);
// - workflows: a WorkflowEntrypoint with 3 step.do, instance.create() + status() polled every 5 ms
//   (polling every 1 ms gave it the same figure: 38 orch/s serial either way).
// The engine and inside rows keep one task hub per configuration for the whole run (the warm-up
// batch creates it), as a deployment keeps its hub: a fresh hub per batch put the creation of two
// objects' SQLite databases (~19 ms, a tenth of a serial batch) into every batch.
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

async function start() {
  const mf = await startMiniflare(fileURLToPath(new URL('./workerd-worker.ts', import.meta.url)), {
    durableObjects: { ENGINE_HUB: { className: 'EngineHub', useSQLite: true }, INSIDE_HUB: { className: 'InsideHub', useSQLite: true } },
    workflows: { WORKFLOW: { name: 'three-steps', className: 'ThreeSteps' } },
  });
  await mf.ready;
  return mf;
}

async function batch(mf, path, n, mode) {
  const t0 = performance.now();
  const hub = path === '/port' ? '' : `&hub=${path.slice(1)}-${mode}`;
  const response = await mf.dispatchFetch(`http://bench${path}?n=${n}&steps=3&mode=${mode}${hub}`);
  if (!response.ok) throw new Error(`${path} ${mode}: ${response.status} ${await response.text()}`);
  const { work } = await response.json();
  const ms = performance.now() - t0;
  return { ms, perSecond: (n * 1000) / ms, workPerSecond: (work * 1000) / ms };
}

/**
 * @param {{ orchestrations?: number, rounds?: number }} [options]
 * @returns per configuration: median orchestrations/s and durable steps/s, and the ratios ours / Workflows
 */
export async function workerdBenchmark({ orchestrations = 100, rounds = 3 } = {}) {
  const mf = await start();
  try {
    const configs = [
      ['engine', 'serial'],
      ['engine', 'concurrent'],
      ['inside', 'serial'],
      ['inside', 'concurrent'],
      ['port', 'serial'],
      ['workflows', 'serial'],
      ['workflows', 'concurrent'],
    ];
    const runs = Object.fromEntries(configs.map(([p, m]) => [`${p} ${m}`, []]));
    for (const [p, m] of configs) await batch(mf, `/${p}`, Math.min(orchestrations, 10), m); // warm-up
    // Interleaved rounds, so that a noisy moment hits every configuration alike.
    for (let r = 0; r < rounds; r++) for (const [p, m] of configs) runs[`${p} ${m}`].push(await batch(mf, `/${p}`, orchestrations, m));
    const result = {};
    for (const [name, xs] of Object.entries(runs)) {
      result[name] = {
        orchestrationsPerSecond: round(median(xs.map((x) => x.perSecond))),
        stepsPerSecond: round(median(xs.map((x) => x.workPerSecond))),
        ms: xs.map((x) => Math.round(x.ms)),
      };
    }
    for (const mode of ['serial', 'concurrent']) {
      const wf = result[`workflows ${mode}`].orchestrationsPerSecond;
      result[`ratio engine/workflows ${mode}`] = round(result[`engine ${mode}`].orchestrationsPerSecond / wf);
      result[`ratio inside/workflows ${mode}`] = round(result[`inside ${mode}`].orchestrationsPerSecond / wf);
    }
    return result;
  } finally {
    await mf.dispose();
  }
}

/** Rows for bench/run.mjs. */
export async function benchmarks({ rounds = 3 } = {}) {
  const r = await workerdBenchmark({ rounds });
  const rows = [];
  // The engine where a deployment runs it (behind RPC from the Worker: the row with the target) and inside the object.
  const placements = [
    ['engine', 'DO engine via RPC', '>= 10'],
    ['inside', 'engine inside the DO', undefined],
  ];
  for (const mode of ['serial', 'concurrent']) {
    for (const [config, placement, target] of placements) {
      rows.push({
        name: `workerd: 100 x 3 steps, ${mode}, ${placement} vs Workflows`,
        ours: r[`${config} ${mode}`].orchestrationsPerSecond,
        peer: r[`workflows ${mode}`].orchestrationsPerSecond,
        unit: 'orchestrations/s',
        ratio: r[`ratio ${config}/workflows ${mode}`],
        better: 'higher',
        target,
      });
    }
  }
  rows.push({
    name: 'workerd: DO store, durable steps/s (engine via RPC, concurrent)',
    ours: r['engine concurrent'].stepsPerSecond,
    peer: r['workflows concurrent'].stepsPerSecond,
    unit: 'steps/s',
    ratio: round(r['engine concurrent'].stepsPerSecond / r['workflows concurrent'].stepsPerSecond),
    better: 'higher',
  });
  rows.push({
    name: 'workerd: DO store, port-level commits/s (serial loop in the object)',
    ours: r['port serial'].stepsPerSecond,
    peer: null,
    unit: 'commits/s',
    ratio: null,
    better: 'higher',
  });
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [orchestrations, rounds] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await workerdBenchmark({ orchestrations: orchestrations || undefined, rounds: rounds || undefined }), null, 2));
}
