/**
 * The differential fuzzer's reset scenario: a program runs to completion, then the root is reset
 * to a random row of its history (`client.reset`, in place or, for odd seeds, as a fork under a
 * new ID) and runs on. Activities are deterministic and events after the row are reapplied, so it
 * must end as the oracle did: the same outputs and custom statuses, clean histories, each result
 * recorded once; each activity after the row may run once more (counted like a rewind).
 * @module
 */
import { type RunResult, runProgram, type StoreKind } from './driver.js';
import { ROOT_ID } from './interpreter.js';
import { compareRuns } from './oracle.js';
import { generateProgram, rng } from './program.js';

const FORK = 'fork';
/** The problems of one seed's reset run against its oracle; none when it ends as the oracle did. */
export async function checkReset(seed: number, store: StoreKind): Promise<string[]> {
  const program = generateProgram(seed);
  const fork = seed % 2 === 1;
  let position = 0;
  let continues: string | undefined;
  try {
    const oracle = await runProgram(program, { store, seed });
    const reset = await runProgram(program, {
      store,
      seed,
      afterIdle: async (sim) => {
        const rows = (await sim.getHistory(ROOT_ID)).length;
        position = 1 + Math.floor(rng(seed)() * rows);
        continues = await sim.client.reset(ROOT_ID, { eventId: position, newInstanceId: fork ? FORK : undefined, reason: 'fuzz' });
      },
    });
    // A reset runs the work after its row once more: allowed like a rewind.
    const counted: RunResult = { ...reset, rewinds: reset.rewinds + 1 };
    const problems: string[] = [];
    if (continues !== (fork ? FORK : ROOT_ID)) problems.push(`reset answered '${continues}', not '${fork ? FORK : ROOT_ID}'.`);
    if (fork) {
      const [original, forked] = [oracle.instances.get(ROOT_ID), reset.instances.get(FORK)];
      if (JSON.stringify(forked) !== JSON.stringify(original)) problems.push(`fork: ${JSON.stringify(forked)}, oracle root ${JSON.stringify(original)}.`);
      counted.instances = new Map([...reset.instances].filter(([id]) => id !== FORK));
      // The fork records the results after the row again, under its own instance ID.
      counted.recorded = new Map([...reset.recorded].filter(([key]) => !key.startsWith(`${FORK}|`)));
      counted.executions = new Map([...reset.executions].filter(([key]) => !key.startsWith(`${FORK}|`)));
    }
    return [...problems, ...compareRuns(oracle, counted).map((p) => `after reset to row ${position}${fork ? ' as a fork' : ''}: ${p}`)];
  } catch (error) {
    return [`reset to row ${position} threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
  }
}
