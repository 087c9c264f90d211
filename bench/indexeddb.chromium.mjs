// The IndexedDB store in Debian's Chromium (playwright-core): durable steps per second, at
// the port level and through the engine, with and without group commit, next to what plain
// IndexedDB transactions cost on this machine. A step is one activity call through an
// orchestration: lease the instance, commit an episode that schedules the activity, lease
// the activity, complete it; with eager dispatch (the Worker's path) the commit leases the
// activity and the completion leases the instance back. Functions return plain numbers and
// print nothing.
//
//   node bench/indexeddb.chromium.mjs [seconds] [lanes]   # one run, prints JSON
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENSURE_CHROMIUM, runInChromium } from '../test/browser/chromium.mjs';

const ENTRY = fileURLToPath(new URL('../test/browser/bench.entry.ts', import.meta.url));

/**
 * One run in a fresh Chromium.
 * @param {{ seconds?: number, lanes?: number }} [options] seconds per port-level measurement; concurrent lease→commit→activity loops
 */
export async function indexedDbChromium({ seconds = 3, lanes = 64 } = {}) {
  execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'ignore' });
  const { report, userAgent } = await runInChromium(ENTRY, { hash: JSON.stringify({ seconds, lanes }), timeoutMs: 900_000 });
  return { browser: /Chrome\/[\d.]+/.exec(userAgent)?.[0] ?? userAgent, ...report };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Rows for bench/run.mjs: medians over `rounds` runs (3 at most by default: a run takes about a minute). */
export async function benchmarks({ rounds = Number(process.env.BENCH_IDB_ROUNDS ?? 3) } = {}) {
  const runs = [];
  for (let r = 0; r < rounds; r++) runs.push(await indexedDbChromium());
  const m = (pick) => Math.round(median(runs.map(pick)));
  const baseline = `plain IndexedDB on this machine meanwhile: ${m((r) => r.rawPutTransactionsPerSecond)} single-put transactions/s, ${m((r) => r.rawGet3PutTransactionsPerSecond)} get+3-put transactions/s`;
  // The target (>= 1,000 durable steps/s) is for the engine as users run it: the Worker row. The
  // port-level rows take the engine apart to show where its figure comes from.
  //
  // A row reports the median stepsPerSecond of one measurement (`of` picks it from a run); its
  // note is text, or a function of `of` for notes that quote more of the measurement.
  const row = (name, of, note, target) => ({
    name: `IndexedDB (${runs[0].browser}): durable steps/s, ${name}`,
    ours: m((r) => of(r).stepsPerSecond),
    peer: null,
    unit: 'steps/s',
    ratio: null,
    better: 'higher',
    target,
    note: `${typeof note === 'function' ? note(of) : note}; ${baseline}; median of ${rounds}`,
  });
  const port = (key) => (r) => r.port[key];
  const engine = (key) => (r) => r.engine[key];
  const perTransaction = (of) => `${m((r) => of(r).operationsPerTransaction)} operations per transaction`;
  return [
    row('group commit', port('groupCommit'), (of) => `port level, 64 concurrent loops; ${perTransaction(of)}`),
    row('group commit, strict durability', port('groupCommitStrict'), 'port level, 64 concurrent loops, transactions flushed to disk'),
    row('one operation per transaction', port('noGroupCommit'), 'port level, 64 concurrent loops, maxBatch 1'),
    row(
      'group commit, batch leasing',
      port('groupCommitBatchLeasing'),
      'port level, 4 concurrent loops each leasing up to 16 orchestrations, then activities, per call',
    ),
    row(
      'group commit, eager dispatch',
      port('groupCommitEager'),
      (of) => `port level, 64 concurrent loops; the commit leases the activity, the completion leases the instance back; ${perTransaction(of)}`,
    ),
    row(
      'Worker',
      engine('chain'),
      (of) =>
        `100 orchestrations of 10 sequential activities on one Worker (eager dispatch; batch leasing for the rest); ${m((r) => of(r).transactionsPerSecond)} write and ${m((r) => of(r).readTransactionsPerSecond)} read transactions/s, ${median(runs.map((r) => of(r).requestsPerStep)).toFixed(1)} IndexedDB requests per step`,
      '>= 1000',
    ),
    row(
      'Worker leasing one item per call',
      engine('chainSingleLeases'),
      'as above, the store wrapped to hide its batch lease methods (one transaction per lease)',
    ),
    row(
      'Worker, relaxed durability',
      engine('chainRelaxed'),
      "as the Worker row, with durability: 'relaxed' (commits not flushed to disk before they are reported)",
    ),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [seconds, lanes] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await indexedDbChromium({ seconds: seconds || undefined, lanes: lanes || undefined }), null, 2));
}
