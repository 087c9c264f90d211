/**
 * The slice of Workers KV the adapter uses, as a structural type (a real `KVNamespace`,
 * an in-memory fake or a REST client all fit), and the write pacing KV requires.
 * @module
 */
import { type Clock, sleep } from '../../clock.js';

export interface KvListKey {
  name: string;
  metadata?: unknown;
}

export interface KvListResult {
  keys: KvListKey[];
  list_complete: boolean;
  cursor?: string;
}

export interface KvNamespaceLike {
  /** Text value, or null when absent (or, on real KV, when a cached miss is still served). */
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  /** At most 1000 keys a call; eventually consistent on real KV, so never used for correctness. */
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<KvListResult>;
}

/** KV allows one write per key per second; a second one is refused with 429. */
export const KV_WRITE_GAP_MS = 1000;
/** How long a KV read may serve an old value or a cached miss. */
export const KV_STALENESS_MS = 60_000;

/** True for KV's "too many writes to this key" refusal (HTTP 429). */
export function isRateLimited(error: unknown): boolean {
  return error instanceof Error && /429|too many requests|rate.?limit/i.test(error.message);
}

/**
 * Keeps this process's writes to one key at least a second apart, by waiting. Only the
 * few keys that are ever rewritten (the snapshot head, a retried log slot) go through it.
 */
export class WritePacer {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly gapMs = KV_WRITE_GAP_MS,
  ) {}

  async before(key: string): Promise<void> {
    const previous = this.last.get(key);
    const wait = previous === undefined ? 0 : previous + this.gapMs - this.clock.now();
    if (wait > 0) await sleep(this.clock, wait);
    this.last.set(key, this.clock.now());
    if (this.last.size > 1024) {
      const horizon = this.clock.now() - this.gapMs;
      for (const [k, t] of this.last) if (t < horizon) this.last.delete(k);
    }
  }

  /** Whether a write to `key` now would not need to wait. */
  ready(key: string): boolean {
    const previous = this.last.get(key);
    return previous === undefined || previous + this.gapMs <= this.clock.now();
  }
}
