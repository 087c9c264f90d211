/**
 * The faulted run's plan: activity failures, crashes, duplicate deliveries, rewind. Crashes and
 * duplicates name what they hit (an instance's n-th durable write, an instance's n-th
 * completion of a given task) rather than a global count, so shrinking the program leaves
 * them pointing at the same work in the other instances.
 * @module
 */
import { hashSeed } from '../../core/orchestration/determinism.js';
import { type Program, programsOf, rng } from './program.js';

export interface FaultPlan {
  /** Activity name → attempts (1-based, per instance) that throw. */
  failures: Record<string, number[]>;
  /** The worker dies right after these durable writes: `instanceId#n`, the instance's n-th applied write. */
  crashes: string[];
  /** These completion messages are delivered twice: `instanceId|type|taskOrTimerId#n`, its n-th occurrence. */
  duplicates: string[];
  /** Failures may hit unprotected calls; a Failed root is then rewound with the faults off. */
  rewind: boolean;
}

export const NO_FAULTS: FaultPlan = { failures: {}, crashes: [], duplicates: [], rewind: false };

/**
 * A plan for `seed`, drawn from what the oracle run wrote and delivered. Without `rewind`,
 * failures hit only calls that absorb them: a retry policy gets fewer failing attempts than it
 * allows, a catch-and-call-again gets one. Each call site's choice depends on the seed and the
 * site alone.
 */
export function planFaults(program: Program, seed: number, rewind: boolean, oracle: { writeKeys: string[]; completionKeys: string[] }): FaultPlan {
  const failures: Record<string, number[]> = {};
  for (const p of programsOf(program).values())
    for (const s of p.steps)
      for (const site of s.t === 'all' ? s.items : [s]) {
        if (site.t !== 'act' && !(site.t === 'race' && site.against === 'act')) continue;
        const r = rng(hashSeed(`${seed}:A${site.id}`));
        if (r() > 0.35) continue;
        const retry = site.retry ?? 1;
        if (retry > 1) failures[`A${site.id}`] = distinct(r, retry - 1, retry + 1);
        else if ((site.t === 'act' && site.fallback) || rewind) failures[`A${site.id}`] = [1 + Math.floor(r() * 2)];
      }
  const r = rng(hashSeed(`${seed}:plan`));
  const some = (max: number, keys: string[]) => (keys.length ? distinct(r, Math.floor(r() * (max + 1)), keys.length).map((i) => keys[i - 1]!) : []);
  return { failures, crashes: some(2, oracle.writeKeys), duplicates: some(3, oracle.completionKeys), rewind };
}

/** Up to `n` distinct numbers in 1..upTo, ascending. */
function distinct(r: () => number, n: number, upTo: number): number[] {
  const chosen = new Set<number>();
  for (let i = 0; i < n * 3 && chosen.size < n; i++) chosen.add(1 + Math.floor(r() * upTo));
  return [...chosen].sort((a, b) => a - b);
}
