// Peer benchmark: the same workloads as our engine, run on @microsoft/durabletask-js
// with its in-process InMemoryOrchestrationBackend + TestOrchestrationWorker
// (no sidecar, no gRPC). Every function returns plain numbers and prints nothing.
//
//   node bench/peers/durabletask.mjs           # runs everything, prints JSON
//   node bench/peers/durabletask.mjs --quick   # skips the n = 10000 long sequence

import { performance } from 'node:perf_hooks';
import durabletask from '@microsoft/durabletask-js';

const { InMemoryOrchestrationBackend, TestOrchestrationClient, TestOrchestrationWorker, OrchestrationStatus, ConsoleLogger, NoOpLogger, whenAll } = durabletask;

// TestOrchestrationWorker builds its executors without a logger argument, so they
// fall back to `new ConsoleLogger()` and print a debug line for every replayed
// history event. There is no option to pass a logger, so silence the class itself
// (process-wide, for as long as this module is loaded).
for (const method of ['error', 'warn', 'info', 'debug', 'logEvent']) {
  ConsoleLogger.prototype[method] = NoOpLogger.prototype[method];
}

// Seconds, as the test client expects. Only a guard against hangs.
const WAIT_TIMEOUT_S = 3600;

function increment(_ctx, x) {
  return x + 1;
}

// Must be `async function*`: the executor only drives (async) generators and treats
// a plain `function*` as an orchestrator that schedules nothing.
async function* chain(ctx, steps) {
  let x = 0;
  for (let i = 0; i < steps; i++) x = yield ctx.callActivity(increment, x);
  return x;
}

async function* fanOut(ctx, width) {
  const tasks = [];
  for (let i = 0; i < width; i++) tasks.push(ctx.callActivity(increment, i));
  const results = yield whenAll(tasks);
  return results.reduce((a, b) => a + b, 0);
}

/**
 * Runs `body` against a fresh backend/worker/client and always tears them down.
 * `activity` replaces the default `increment` activity (same name) when a workload
 * needs to observe progress.
 */
async function withEngine({ maxHistorySize, activity = increment }, body) {
  // The backend refuses to grow a history past maxHistorySize (default 10000
  // events, i.e. < 5000 sequential activities), so each workload sizes it.
  const backend = new InMemoryOrchestrationBackend(maxHistorySize);
  const worker = new TestOrchestrationWorker(backend);
  const client = new TestOrchestrationClient(backend);
  worker.addOrchestrator(chain);
  worker.addOrchestrator(fanOut);
  worker.addNamedActivity('increment', activity);
  await worker.start();
  try {
    return await body(client);
  } finally {
    await worker.stop();
    backend.reset();
  }
}

async function runToCompletion(client, orchestrator, input) {
  const id = await client.scheduleNewOrchestration(orchestrator, input);
  return client.waitForOrchestrationCompletion(id, true, WAIT_TIMEOUT_S);
}

function expectOutput(state, expected) {
  if (state?.runtimeStatus !== OrchestrationStatus.COMPLETED) {
    const why = state?.failureDetails?.message ?? `status ${state?.runtimeStatus}`;
    throw new Error(`orchestration ${state?.instanceId} did not complete: ${why}`);
  }
  const actual = JSON.parse(state.serializedOutput);
  if (actual !== expected) {
    throw new Error(`orchestration ${state.instanceId} returned ${actual}, expected ${expected}`);
  }
}

function historySizeFor(activities) {
  // Two events per activity (scheduled + completed) plus start/completion events.
  return 2 * activities + 16;
}

function collectGarbage() {
  globalThis.gc?.();
}

async function runThroughput({ orchestrations, steps, mode }) {
  return withEngine({ maxHistorySize: historySizeFor(steps) }, async (client) => {
    const t0 = performance.now();
    if (mode === 'serial') {
      for (let i = 0; i < orchestrations; i++) {
        expectOutput(await runToCompletion(client, chain, steps), steps);
      }
    } else {
      const ids = [];
      for (let i = 0; i < orchestrations; i++) {
        ids.push(await client.scheduleNewOrchestration(chain, steps));
      }
      const states = await Promise.all(ids.map((id) => client.waitForOrchestrationCompletion(id, true, WAIT_TIMEOUT_S)));
      for (const state of states) expectOutput(state, steps);
    }
    return performance.now() - t0;
  });
}

