/**
 * `npm run fuzz -- [--seeds N] [--from N] [--store memory|sqlite|indexeddb] [--mode faults|rewind|reset] [--seed N]`
 *
 * Runs seeds from..from+N−1 (without --store, seed s runs on the s-th store in turn), prints
 * progress and, for each failing seed, its shrunk program, fault plan, history and rerun
 * command; ends with the counts. Exit code 1 when a seed failed.
 * @module
 */
import { parseArgs } from 'node:util';
import { checkSeed, describeFailure, type Mode } from './case.js';
import { STORES, type StoreKind } from './driver.js';
import { generateProgram, printProgram } from './program.js';
import { checkReset } from './reset.js';
import { shrink } from './shrink.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    store: { type: 'string' },
    mode: { type: 'string', default: 'faults' },
    'max-failures': { type: 'string', default: '20' },
  },
});

const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const integer = (name: string, text: string): number => (/^\d+$/.test(text) ? Number(text) : fail(`--${name} needs a non-negative integer; got '${text}'.`));
const store = values.store as StoreKind | undefined;
if (store !== undefined && !STORES.includes(store)) fail(`--store must be one of ${STORES.join(', ')}; got '${store}'.`);
const mode = values.mode as Mode | 'reset';
if (mode !== 'faults' && mode !== 'rewind' && mode !== 'reset') fail(`--mode must be faults, rewind or reset; got '${values.mode}'.`);

const from = values.seed === undefined ? integer('from', values.from) : integer('seed', values.seed);
const count = values.seed === undefined ? integer('seeds', values.seeds) : 1;
const maxFailures = integer('max-failures', values['max-failures']);
const storeOf = (seed: number): StoreKind => store ?? STORES[seed % STORES.length]!;

const started = Date.now();
const failed: number[] = [];
const totals = { injected: 0, crashes: 0, duplicated: 0, rewinds: 0, instances: 0 };
for (let seed = from; seed < from + count; seed++) {
  if (mode === 'reset') {
    const problems = await checkReset(seed, storeOf(seed));
    if (problems.length) {
      failed.push(seed);
      console.log(
        `\nFAIL seed ${seed} (store ${storeOf(seed)}, reset):\n${problems.map((p) => `  - ${p}`).join('\n')}\nprogram:\n${printProgram(generateProgram(seed))}\nrerun: npm run fuzz -- --mode reset --seed ${seed} --store ${storeOf(seed)}\n`,
      );
      if (failed.length >= maxFailures) break;
    }
    if ((seed - from + 1) % 500 === 0)
      console.log(`${seed - from + 1}/${count} seeds, ${failed.length} failed, ${Math.round((Date.now() - started) / 1000)} s`);
    continue;
  }
  const { c, verdict } = await checkSeed(seed, storeOf(seed), mode);
  const f = verdict.faulted;
  if (f) {
    totals.injected += f.injected;
    totals.crashes += f.crashes;
    totals.duplicated += f.duplicated;
    totals.rewinds += f.rewinds;
    totals.instances += f.instances.size;
  }
  if (verdict.problems.length) {
    failed.push(seed);
    const small = await shrink(c, verdict);
    console.log(`\nFAIL ${describeFailure(small.c, small.verdict, mode)}\n`);
    if (failed.length >= maxFailures) {
      console.log(`Stopping after ${failed.length} failures (--max-failures).`);
      break;
    }
  }
  const done = seed - from + 1;
  if (done % 500 === 0 || values.seed !== undefined)
    console.log(`${done}/${count} seeds, ${failed.length} failed, ${Math.round((Date.now() - started) / 1000)} s`);
}
if (mode !== 'reset')
  console.log(
    `\nFaulted runs: ${totals.instances} instances, ${totals.injected} injected activity failures, ${totals.crashes} crashes, ${totals.duplicated} duplicate deliveries, ${totals.rewinds} rewinds.`,
  );
console.log(
  `${mode} mode, seeds ${from}..${from + count - 1} on ${store ?? STORES.join('/')}: ${failed.length} failed${failed.length ? ` (${failed.join(', ')})` : ''}, ${Math.round((Date.now() - started) / 1000)} s`,
);
process.exit(failed.length ? 1 : 0);
