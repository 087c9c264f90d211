// Our engine on the in-memory store with a real Worker and the system clock: the same
// workloads as bench/peers/durabletask.mjs, returning plain numbers.
//
// It measures core/ as users load it: the one-module build (`node esbuild.config.mjs browser`,
// dist/edge-durable.js), as the peer runs from its published JavaScript. The TypeScript sources
// through the dev-time loader (tsx) are slower by the loader's helpers (`__name` on every closure).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { targets } from '../esbuild.config.mjs';

const { DurableApp, DurableClient, MemoryStorage, Worker } = await import(pathToFileURL(await targets.browser()).href);

function* chain(ctx) {
  const steps = ctx.df.getInput();
  let x = 0;
  for (let i = 0; i < steps; i++) x = yield ctx.df.callActivity('Increment', x);
  return x;
}

function* fanOut(ctx) {
  const width = ctx.df.getInput();
  const results = yield ctx.df.Task.all(Array.from({ length: width }, (_, i) => ctx.df.callActivity('Increment', i)));
  return results.reduce((a, b) => a + b, 0);
}

const app = new DurableApp()
  .orchestration('Chain', chain)
  .orchestration('FanOut', fanOut)
  .activity('Increment', (x) => x + 1);

async function withEngine(body, workerOptions = {}) {
  const storage = new MemoryStorage();
  const client = new DurableClient({ storage, app });
  const worker = new Worker(app, storage.taskHub(client.taskHubName), workerOptions);
  worker.start();
  try {
    return await body(client);
  } finally {
    await worker.stop();
  }
}

async function runToCompletion(client, name, input, expected) {
  const id = await client.startNew(name, { input });
  const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 3_600_000 });
  if (status.output !== expected)
    throw new Error(`${name}(${input}) returned ${JSON.stringify(status.output)} (${status.runtimeStatus}), expected ${expected}`);
}

/** As the peer's: the median of `batches` measured batches after `warmups`, each on a fresh engine. */
export async function sequentialThroughput({ orchestrations = 100, steps = 3, mode = 'serial', warmups = 5, batches = 15 } = {}) {
  const once = () =>
    withEngine(async (client) => {
      const t0 = performance.now();
      if (mode === 'serial') for (let i = 0; i < orchestrations; i++) await runToCompletion(client, 'Chain', steps, steps);
      else await Promise.all(Array.from({ length: orchestrations }, () => runToCompletion(client, 'Chain', steps, steps)));
      return performance.now() - t0;
    });
  for (let i = 0; i < warmups; i++) await once();
  const times = [];
  for (let i = 0; i < batches; i++) times.push(await once());
  const totalMs = times.sort((a, b) => a - b)[times.length >> 1];
  return { orchestrationsPerSecond: (orchestrations * 1000) / totalMs, totalMs };
}

export async function longSequence({ steps }) {
  await withEngine((client) => runToCompletion(client, 'Chain', 100, 100)); // warm-up
  globalThis.gc?.();
  return withEngine(async (client) => {
    const t0 = performance.now();
    await runToCompletion(client, 'Chain', steps, steps);
    const totalMs = performance.now() - t0;
    return { msPerStep: totalMs / steps, totalMs };
  });
}

export async function fanOutFanIn({ width = 1000 } = {}) {
  const expected = (width * (width + 1)) / 2;
  const once = () =>
    withEngine(
      async (client) => {
        const t0 = performance.now();
        await runToCompletion(client, 'FanOut', width, expected);
        return performance.now() - t0;
      },
      { maxConcurrentActivities: 256 },
    );
  await once();
  globalThis.gc?.();
  const totalMs = await once();
  return { totalMs, activitiesPerSecond: (width * 1000) / totalMs };
}
