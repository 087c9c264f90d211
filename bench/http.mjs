// The HTTP layer's cost: requests/s, and server CPU time per request, of `GET instances/{id}`
// on the Node host (auth, query parsing, SQLite read, status payload) against a bare Hono
// route on @hono/node-server that returns the same JSON body, under the same bounded load on
// loopback. The load runs in a child process (bench/http-load.mjs: keep-alive node:http,
// N concurrent loops, a fixed number of requests); the two targets alternate over rounds and
// the medians are compared (the machine is noisy; CPU per request is the steadier figure).
// Also the edge bundle: the Worker entry minified with esbuild. The target (<= 100 KB) is for
// core + HTTP layer (with Hono), so that row leaves out what the Worker adds on top (the
// Durable Object adapter and the samples); the whole Worker's size is in its note.
//
// `bench/run.mjs` calls `benchmarks({ rounds })`; alone: `node --import tsx bench/http.mjs`.

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { startNodeServer } from '../edge-worker/node/server.ts';
import { registerSamples } from '../samples/index.ts';
import { bundleForWorkerd } from '../test/workerd/miniflare.mjs';

const PATH = '/runtime/webhooks/durabletask';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function loader() {
  const child = fork(new URL('./http-load.mjs', import.meta.url), { stdio: 'inherit' });
  const run = (job) =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      child.send(job);
    });
  return {
    run,
    close: () => {
      child.disconnect();
    },
  };
}

/** Requests/s of both targets, alternating, medians over `rounds`; also the server's CPU µs per request. */
export async function httpThroughput({ rounds = 11, requests = 2000, concurrency = 16 } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'edge-durable-bench-http-'));
  const host = await startNodeServer({ app: registerSamples(), port: 0, dataDir, adminToken: 'bench-admin', readToken: 'bench-read', log: () => undefined });
  const auth = { authorization: 'Bearer bench-read' };
  let bare;
  const load = loader();
  try {
    const started = await fetch(`${host.url}${PATH}/orchestrators/HelloSequence?timeout=30&pollingInterval=0.05`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench-admin' },
    });
    if (started.status !== 200) throw new Error(`HelloSequence did not complete: ${started.status}`);
    const [{ instanceId }] = await (await fetch(`${host.url}${PATH}/instances`, { headers: auth })).json();
    const ours = `${host.url}${PATH}/instances/${instanceId}`;
    const body = await (await fetch(ours, { headers: auth })).json();

    // The baseline: a bare Hono route returning the same JSON.
    const app = new Hono();
    app.get(`${PATH}/instances/:id`, (c) => c.json({ ...body, instanceId: c.req.param('id') }));
    const info = await new Promise((resolve) => {
      bare = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, resolve);
    });
    const baseline = `http://127.0.0.1:${info.port}${PATH}/instances/${instanceId}`;

    const rps = { ours: [], bare: [] };
    const cpu = { ours: [], bare: [] };
    const once = async (which, url, headers) => {
      const before = process.cpuUsage();
      const { ms, bad } = await load.run({ url, headers, total: requests, concurrency });
      const used = process.cpuUsage(before);
      if (bad) throw new Error(`${bad} non-200 responses from ${which}`);
      rps[which].push((requests / ms) * 1000);
      cpu[which].push((used.user + used.system) / requests);
    };
    // Warm-up (JIT, keep-alive sockets, SQLite page cache), not counted.
    await load.run({ url: ours, headers: auth, total: 2000, concurrency });
    await load.run({ url: baseline, headers: {}, total: 2000, concurrency });
    // Each round measures both targets back to back (in alternating order), so that a ratio
    // is taken between two runs under the same background load; the medians of the per-round
    // ratios are reported.
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        await once('ours', ours, auth);
        await once('bare', baseline, {});
      } else {
        await once('bare', baseline, {});
        await once('ours', ours, auth);
      }
    }
    const ratios = (xs, ys) => xs.map((x, i) => x / ys[i]);
    return {
      ours: median(rps.ours),
      bare: median(rps.bare),
      samples: rps,
      throughputRatio: median(ratios(rps.ours, rps.bare)),
      // Server CPU time per request (µs): steadier than requests/s when other processes compete for the cores.
      cpuOurs: median(cpu.ours),
      cpuBare: median(cpu.bare),
      cpuRatio: median(ratios(cpu.ours, cpu.bare)),
      requests,
      concurrency,
      bodyBytes: JSON.stringify(body).length,
    };
  } finally {
    await load.close();
    await new Promise((resolve) => (bare ? bare.close(resolve) : resolve()));
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The Worker entry as `wrangler deploy` bundles it, minified. */
export async function bundleSize() {
  const out = await bundleForWorkerd(new URL('../edge-worker/cloudflare/worker.ts', import.meta.url).pathname, { minify: true, metafile: true });
  const bytes = out.outputFiles[0].contents;
  const inputs = Object.entries(Object.values(out.metafile.outputs)[0].inputs);
  const part = (test) => inputs.filter(([path]) => test(path)).reduce((sum, [, v]) => sum + v.bytesInOutput, 0);
  // The adapter is the store and its hosting; the Worker entry (createWorker and its configuration) belongs to the HTTP layer.
  const workerEntry = new Set(['edge-worker/cloudflare/worker.ts', 'edge-worker/cloudflare/create-worker.ts', 'edge-worker/cloudflare/env.ts']);
  const durableObjectAdapter = (p) => p.startsWith('core/store/durable-object/') || (p.startsWith('edge-worker/cloudflare/') && !workerEntry.has(p));
  return {
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes).length,
    durableObjectAdapterBytes: part(durableObjectAdapter),
    samplesBytes: part((p) => p.startsWith('samples/')),
    honoBytes: part((p) => p.includes('node_modules/hono/')),
    httpLayerBytes: part((p) => p.startsWith('edge-worker/') && !durableObjectAdapter(p)),
  };
}

