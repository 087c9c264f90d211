/**
 * Durable Object doubles for Node: storage with the real API's semantics that the store
 * relies on (ordered keys, list ranges, values copied in and out), and a namespace whose
 * stubs copy arguments and results as RPC does.
 */
import type { DurableObjectListOptions, DurableObjectStorageLike } from '../../core/store/durable-object/index.js';
import { TaskHubHost, type TaskHubHostOptions } from '../../edge-worker/cloudflare/host.js';
import type { TaskHubNamespaceLike, TaskHubStub } from '../../edge-worker/cloudflare/remote.js';

export class FakeDurableObjectStorage implements DurableObjectStorageLike {
  readonly data = new Map<string, unknown>();
  alarm: number | null = null;
  /** The keys in order (lists are ranges over it, as over the real storage's index). */
  private sorted: string[] = [];

  private keys(): string[] {
    return this.sorted;
  }

  /** Where `key` is or would go in `sorted`. */
  private position(key: string): number {
    let lo = 0;
    for (let hi = this.sorted.length; lo < hi; ) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async get<T>(keys: string[]): Promise<Map<string, T>> {
    if (keys.length > 128) throw new RangeError('get() takes at most 128 keys');
    const found = new Map<string, T>();
    for (const k of keys) if (this.data.has(k)) found.set(k, structuredClone(this.data.get(k)) as T);
    return found;
  }

  async put<T>(entries: Record<string, T>): Promise<void> {
    if (Object.keys(entries).length > 128) throw new RangeError('put() takes at most 128 entries');
    for (const [k, v] of Object.entries(entries)) {
      if (!this.data.has(k)) this.sorted.splice(this.position(k), 0, k);
      this.data.set(k, structuredClone(v));
    }
  }

  async delete(keys: string[]): Promise<number> {
    if (keys.length > 128) throw new RangeError('delete() takes at most 128 keys');
    let n = 0;
    for (const k of keys)
      if (this.data.delete(k)) {
        n++;
        this.sorted.splice(this.position(k), 1);
      }
    return n;
  }

  async list<T>(o: DurableObjectListOptions = {}): Promise<Map<string, T>> {
    const all = this.keys();
    // The range's first key by binary search, then a walk to its end: O(log n + range), like an index.
    const from = [o.prefix, o.start, o.startAfter].reduce<string>((a, b) => (b !== undefined && b > a ? b : a), '');
    const lo = this.position(from);
    let keys: string[] = [];
    for (let i = lo; i < all.length; i++) {
      const k = all[i]!;
      if ((o.prefix && !k.startsWith(o.prefix)) || (o.end !== undefined && k >= o.end)) break;
      if (o.startAfter !== undefined && k <= o.startAfter) continue;
      keys.push(k);
      if (!o.reverse && o.limit !== undefined && keys.length >= o.limit) break;
    }
    if (o.reverse) keys.reverse();
    if (o.limit !== undefined) keys = keys.slice(0, o.limit);
    return new Map(keys.map((k) => [k, structuredClone(this.data.get(k)) as T]));
  }

  async deleteAll(): Promise<void> {
    this.data.clear();
    this.sorted = [];
  }
  async setAlarm(time: number): Promise<void> {
    this.alarm = time;
  }
  async deleteAlarm(): Promise<void> {
    this.alarm = null;
  }
}

/** One host per name, as `idFromName` gives one object per name. */
export class FakeNamespace implements TaskHubNamespaceLike<string> {
  readonly hosts = new Map<string, { host: TaskHubHost; storage: FakeDurableObjectStorage }>();
  calls = 0;

  constructor(private readonly options: TaskHubHostOptions = {}) {}

  idFromName(name: string): string {
    return name;
  }

  get(id: string): TaskHubStub {
    return {
      invoke: async (hub, method, args) => {
        this.calls++;
        let entry = this.hosts.get(id);
        if (!entry) {
          const storage = new FakeDurableObjectStorage();
          this.hosts.set(id, (entry = { host: new TaskHubHost(storage, this.options), storage }));
        }
        return structuredClone(await entry.host.invoke(hub, method, structuredClone(args)));
      },
    };
  }
}
