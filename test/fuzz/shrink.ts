/**
 * Shrinking: drop fault-plan entries, generations, steps and fan-out items while the case
 * still fails, one removal at a time, until no single removal keeps it failing.
 * @module
 */
import { type Case, checkCase, type Verdict } from './case.js';
import { type All, type Program, programsOf } from './program.js';

const MAX_CHECKS = 300;

export async function shrink(failing: Case, verdict: Verdict): Promise<{ c: Case; verdict: Verdict }> {
  let best = { c: failing, verdict };
  let checks = 0;
  for (let changed = true; changed && checks < MAX_CHECKS; ) {
    changed = false;
    for (const candidate of candidates(best.c)) {
      if (++checks > MAX_CHECKS) break;
      const v = await checkCase(candidate);
      if (v.problems.length) {
        best = { c: candidate, verdict: v };
        changed = true;
        break;
      }
    }
  }
  return best;
}

function* candidates(c: Case): Generator<Case> {
  const { plan } = c;
  for (const name of Object.keys(plan.failures)) {
    const failures = { ...plan.failures };
    delete failures[name];
    yield { ...c, plan: { ...plan, failures } };
  }
  for (const key of ['crashes', 'duplicates'] as const)
    for (let i = 0; i < plan[key].length; i++) yield { ...c, plan: { ...plan, [key]: plan[key].filter((_, j) => j !== i) } };
  for (const program of programCandidates(c.program)) yield { ...c, program };
}

function* programCandidates(root: Program): Generator<Program> {
  const programs = [...programsOf(root).values()];
  const edit = (k: number, change: (p: Program) => void): Program => {
    const copy = structuredClone(root);
    change([...programsOf(copy).values()][k]!);
    return copy;
  };
  for (const [k, p] of programs.entries()) {
    if (p.generations) yield edit(k, (q) => (q.generations = 0));
    for (let i = p.steps.length - 1; i >= 0; i--) {
      yield edit(k, (q) => q.steps.splice(i, 1));
      const step = p.steps[i]!;
      if (step.t === 'all' && step.items.length > 1)
        for (let j = step.items.length - 1; j >= 0; j--) yield edit(k, (q) => (q.steps[i] as All).items.splice(j, 1));
    }
  }
}
