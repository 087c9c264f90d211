/**
 * Durable Object doubles for Node: storage with the real API's semantics that the store
 * relies on (ordered keys, list ranges, values copied in and out), and a namespace whose
 * stubs copy arguments and results as RPC does.
 */
import { TaskHubHost, type DurableObjectListOptions, type DurableObjectStorageLike, type TaskHubNamespaceLike, type TaskHubStub } from '../../core/store/durable-object/index.js';
import type { TaskHubHostOptions } from '../../core/store/durable-object/host.js';

export class FakeDurableObjectStorage implements DurableObjectStorageLike {
  readonly data = new Map<string, unknown>();
  alarm: number | null = null;

  async get<T>(keys: string[]): Promise<Map<string, T>> {
    if (keys.length > 128) throw new RangeError('get() takes at most 128 keys');
    const found = new Map<string, T>();
    for (const k of keys) if (this.data.has(k)) found.set(k, structuredClone(this.data.get(k)) as T);
    return found;
  }

  async put<T>(entries: Record<string, T>): Promise<void> {
    if (Object.keys(entries).length > 128) throw new RangeError('put() takes at most 128 entries');
    for (const [k, v] of Object.entries(entries)) this.data.set(k, structuredClone(v));
  }

  async delete(keys: string[]): Promise<number> {
    if (keys.length > 128) throw new RangeError('delete() takes at most 128 keys');
    let n = 0;
    for (const k of keys) if (this.data.delete(k)) n++;
    return n;
  }

  async list<T>(o: DurableObjectListOptions = {}): Promise<Map<string, T>> {
    let keys = [...this.data.keys()].sort().filter((k) => (!o.prefix || k.startsWith(o.prefix))
      && (o.start === undefined || k >= o.start) && (o.startAfter === undefined || k > o.startAfter) && (o.end === undefined || k < o.end));
    if (o.reverse) keys.reverse();
    if (o.limit !== undefined) keys = keys.slice(0, o.limit);
    return new Map(keys.map((k) => [k, structuredClone(this.data.get(k)) as T]));
  }

  async deleteAll(): Promise<void> { this.data.clear(); }
  async setAlarm(time: number): Promise<void> { this.alarm = time; }
  async deleteAlarm(): Promise<void> { this.alarm = null; }
}

/** One host per name, as `idFromName` gives one object per name. */
export class FakeNamespace implements TaskHubNamespaceLike<string> {
  readonly hosts = new Map<string, { host: TaskHubHost; storage: FakeDurableObjectStorage }>();
  calls = 0;

  constructor(private readonly options: TaskHubHostOptions = {}) {}

  idFromName(name: string): string { return name; }

  get(id: string): TaskHubStub {
    return {
      invoke: async (hub, method, args) => {
        this.calls++;
        let entry = this.hosts.get(id);
        if (!entry) {
          const storage = new FakeDurableObjectStorage();
          this.hosts.set(id, entry = { host: new TaskHubHost(storage, this.options), storage });
        }
        return structuredClone(await entry.host.invoke(hub, method, structuredClone(args)));
      },
    };
  }
}