export async function benchmarks({ rounds = 11 } = {}) {
  // At least 11 paired rounds: the loopback figures swing by 2x on a busy 2-core machine.
  const http = await httpThroughput({ rounds: Math.max(rounds, 11) });
  const size = await bundleSize();
  const ratio = http.throughputRatio;
  return [
    {
      name: 'HTTP GET instances/{id}: Node host vs bare Hono route',
      ours: Math.round(http.ours),
      peer: Math.round(http.bare),
      unit: 'requests/s',
      ratio: Math.round(ratio * 1000) / 1000,
      better: 'higher',
      target: '>= 0.7 of the bare route',
      note: `median of per-round ratios; ${http.requests} requests x ${http.concurrency} keep-alive connections per round; body ${http.bodyBytes} B`,
    },
    {
      name: 'HTTP GET instances/{id}: server CPU per request, Node host vs bare Hono route',
      ours: Math.round(http.cpuOurs * 10) / 10,
      peer: Math.round(http.cpuBare * 10) / 10,
      unit: 'µs CPU/request',
      ratio: Math.round(http.cpuRatio * 1000) / 1000,
      better: 'lower',
      target: '<= 1.43 (= 0.7 of the bare throughput when CPU-bound)',
      note: 'process.cpuUsage() of the server process (all threads) over each round, the load generator being another process',
    },
    {
      name: 'edge bundle: core + HTTP layer (esbuild --minify)',
      ours: size.bytes - size.durableObjectAdapterBytes - size.samplesBytes,
      peer: null,
      unit: 'bytes',
      ratio: null,
      better: 'lower',
      target: '<= 100 KB',
      note: `of which Hono ${size.honoBytes} B, HTTP layer ${size.httpLayerBytes} B; the whole Worker as deployed adds the Durable Object adapter (${size.durableObjectAdapterBytes} B) and the samples (${size.samplesBytes} B): ${size.bytes} B, gzip ${size.gzipBytes} B`,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchmarks({ rounds: Number(process.env.BENCH_ROUNDS ?? 5) });
  console.table(rows.map(({ name, ours, peer, unit, ratio, target }) => ({ workload: name, ours, peer: peer ?? '-', unit, ratio: ratio ?? '-', target })));
  for (const r of rows) console.log(`${r.name}: ${r.note}`);
}