/**
 * `orchestrations` instances of an orchestrator that chains `steps` activities.
 * serial: start one, wait for it, then the next. concurrent: start all, then wait
 * for all. Times include scheduling and waiting. After `warmups` unmeasured batches,
 * the median of `batches` measured ones (each on a fresh engine): one batch takes
 * milliseconds, so a single one mostly measures the garbage collector's timing.
 */
export async function sequentialThroughput({ orchestrations = 100, steps = 3, mode = 'serial', warmups = 5, batches = 15 } = {}) {
  if (mode !== 'serial' && mode !== 'concurrent') throw new Error(`unknown mode ${mode}`);
  for (let i = 0; i < warmups; i++) await runThroughput({ orchestrations, steps, mode });
  const times = [];
  for (let i = 0; i < batches; i++) times.push(await runThroughput({ orchestrations, steps, mode }));
  const totalMs = times.sort((a, b) => a - b)[times.length >> 1];
  return { orchestrationsPerSecond: (orchestrations * 1000) / totalMs, totalMs };
}

/**
 * One orchestration of `steps` sequential activities. If `timeBudgetMs` is given and
 * exceeded, the instance is terminated and `msPerStep` is null.
 */
export async function longSequence({ steps = 100, timeBudgetMs = Infinity } = {}) {
  // Small warm-up so the measured run is not dominated by JIT compilation.
  await withEngine({ maxHistorySize: historySizeFor(100) }, async (client) => {
    expectOutput(await runToCompletion(client, chain, Math.min(steps, 100)), Math.min(steps, 100));
  });
  collectGarbage();

  let client;
  let instanceId;
  let deadline = Infinity;
  let stepsCompleted = 0;
  let exceeded = false;
  // The worker loop never yields to the macrotask queue while it has work, so a
  // setTimeout-based budget would not fire; check the clock from inside the
  // activity instead, which runs once per step.
  const timedIncrement = (ctx, x) => {
    stepsCompleted++;
    if (!exceeded && performance.now() > deadline) {
      exceeded = true;
      client.terminateOrchestration(instanceId, 'time budget exceeded');
    }
    return increment(ctx, x);
  };

  return withEngine({ maxHistorySize: historySizeFor(steps), activity: timedIncrement }, async (c) => {
    client = c;
    const t0 = performance.now();
    deadline = t0 + timeBudgetMs;
    instanceId = await client.scheduleNewOrchestration(chain, steps);
    const state = await client.waitForOrchestrationCompletion(instanceId, true, WAIT_TIMEOUT_S);
    const totalMs = performance.now() - t0;
    if (exceeded && state?.runtimeStatus === OrchestrationStatus.TERMINATED) {
      return { msPerStep: null, totalMs, note: 'exceeded budget', stepsCompleted };
    }
    expectOutput(state, steps);
    return { msPerStep: totalMs / steps, totalMs };
  });
}

/** One orchestration that runs `width` activities in parallel (whenAll) and sums them. */
export async function fanOutFanIn({ width = 1000 } = {}) {
  const expected = (width * (width + 1)) / 2;
  const run = () =>
    withEngine({ maxHistorySize: historySizeFor(width) }, async (client) => {
      const t0 = performance.now();
      expectOutput(await runToCompletion(client, fanOut, width), expected);
      return performance.now() - t0;
    });
  await run();
  collectGarbage();
  const totalMs = await run();
  return { totalMs, activitiesPerSecond: (width * 1000) / totalMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const results = {
    peer: '@microsoft/durabletask-js@0.4.0 (InMemoryOrchestrationBackend)',
    node: process.version,
    sequentialSerial: await sequentialThroughput({ orchestrations: 100, steps: 3, mode: 'serial' }),
    sequentialConcurrent: await sequentialThroughput({ orchestrations: 100, steps: 3, mode: 'concurrent' }),
    longSequence100: await longSequence({ steps: 100 }),
    longSequence1000: await longSequence({ steps: 1000 }),
    longSequence10000: quick ? 'skipped (--quick)' : await longSequence({ steps: 10000, timeBudgetMs: 120_000 }),
    fanOutFanIn1000: await fanOutFanIn({ width: 1000 }),
  };
  console.log(JSON.stringify(results, null, 2));
}
