/**
 * Time is injected: the worker and client read it from a Clock, so the simulator can run
 * a 30-day timer in milliseconds with a virtual one.
 * @module
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of this clock's time, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
    function done() { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); }
  }),
};

/** A clock that moves only when told to. Sleepers wake when time passes their deadline. */
export class VirtualClock implements Clock {
  private time: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.time = typeof start === 'number' ? start : start.getTime();
  }

  now(): number { return this.time; }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper = { until: this.time + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => { this.sleepers = this.sleepers.filter((s) => s !== sleeper); resolve(); }, { once: true });
    });
  }

  /** Moves time forward (never back) and wakes the sleepers that are due. */
  advanceTo(time: number): void {
    if (time < this.time) return;
    this.time = time;
    const due = this.sleepers.filter((s) => s.until <= time);
    this.sleepers = this.sleepers.filter((s) => s.until > time);
    for (const s of due) s.resolve();
  }

  advance(ms: number): void { this.advanceTo(this.time + ms); }
}
