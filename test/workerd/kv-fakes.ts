/**
 * KV test doubles: `MemoryKv` is an immediately consistent namespace; `StaleKv` behaves
 * like production Workers KV seen from one location, on an injected clock:
 * - a write is seen by the next `staleReadsAfterWrite` reads within 60 s as the previous value (or a miss);
 * - a read is cached for `cacheTtlMs`, hiding later writes, misses included (cached misses);
 * - `list()` shows the keys as they were `listLagMs` ago;
 * - a second write (put or delete) to a key within 1 s throws like production (429).
 */
import type { Clock } from '../../core/clock.js';
import type { KvListResult, KvNamespaceLike } from '../../core/store/kv/index.js';

interface Version {
  at: number;
  value: string | null;
  metadata?: unknown;
}

export class MemoryKv implements KvNamespaceLike {
  readonly data = new Map<string, { value: string; metadata?: unknown }>();

  async get(key: string): Promise<string | null> {
    return this.data.get(key)?.value ?? null;
  }
  async put(key: string, value: string, options?: { metadata?: unknown }): Promise<void> {
    this.data.set(key, { value, metadata: options?.metadata });
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
  async list(options: { prefix?: string; cursor?: string; limit?: number } = {}): Promise<KvListResult> {
    return listPage(
      [...this.data].map(([name, v]) => ({ name, metadata: v.metadata })),
      options,
    );
  }
}

export interface StaleKvOptions {
  staleReadsAfterWrite?: number;
  cacheTtlMs?: number;
  listLagMs?: number;
}

export class StaleKv implements KvNamespaceLike {
  private readonly versions = new Map<string, Version[]>();
  private readonly cache = new Map<string, { value: string | null; until: number }>();
  private readonly staleLeft = new Map<string, { reads: number; until: number }>();
  readonly stats = { reads: 0, writes: 0, staleServed: 0, rateLimited: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly options: StaleKvOptions = {},
  ) {}

  /** What an immediately consistent reader would see; for assertions only. */
  truth(key: string): string | null {
    return this.latest(key)?.value ?? null;
  }
  keys(): string[] {
    return [...this.versions.keys()].filter((k) => this.truth(k) !== null).sort();
  }

  async get(key: string): Promise<string | null> {
    this.stats.reads++;
    const now = this.clock.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) {
      if (cached.value !== this.truth(key)) this.stats.staleServed++;
      return cached.value;
    }
    let value = this.truth(key);
    const left = this.staleLeft.get(key);
    if (left && left.reads > 0 && left.until > now) {
      left.reads--;
      const history = this.versions.get(key)!;
      value = history.length > 1 ? history[history.length - 2]!.value : null;
      this.stats.staleServed++;
    }
    if (this.options.cacheTtlMs) this.cache.set(key, { value, until: now + this.options.cacheTtlMs });
    return value;
  }

  async put(key: string, value: string, options?: { metadata?: unknown }): Promise<void> {
    this.write(key, { at: this.clock.now(), value, metadata: options?.metadata });
  }

  async delete(key: string): Promise<void> {
    this.write(key, { at: this.clock.now(), value: null });
  }

  async list(options: { prefix?: string; cursor?: string; limit?: number } = {}): Promise<KvListResult> {
    const asOf = this.clock.now() - (this.options.listLagMs ?? 0);
    const keys: { name: string; metadata?: unknown }[] = [];
    for (const [name, history] of this.versions) {
      const seen = [...history].reverse().find((v) => v.at <= asOf);
      if (seen?.value != null) keys.push({ name, metadata: seen.metadata });
    }
    return listPage(keys, options);
  }

  private write(key: string, version: Version): void {
    const last = this.latest(key);
    if (last && version.at - last.at < 1000) {
      this.stats.rateLimited++;
      throw new Error(`KV PUT failed: 429 Too Many Requests (key '${key}' was written ${version.at - last.at} ms ago)`);
    }
    this.stats.writes++;
    const history = this.versions.get(key) ?? [];
    history.push(version);
    this.versions.set(key, history);
    if (this.options.staleReadsAfterWrite) this.staleLeft.set(key, { reads: this.options.staleReadsAfterWrite, until: version.at + 60_000 });
  }

  private latest(key: string): Version | undefined {
    const history = this.versions.get(key);
    return history?.[history.length - 1];
  }
}

function listPage(all: { name: string; metadata?: unknown }[], options: { prefix?: string; cursor?: string; limit?: number }): KvListResult {
  const limit = Math.min(options.limit ?? 1000, 1000);
  const sorted = all.filter((k) => k.name.startsWith(options.prefix ?? '')).sort((a, b) => (a.name < b.name ? -1 : 1));
  const from = options.cursor ? Number(options.cursor) : 0;
  const keys = sorted.slice(from, from + limit);
  const done = from + limit >= sorted.length;
  return done ? { keys, list_complete: true } : { keys, list_complete: false, cursor: String(from + limit) };
}
