/**
 * The oracle comparison: a faulted run must end as the fault-free run did.
 *
 * - Every instance (root and sub-orchestrations; their IDs derive from the program, so they are
 *   the same in both runs) ends with the same status, output and custom status.
 * - Exactly-once recorded results: for each (instance, activity, input), the number of results
 *   recorded in history (live rows; continue-as-new's replaced histories included) equals the
 *   oracle's.
 * - At-least-once execution: each recorded result comes from a successful execution
 *   (executions ≥ recorded), and an execution that left no record needs a cause: a crash (the
 *   worker died between running it and recording its result), a rewind (its result reached a
 *   Failed instance and was dropped) or a re-creation of its instance (a retried
 *   sub-orchestration replaces the failed child under the same ID). So executions − recorded ≤
 *   crashes + rewinds + (creations of the instance − 1). The oracle itself has executions = recorded.
 * - checkHistory is clean on every history of both runs.
 * @module
 */
import type { RunResult } from './driver.js';

const json = (v: unknown) => JSON.stringify(v);

export function compareRuns(oracle: RunResult, faulted: RunResult): string[] {
  const problems: string[] = [];
  const root = oracle.instances.get('r');
  if (root?.runtimeStatus !== 'Completed') problems.push(`oracle: the root ended ${root?.runtimeStatus ?? 'missing'}, not Completed.`);
  problems.push(...oracle.problems.map((p) => `oracle history: ${p}`), ...faulted.problems.map((p) => `faulted history: ${p}`));

  for (const id of union(oracle.instances, faulted.instances)) {
    const [o, f] = [oracle.instances.get(id), faulted.instances.get(id)];
    if (!o || !f) {
      problems.push(`instance '${id}' exists only in the ${o ? 'oracle' : 'faulted'} run.`);
      continue;
    }
    for (const field of ['runtimeStatus', 'output', 'customStatus'] as const)
      if (json(o[field]) !== json(f[field])) problems.push(`instance '${id}': ${field} ${json(f[field])}, oracle ${json(o[field])}.`);
  }

  for (const key of union(oracle.recorded, faulted.recorded)) {
    const [o, f] = [oracle.recorded.get(key) ?? 0, faulted.recorded.get(key) ?? 0];
    if (o !== f) problems.push(`activity ${key}: ${f} recorded result(s), oracle ${o}.`);
  }
  for (const key of union(oracle.executions, oracle.recorded))
    if ((oracle.executions.get(key) ?? 0) !== (oracle.recorded.get(key) ?? 0))
      problems.push(`oracle activity ${key}: ${oracle.executions.get(key) ?? 0} execution(s), ${oracle.recorded.get(key) ?? 0} recorded.`);
  for (const key of union(faulted.executions, faulted.recorded)) {
    const [ran, kept] = [faulted.executions.get(key) ?? 0, faulted.recorded.get(key) ?? 0];
    const instanceId = key.slice(0, key.indexOf('|'));
    const allowed = faulted.crashes + faulted.rewinds + Math.max(0, (faulted.creations.get(instanceId) ?? 1) - 1);
    if (ran < kept) problems.push(`activity ${key}: ${kept} recorded result(s) but only ${ran} successful execution(s).`);
    else if (ran - kept > allowed)
      problems.push(
        `activity ${key}: ran ${ran}× for ${kept} recorded result(s); at most ${allowed} extra allowed (${faulted.crashes} crash(es), ${faulted.rewinds} rewind(s)).`,
      );
  }
  return problems;
}

function union<K>(a: Map<K, unknown>, b: Map<K, unknown>): K[] {
  return [...new Set([...a.keys(), ...b.keys()])];
}
