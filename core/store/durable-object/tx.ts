/**
 * The slice of Durable Object storage the store uses (`ctx.storage` fits it), and a
 * change set: an operation reads through it, stages its writes, and `commit()` issues
 * them all in one synchronous burst. Durable Objects coalesce writes made without an
 * intervening await into one atomic batch, so every port operation is all-or-nothing;
 * an operation that throws stages nothing.
 * @module
 */

export interface DurableObjectListOptions {
  prefix?: string;
  start?: string;
  startAfter?: string;
  end?: string;
  reverse?: boolean;
  limit?: number;
}

export interface DurableObjectStorageLike {
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  put<T>(entries: Record<string, T>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options?: DurableObjectListOptions): Promise<Map<string, T>>;
  deleteAll?(): Promise<void>;
  /** Writes a whole change set atomically in one call, where the storage can (see `sync.ts`). */
  write?(puts: Map<string, unknown>, deletes: string[]): Promise<void>;
}

/** Durable Object storage takes at most 128 keys per get, put or delete. */
const MAX_KEYS = 128;
const DELETED = Symbol('deleted');

export class ChangeSet {
  private readonly staged = new Map<string, unknown>();
  /**
   * Keys this change set found missing in storage. Reading one again costs nothing, and deleting
   * one writes nothing: an operation often looks up a queue row twice and deletes it when empty.
   */
  private readonly absent = new Set<string>();

  constructor(private readonly storage: DurableObjectStorageLike) {}

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.getMany<T>([key])).get(key);
  }

  /** The values that exist, staged writes included. */
  async getMany<T>(keys: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const unstaged = keys.filter((k) => !this.staged.has(k) && !this.absent.has(k));
    for (let i = 0; i < unstaged.length; i += MAX_KEYS) {
      const batch = unstaged.slice(i, i + MAX_KEYS);
      const values = await this.storage.get<T>(batch);
      for (const k of batch) {
        const v = values.get(k);
        if (v === undefined) this.absent.add(k);
        else found.set(k, v);
      }
    }
    for (const k of keys) {
      const v = this.staged.get(k);
      if (this.staged.has(k) && v !== DELETED) found.set(k, v as T);
    }
    return found;
  }

  /** Every key under `prefix` with its value, staged writes included, in key order. */
  async listAll<T>(prefix: string): Promise<Map<string, T>> {
    const merged = new Map<string, T>(await this.storage.list<T>({ prefix }));
    for (const [k, v] of this.staged) {
      if (!k.startsWith(prefix)) continue;
      if (v === DELETED) merged.delete(k);
      else merged.set(k, v as T);
    }
    return new Map([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Reads storage only: use before staging writes under the same range. */
  list<T>(options: DurableObjectListOptions): Promise<Map<string, T>> {
    return this.storage.list<T>(options);
  }

  put(key: string, value: unknown): void {
    this.staged.set(key, value);
  }
  delete(key: string): void {
    if (this.absent.has(key)) this.staged.delete(key);
    else this.staged.set(key, DELETED);
  }
  get size(): number {
    return this.staged.size;
  }
  /** The keys this change set writes (not those it deletes). */
  *written(): Iterable<string> {
    for (const [k, v] of this.staged) if (v !== DELETED) yield k;
  }

  async commit(): Promise<void> {
    if (this.storage.write) {
      const puts = new Map<string, unknown>();
      const deletes: string[] = [];
      for (const [k, v] of this.staged)
        if (v === DELETED) deletes.push(k);
        else puts.set(k, v);
      this.staged.clear();
      return this.storage.write(puts, deletes);
    }
    const puts: Record<string, unknown>[] = [];
    const deletes: string[][] = [];
    let batch: Record<string, unknown> = {};
    let count = 0;
    for (const [k, v] of this.staged) {
      if (v === DELETED) {
        if (deletes.length === 0 || deletes[deletes.length - 1]!.length === MAX_KEYS) deletes.push([]);
        deletes[deletes.length - 1]!.push(k);
        continue;
      }
      batch[k] = v;
      if (++count === MAX_KEYS) {
        puts.push(batch);
        batch = {};
        count = 0;
      }
    }
    if (count) puts.push(batch);
    this.staged.clear();
    // No await between these calls: the object writes them as one atomic batch.
    const writes = [...puts.map((p) => this.storage.put(p)), ...deletes.map((d) => this.storage.delete(d))];
    await Promise.all(writes);
  }
}
