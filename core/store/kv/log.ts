/**
 * A task hub's durable log on KV: numbered, write-once slots, written one at a time by
 * the hub's single writer, plus snapshots that let recovery skip old slots.
 *
 * Why a log: KV has no transactions, so each port operation's effects go into one value
 * (one `put` is atomic), and no key is ever rewritten in the data path (1 write/s/key).
 * Recovery reads the head, the snapshot it names, then slots n+1, n+2… until a miss:
 * point reads only, never `list()`. Slots are written strictly in order, so a miss is the
 * end of the log, provided the reads are fresh (see the quiet period in `index.ts`).
 * @module
 */
import type { Clock } from '../../clock.js';
import { DurableError } from '../../errors.js';
import { HubState } from '../hub-state.js';
import { isRateLimited, KV_STALENESS_MS, type KvNamespaceLike, type WritePacer } from './namespace.js';
import { applyOp, type HubSnapshot, type LogOp } from './state.js';

/** Another process wrote this hub's log: KV cannot arbitrate between writers. */
export class KvWriterConflictError extends DurableError {
  override readonly name = 'KvWriterConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('VersionConflict', message, options);
  }
}

export interface HubKeys {
  /** Names the hub for `listTaskHubs`; written before the hub's first slot. */
  marker: { key: string; metadata: unknown };
  head: string;
  slot(n: number): string;
  snapshotPart(n: number, part: number): string;
}

export interface HubLogOptions {
  kv: KvNamespaceLike;
  keys: HubKeys;
  clock: Clock;
  pacer: WritePacer;
  /** Snapshot after this many slots (when the writer is idle). */
  snapshotEvery: number;
  /** Read each slot before writing it, to catch a second writer. */
  detectForeignWriters: boolean;
  /** Largest value per slot or snapshot part, in UTF-16 units (KV allows 25 MiB of UTF-8). */
  maxValueChars: number;
}

interface Pending {
  op: LogOp;
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}
interface Head {
  n: number;
  parts: number;
}

const PUT_ATTEMPTS = 3;

export class HubLog {
  private queue: Pending[] = [];
  private draining = false;
  private lastAppend: Promise<void> = Promise.resolve();
  private fenced: Error | undefined;
  private snapshotRequested = false;
  /** Deletions of compacted keys, done once every reader has seen the newer head. */
  private readonly garbage: { dueAt: number; keys: string[] }[] = [];
  private marked: boolean;

  private constructor(
    readonly state: HubState,
    private n: number,
    private head: Head,
    private readonly o: HubLogOptions,
  ) {
    this.marked = n > 0;
  }

  static async open(o: HubLogOptions): Promise<HubLog> {
    const headText = await o.kv.get(o.keys.head);
    const head: Head = headText ? (JSON.parse(headText) as Head) : { n: 0, parts: 0 };
    let state = new HubState();
    if (head.parts > 0) {
      const parts = await Promise.all(Array.from({ length: head.parts }, (_, i) => o.kv.get(o.keys.snapshotPart(head.n, i))));
      if (parts.some((p) => p === null))
        throw new DurableError('StorageCorrupted', `Snapshot ${head.n} is incomplete in KV; was the quiet period after the previous writer respected?`);
      state = HubState.restore(JSON.parse(parts.join('')) as HubSnapshot);
    }
    let n = head.n;
    for (;;) {
      const text = await o.kv.get(o.keys.slot(n + 1));
      if (text === null) break;
      for (const op of (JSON.parse(text) as { ops: LogOp[] }).ops) applyOp(state, op);
      n++;
    }
    return new HubLog(state, n, head, o);
  }

