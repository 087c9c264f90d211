/**
 * Orchestration programs as data: a seeded generator, and a printer. One generic orchestrator
 * (interpreter.ts) runs any program, so a failing program can be printed and shrunk.
 *
 * Every race has a winner that no injected fault can change: faults delay work by seconds
 * (retries) or minutes (a lapsed lease after a crash), while a race's losing timer is at least a
 * day long, and an event that must lose is never raised.
 * @module
 */
import { seededRandom } from '../../core/orchestration/determinism.js';

/** An activity call; `id` names it (`A<id>`). `retry`: max attempts of callActivityWithRetry. `fallback`: catch a failure and call once more. */
export interface Act {
  t: 'act';
  id: number;
  retry?: number;
  fallback?: boolean;
}
export interface Timer {
  t: 'timer';
  ms: number;
}
/** A sub-orchestration running `program`; `retry`: max attempts of callSubOrchestratorWithRetry. */
export interface Sub {
  t: 'sub';
  id: number;
  program: Program;
  retry?: number;
}
/** Waits for event `E<id>`, which the driver raises `at` ms after the start (root only). */
export interface Wait {
  t: 'event';
  id: number;
  at: number;
}
/**
 * `Task.any` of an activity or an event against a timer; `at` undefined: the event is never raised
 * and the timer wins. `cancel`: the winner cancels the losing timer (else it keeps the instance
 * Running until it fires, as in Durable Functions).
 */
export interface Race {
  t: 'race';
  id: number;
  against: 'act' | 'event';
  retry?: number;
  at?: number;
  timerMs: number;
  cancel?: boolean;
}
export interface All {
  t: 'all';
  items: (Act | Timer | Sub)[];
}
export interface Status {
  t: 'status';
}
export type Step = Act | Timer | Sub | Wait | Race | All | Status;

export interface Program {
  steps: Step[];
  /** How many times the program continues as new before it returns. */
  generations: number;
}

export type Random = () => number;
export const rng = (seed: number): Random => seededRandom(seed ^ 0x9e3779b9);
const int = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const DAY = 86_400_000;

/** A random program tree; `ids` numbers every activity, sub-orchestration and event across the tree. */
export function generateProgram(seed: number): Program {
  const r = rng(seed);
  let next = 0;
  const act = (inAll: boolean): Act => {
    const a: Act = { t: 'act', id: next++ };
    const protection = r();
    if (protection < 0.35) a.retry = int(r, 2, 4);
    else if (protection < 0.55 && !inAll) a.fallback = true;
    return a;
  };
  const timer = (): Timer => ({ t: 'timer', ms: pick(r, [1000, 5000, 60_000, 3_600_000]) });
  const sub = (depth: number): Sub => {
    const s: Sub = { t: 'sub', id: next++, program: program(depth + 1) };
    if (r() < 0.4) s.retry = int(r, 2, 3);
    return s;
  };
  const leaf = (depth: number): Act | Timer | Sub => {
    const x = r();
    return x < 0.6 || depth >= 2 ? (x < 0.8 ? act(true) : timer()) : sub(depth);
  };
  const step = (depth: number): Step => {
    const root = depth === 0;
    const x = r();
    if (x < 0.3) return act(false);
    if (x < 0.4) return timer();
    if (x < 0.55) return { t: 'all', items: Array.from({ length: int(r, 2, 4) }, () => leaf(depth)) };
    if (x < 0.65 && depth < 2) return sub(depth);
    if (x < 0.75) return { t: 'status' };
    if (x < 0.85 && root) return { t: 'event', id: next++, at: int(r, 1, 7200) * 1000 };
    if (root && r() < 0.5) {
      if (r() < 0.5) return { t: 'race', id: next++, against: 'event', timerMs: pick(r, [1000, 30_000, 3_600_000]) };
      const race: Race = { t: 'race', id: next++, against: 'event', at: int(r, 1, 3600) * 1000, timerMs: int(r, 1, 5) * DAY };
      if (r() < 0.7) race.cancel = true;
      return race;
    }
    const race: Race = { t: 'race', id: next++, against: 'act', timerMs: int(r, 1, 3) * DAY };
    if (r() < 0.4) race.retry = int(r, 2, 3);
    if (r() < 0.7) race.cancel = true;
    return race;
  };
  const program = (depth: number): Program => ({
    steps: Array.from({ length: int(r, 1, depth === 0 ? 6 : 4) }, () => step(depth)),
    generations: r() < (depth === 0 ? 0.3 : 0.15) ? int(r, 1, 2) : 0,
  });
  return program(0);
}

/** Every program of the tree by sub-orchestration id (the root is -1). */
export function programsOf(root: Program): Map<number, Program> {
  const all = new Map<number, Program>([[-1, root]]);
  const visit = (p: Program) => {
    for (const s of p.steps)
      for (const leaf of s.t === 'all' ? s.items : [s])
        if (leaf.t === 'sub') {
          all.set(leaf.id, leaf.program);
          visit(leaf.program);
        }
  };
  visit(root);
  return all;
}

/** One line per step, nested programs indented. */
export function printProgram(p: Program, indent = ''): string {
  const leaf = (s: Step): string => {
    switch (s.t) {
      case 'act':
        return `activity A${s.id}${s.retry ? ` retry×${s.retry}` : ''}${s.fallback ? ' catch→call again' : ''}`;
      case 'timer':
        return `timer ${s.ms} ms`;
      case 'sub':
        return `sub-orchestration S${s.id}${s.retry ? ` retry×${s.retry}` : ''}${s.program.generations ? ` continue-as-new×${s.program.generations}` : ''}\n${printProgram(s.program, `${indent}    `)}`;
      case 'event':
        return `wait for event E${s.id} (raised at +${s.at} ms)`;
      case 'race':
        return s.against === 'act'
          ? `race activity A${s.id}${s.retry ? ` retry×${s.retry}` : ''} vs timer ${s.timerMs} ms${s.cancel ? ' (cancelled on loss)' : ''}`
          : `race event E${s.id} (${s.at === undefined ? 'never raised' : `raised at +${s.at} ms`}) vs timer ${s.timerMs} ms${s.cancel ? ' (cancelled on loss)' : ''}`;
      case 'all':
        return `all [\n${s.items.map((i) => `${indent}    ${leaf(i)}`).join('\n')}\n${indent}  ]`;
      case 'status':
        return 'set custom status';
    }
  };
  const head = indent === '' && p.generations ? `${indent}(continue-as-new×${p.generations})\n` : '';
  return head + p.steps.map((s) => `${indent}  ${leaf(s)}`).join('\n');
}

/**
 * The program with every race cancelling its losing timer. Rewind mode runs these: an
 * uncancelled timer keeps an instance Running for days, so its parent would fail, and be
 * rewound, only after other races' deadlines have passed, and those races may then go the
 * other way legitimately.
 */
export function withCancelledRaces(root: Program): Program {
  const copy = structuredClone(root);
  for (const p of programsOf(copy).values()) for (const s of p.steps) if (s.t === 'race') s.cancel = true;
  return copy;
}
