/**
 * Time is injected: the worker and client read it from a Clock, so the simulator can run
 * a 30-day timer in milliseconds with a virtual one.
 * @module
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Calls `callback` once `ms` of this clock's time have passed; the returned function cancels
   * it. A plain callback rather than an AbortSignal: the worker and every client wait arm one,
   * and signals cost an event dispatch each.
   */
  setTimer(ms: number, callback: () => void): () => void;
}

let lastIso = { ms: NaN, text: '' };
/** `new Date(ms).toISOString()`, remembering the last one: work done in the same millisecond shares its timestamp, and formatting is costly on hot paths. */
export function isoTime(ms: number): string {
  if (ms !== lastIso.ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}

let lastParsed = { text: '', ms: NaN };
/** `Date.parse(text)`, remembering the last one: the hot path parses the same few timestamps over and over. */
export function parseTime(text: string): number {
  if (text !== lastParsed.text) lastParsed = { text, ms: Date.parse(text) };
  return lastParsed.ms;
}

/** Resolves after `ms` of the clock's time. */
export const sleep = (clock: Clock, ms: number): Promise<void> =>
  new Promise((resolve) => {
    clock.setTimer(ms, resolve);
  });

// Taken once: orchestrator code runs with Date.now swapped for replayed time (determinism.ts),
// and the engine's own reads should neither see that nor pay for a call site that changes target.
const realNow = Date.now;

export const systemClock: Clock = {
  now: () => realNow(),
  setTimer: (ms, callback) => {
    const timer = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told to. Timers fire when time passes their deadline. */
export class VirtualClock implements Clock {
  private time: number;
  private timers = new Set<{ until: number; callback: () => void }>();

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.time = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, callback: () => void): () => void {
    const timer = { until: this.time + Math.max(0, ms), callback };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** Moves time forward (never back) and fires the timers that are due, earliest first. */
  advanceTo(time: number): void {
    if (time < this.time) return;
    this.time = time;
    const due = [...this.timers].filter((t) => t.until <= time).sort((a, b) => a.until - b.until);
    for (const t of due) {
      this.timers.delete(t);
      t.callback();
    }
  }

  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }
}
