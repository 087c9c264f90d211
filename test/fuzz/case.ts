/**
 * One fuzz case: a program, a store and a fault plan. `checkSeed` derives all three from a
 * seed (the plan from the oracle run's write and completion counts), runs the oracle and the
 * faulted run, and compares them.
 * @module
 */

import { type RunResult, runProgram, type StoreKind } from './driver.js';
import { type FaultPlan, planFaults } from './faults.js';
import { compareRuns } from './oracle.js';
import { generateProgram, type Program, printProgram, withCancelledRaces } from './program.js';

export type Mode = 'faults' | 'rewind';

export interface Case {
  seed: number;
  store: StoreKind;
  program: Program;
  plan: FaultPlan;
}

export interface Verdict {
  problems: string[];
  faulted?: RunResult;
}

/** Runs the oracle and the faulted run of `c`; an exception in either is a problem too. */
export async function checkCase(c: Case): Promise<Verdict> {
  try {
    const oracle = await runProgram(c.program, { store: c.store, seed: c.seed });
    const faulted = await runProgram(c.program, { store: c.store, seed: c.seed, plan: c.plan });
    return { problems: compareRuns(oracle, faulted), faulted };
  } catch (error) {
    return { problems: [`threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`] };
  }
}

/** The case of `seed`, and its verdict. */
export async function checkSeed(seed: number, store: StoreKind, mode: Mode): Promise<{ c: Case; verdict: Verdict }> {
  const program = mode === 'rewind' ? withCancelledRaces(generateProgram(seed)) : generateProgram(seed);
  let c: Case = { seed, store, program, plan: { failures: {}, crashes: [], duplicates: [], rewind: mode === 'rewind' } };
  try {
    const oracle = await runProgram(program, { store, seed });
    c = { ...c, plan: planFaults(program, seed, mode === 'rewind', oracle) };
  } catch (error) {
    return { c, verdict: { problems: [`the oracle run threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`] } };
  }
  return { c, verdict: await checkCase(c) };
}

export const rerunCommand = (seed: number, store: StoreKind, mode: Mode) =>
  `npm run fuzz -- --seed ${seed} --store ${store}${mode === 'rewind' ? ' --mode rewind' : ''}`;

/** A failure as the CLI and the tests print it: problems, the program, the plan, the faulted history, the rerun command. */
export function describeFailure(c: Case, verdict: Verdict, mode: Mode): string {
  return [
    `seed ${c.seed} (store ${c.store}, mode ${mode}) failed:`,
    ...verdict.problems.slice(0, 12).map((p) => `  - ${p}`),
    'program:',
    printProgram(c.program),
    `fault plan: ${JSON.stringify(c.plan)}`,
    ...(verdict.faulted ? ['faulted run (root history):', verdict.faulted.tree] : []),
    `rerun: ${rerunCommand(c.seed, c.store, mode)}`,
  ].join('\n');
}