  /** Resolves once `op` (already applied to `state`) is durable. */
  append(op: LogOp): Promise<void> {
    if (this.fenced) return Promise.reject(this.fenced);
    const promise = new Promise<void>((resolve, reject) => {
      this.queue.push({ op, bytes: JSON.stringify(op).length, resolve, reject });
    });
    this.lastAppend = promise.catch(() => undefined);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => void this.drain());
    }
    return promise;
  }

  /** Waits until everything appended so far is durable, so that reads never show what a crash could undo. */
  async durable(): Promise<void> {
    await this.lastAppend;
    if (this.fenced) throw this.fenced;
  }

  /** Takes a snapshot at the next idle moment (e.g. after clearing the hub). */
  requestSnapshot(): void {
    this.snapshotRequested = true;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      let bytes = 0;
      let count = 0;
      while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.bytes < this.o.maxValueChars)) bytes += this.queue[count++]!.bytes;
      const batch = this.queue.splice(0, count);
      try {
        if (!this.marked) {
          await this.put(this.o.keys.marker.key, '', this.o.keys.marker.metadata);
          this.marked = true;
        }
        await this.writeSlot(this.n + 1, JSON.stringify({ ops: batch.map((p) => p.op) }));
        this.n++;
        for (const p of batch) p.resolve();
      } catch (error) {
        // Memory is now ahead of KV: stop, so that nothing builds on effects that may be lost.
        this.fenced =
          error instanceof KvWriterConflictError
            ? error
            : new DurableError(
                'StorageCorrupted',
                `Could not write slot ${this.n + 1} of the task hub log to KV; this writer stopped. Start a new one after ${KV_STALENESS_MS / 1000} s.`,
                { cause: error },
              );
        for (const p of [...batch, ...this.queue.splice(0)]) p.reject(this.fenced);
        break;
      }
      if (this.queue.length === 0) await this.maybeSnapshot();
    }
    this.draining = false;
    this.collectGarbage();
  }

  private async writeSlot(n: number, value: string): Promise<void> {
    const key = this.o.keys.slot(n);
    if (value.length > this.o.maxValueChars)
      throw new DurableError('StorageQuotaExceeded', `A log entry of ${value.length} characters exceeds the KV value limit.`);
    if (this.o.detectForeignWriters && (await this.o.kv.get(key)) !== null) {
      throw new KvWriterConflictError(
        `Slot ${n} of the task hub log was written by another writer; KV allows one writer per task hub (use the Durable Object store for several).`,
      );
    }
    await this.put(key, value);
  }

  /** Retries a failed put (same value, so a retry is harmless), paced a second apart. */
  private async put(key: string, value: string, metadata?: unknown): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.o.pacer.before(key);
      try {
        await this.o.kv.put(key, value, metadata === undefined ? undefined : { metadata });
        return;
      } catch (error) {
        // Our own attempts are a second apart, so a 429 means that someone else wrote the key just now.
        if (isRateLimited(error))
          throw new KvWriterConflictError(`'${key}' was written by another writer within the last second; KV allows one writer per task hub.`, {
            cause: error,
          });
        if (attempt >= PUT_ATTEMPTS) throw error;
      }
    }
  }

  private async maybeSnapshot(): Promise<void> {
    if (!this.snapshotRequested && this.n - this.head.n < this.o.snapshotEvery) return;
    if (this.n === this.head.n || !this.o.pacer.ready(this.o.keys.head)) return;
    // Serialized synchronously: the state is exactly the state at slot n (the queue is empty).
    const text = JSON.stringify(this.state.contents());
    const n = this.n;
    const chunks = split(text, this.o.maxValueChars);
    const parts = chunks.length;
    try {
      await Promise.all(chunks.map((chunk, i) => this.o.kv.put(this.o.keys.snapshotPart(n, i), chunk)));
      await this.o.pacer.before(this.o.keys.head);
      await this.o.kv.put(this.o.keys.head, JSON.stringify({ n, parts }));
    } catch {
      return; // The log is still complete; the next idle moment tries again.
    }
    const old = this.head;
    const keys = Array.from({ length: n - old.n }, (_, i) => this.o.keys.slot(old.n + 1 + i));
    for (let i = 0; i < old.parts; i++) keys.push(this.o.keys.snapshotPart(old.n, i));
    // A reader may still hold the old head for up to the staleness window.
    this.garbage.push({ dueAt: this.o.clock.now() + 2 * KV_STALENESS_MS, keys });
    this.head = { n, parts };
    this.snapshotRequested = false;
  }

  private collectGarbage(): void {
    const now = this.o.clock.now();
    while (this.garbage.length && this.garbage[0]!.dueAt <= now) {
      // Best effort: leftovers are never read again (recovery starts at the head).
      for (const key of this.garbage.shift()!.keys) void this.o.kv.delete(key).catch(() => undefined);
    }
  }
}

/** Cuts text into pieces of at most `size`, never between the halves of a surrogate pair. */
function split(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length || chunks.length === 0; ) {
    let end = Math.min(text.length, i + size);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--;
    chunks.push(text.slice(i, end));
    i = end;
  }
  return chunks;
}
