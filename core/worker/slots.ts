/**
 * A concurrency limit: the worker's episode and activity slots. A slot given back passes to the
 * first waiter as is, so no other taker can slip in between.
 * @module
 */
export class Slots {
  private used = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get free(): number {
    return this.limit - this.used;
  }

  /** Takes `count` slots; the caller checked `free` (or reserves them while it finds out whether it needs them). */
  take(count = 1): void {
    this.used += count;
  }

  /** Takes a slot now, or resolves once one is handed over. */
  wait(): Promise<void> | undefined {
    if (this.used < this.limit) {
      this.used++;
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
    });
  }

  /** Gives back `count` slots: each to the next waiter, if any. */
  release(count = 1): void {
    for (let i = 0; i < count; i++) {
      const next = this.waiters.shift();
      if (next) next();
      else this.used--;
    }
  }
}
