// `npm run bench`: runs each workload on our engine and on its peer in the same process,
// interleaved over several rounds (medians: the machine is noisy), prints a table and
// writes bench/results.json. Adapter and HTTP suites add their rows when present.
//
// `npm run bench -- --only scale,http` runs only the named suites: `engine` (the rows of this
// file) and each suite file's name without `.mjs` (http, browser-bundle, indexeddb.chromium,
// workerd, scale). Their rows replace the rows of the same name in bench/results.json; the rest stay.
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import * as ours from './engine.mjs';
import * as peer from './peers/durabletask.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const SUITES = [
  './http.mjs',
  './browser-bundle.mjs',
  './indexeddb.chromium.mjs',
  './workerd.mjs',
  './scale.mjs',
  './explorer-panel.mjs',
  './workerd-partitions.mjs',
];
const suiteName = (file) => file.slice(2, -'.mjs'.length);
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? undefined : new Set((process.argv[onlyAt + 1] ?? '').split(',').filter(Boolean));
if (only) {
  const known = ['engine', ...SUITES.map(suiteName)];
  const unknown = [...only].filter((name) => !known.includes(name));
  if (unknown.length || only.size === 0) {
    console.error(`--only takes a comma-separated list of: ${known.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
    process.exit(2);
  }
}
const runs = (name) => !only || only.has(name);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const results = [];

function record(name, oursValue, peerValue, unit, better, extra = {}) {
  const ratio = peerValue ? oursValue / peerValue : null;
  results.push({
    name,
    ours: round(oursValue),
    peer: peerValue == null ? null : round(peerValue),
    unit,
    ratio: ratio == null ? null : round(ratio),
    better,
    ...extra,
  });
}
const round = (x) => Math.round(x * 1000) / 1000;

async function compare(name, unit, better, run, { peerRun = run, roundsHere = rounds, extra = {} } = {}) {
  const o = [],
    p = [];
  for (let r = 0; r < roundsHere; r++) {
    o.push(await run(ours));
    if (peerRun) p.push(await peerRun(peer));
  }
  // Every round's figures are kept, so that a reader sees the spread behind each median.
  record(name, median(o), p.length ? median(p) : null, unit, better, { ...extra, rounds: { ours: o.map(round), peer: p.length ? p.map(round) : undefined } });
  return { ours: median(o), peer: p.length ? median(p) : null };
}

if (runs('engine')) {
  // A round of these takes about a second (ours ~0.05 s, the peer's ~0.3 s): more of them steady the
  // medians against the machine's swings, which move a single round by 2x.
  const throughputRounds = Math.max(rounds, 11);
  for (const mode of ['serial', 'concurrent']) {
    await compare(
      `100 orchestrations x 3 activities, ${mode}`,
      'orchestrations/s',
      'higher',
      async (e) => (await e.sequentialThroughput({ orchestrations: 100, steps: 3, mode })).orchestrationsPerSecond,
      { roundsHere: throughputRounds, extra: { target: '>= 5 (ratio)' } },
    );
  }
  const long100 = await compare(
    '1 orchestration of 100 sequential activities',
    'ms/step',
    'lower',
    async (e) => (await e.longSequence({ steps: 100 })).msPerStep,
  );
  await compare('1 orchestration of 1,000 sequential activities', 'ms/step', 'lower', async (e) => (await e.longSequence({ steps: 1000 })).msPerStep, {
    roundsHere: 3,
  });

  // The peer replays the whole history every episode (O(n²)): at n = 10,000 it needs minutes,
  // so it runs once under a budget and its figure is a lower bound (ms/step over the steps it did).
  const o10k = [];
  for (let r = 0; r < 3; r++) o10k.push((await ours.longSequence({ steps: 10_000 })).msPerStep);
  const p10k = await peer.longSequence({ steps: 10_000, timeBudgetMs: Number(process.env.BENCH_PEER_BUDGET_MS ?? 60_000) });
  const p10kPerStep = p10k.msPerStep ?? p10k.totalMs / p10k.stepsCompleted;
  record(
    '1 orchestration of 10,000 sequential activities',
    median(o10k),
    p10kPerStep,
    'ms/step',
    'lower',
    p10k.msPerStep == null
      ? { note: `peer stopped after ${p10k.stepsCompleted} steps (${Math.round(p10k.totalMs / 1000)} s); its figure is a lower bound` }
      : {},
  );
  record('ms/step growth from n = 100 to n = 10,000', median(o10k) / long100.ours, long100.peer ? p10kPerStep / long100.peer : null, 'x', 'lower', {
    target: '<= 1.5 (ours)',
  });

  await compare('fan-out/fan-in of 1,000 activities', 'ms', 'lower', async (e) => (await e.fanOutFanIn({ width: 1000 })).totalMs, { roundsHere: 3 });
}

for (const extra of SUITES) {
  if (!runs(suiteName(extra))) continue;
  let suite;
  try {
    suite = await import(extra);
  } catch (error) {
    if (error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(extra.slice(2))) continue;
    throw error;
  }
  if (typeof suite.benchmarks === 'function') results.push(...(await suite.benchmarks({ rounds })));
}

const machine = { node: process.version, cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg().map(round), rounds };
console.log(`\nedge-durable benchmarks (${machine.cpus} cores, load ${machine.loadavg.join(' ')}, medians of ${rounds} rounds; ratio = ours / peer)\n`);
console.table(
  results.map((r) => ({
    workload: r.name,
    ours: r.ours,
    peer: r.peer ?? '-',
    unit: r.unit,
    ratio: r.ratio ?? '-',
    better: r.better,
    target: r.target ?? '',
    note: r.note ?? '',
  })),
);
const file = new URL('./results.json', import.meta.url);
const date = new Date().toISOString();
if (only) {
  // A partial run: its rows (dated, with the machine's load then) replace those of the same name.
  const previous = await readFile(file, 'utf8').then(JSON.parse, () => ({ results: [] }));
  const fresh = results.map((r) => ({ ...r, measured: { date, loadavg: machine.loadavg } }));
  const names = new Set(fresh.map((r) => r.name));
  const merged = [...previous.results.filter((r) => !names.has(r.name)), ...fresh];
  await writeFile(file, `${JSON.stringify({ ...previous, results: merged }, null, 2)}\n`);
  console.log(`updated ${fresh.length} rows in bench/results.json`);
} else {
  await writeFile(file, `${JSON.stringify({ machine, date, results }, null, 2)}\n`);
  console.log('wrote bench/results.json');
}
