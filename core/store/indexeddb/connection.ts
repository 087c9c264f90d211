/**
 * One database connection: the write queue (group commit), read transactions, and change
 * notifications for this connection and, over BroadcastChannel, for other tabs and workers.
 * @module
 */
import { unwrap, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { StoreNotification } from '../port.js';
import { ALL, noop, toStorageError, type Name, type Schema } from './schema.js';
import { Unit, type Op, type WriteTx } from './unit.js';

export type ReadTx = IDBPTransaction<Schema, Name[], 'readonly'>;

export interface ConnectionOptions {
  durability?: 'default' | 'strict' | 'relaxed';
  maxBatch?: number;
}

interface Queued { op: Op<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }
interface Envelope { hub: string; notification: StoreNotification }

export class Connection {
  private readonly queue: Queued[] = [];
  private pumping: Promise<void> | undefined;
  /** Wakes the pump when it waits for a commit and a write comes in. */
  private arrived: (() => void) | undefined;
  private readonly listeners = new Map<string, Set<(n: StoreNotification) => void>>();
  private readonly channel: BroadcastChannel | undefined;
  private outgoing: Envelope[] = [];

  constructor(readonly db: IDBPDatabase<Schema>, private readonly options: ConnectionOptions) {
    if (typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(`edge-durable:${db.name}`);
      this.channel.onmessage = ({ data }: MessageEvent<Envelope[]>) => {
        if (Array.isArray(data)) for (const e of data) if (typeof e?.hub === 'string') this.deliver(e.hub, e.notification);
      };
      // Node keeps a process alive for an open channel; a store must not.
      (this.channel as { unref?: () => void }).unref?.();
    }
  }

  /**
   * Queues a write. Whatever is queued when a transaction starts shares it, so a busy
   * connection commits in ever larger groups. Two transactions may be in flight: the next
   * one's requests go out while the previous one commits, and the database runs them after it.
   */
  write<T>(op: Op<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      this.arrived?.();
      // A microtask later, so that operations issued together (commit of many episodes) share the transaction.
      this.pumping ??= Promise.resolve().then(() => this.pump());
    });
  }

  private async pump(): Promise<void> {
    const committing = new Set<Promise<void>>();
    while (this.queue.length > 0 || committing.size > 0) {
      if (this.queue.length === 0 || committing.size >= 2) {
        await Promise.race([...committing, new Promise<void>((resolve) => { this.arrived = resolve; })]);
        this.arrived = undefined;
        continue;
      }
      const batch = this.queue.splice(0, this.options.maxBatch ?? 128);
      let sent!: () => void;
      const issued = new Promise<void>((resolve) => { sent = resolve; });
      const done: Promise<void> = this.commit(batch, sent).finally(() => committing.delete(done));
      committing.add(done);
      await Promise.race([issued, done]);
    }
    this.pumping = undefined;
  }

  private async commit(batch: Queued[], sent: () => void): Promise<void> {
    try {
      const results = await this.transact(batch.reduce((rows, { op }) => rows + (op.weight ?? 1), 0), async (unit) => {
        for (const { op } of batch) op.warm?.(unit);
        const out: unknown[] = [];
        for (const { op } of batch) out.push(await op.run(unit));
        return out;
      }, sent);
      batch.forEach(({ resolve }, i) => resolve(results[i]));
    } catch (error) {
      sent();
      if (batch.length === 1) batch[0]!.reject(error);
      // The shared transaction rolled back whole: replay each operation alone, so only the culprit fails.
      else for (const { op, resolve, reject } of batch) await this.transact(op.weight ?? 1, (unit) => { op.warm?.(unit); return op.run(unit); }).then(resolve, reject);
    }
  }

  /** One readwrite transaction; on any failure it is aborted, so nothing of it is written. `sent`: every request is out. */
  private async transact<T>(size: number, body: (unit: Unit) => Promise<T>, sent = noop): Promise<T> {
    let tx: WriteTx | undefined;
    try {
      tx = this.db.transaction(ALL, 'readwrite', { durability: this.options.durability ?? 'default' });
      tx.done.catch(noop);
      const unit = new Unit(tx, size);
      const result = await body(unit);
      unit.flush();
      sent();
      await tx.done;
      return result;
    } catch (error) {
      try { tx?.abort(); } catch { /* already finished */ }
      throw toStorageError(error);
    }
  }

  /** A point read on a plain readonly transaction: the hot reads (an instance, its history) skip idb's wrappers. */
  async get<T>(stores: Name[], body: (tx: IDBTransaction) => Promise<T>): Promise<T> {
    try {
      return await body(unwrap(this.db).transaction(stores, 'readonly'));
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async read<T>(stores: Name[], body: (tx: ReadTx) => Promise<T>): Promise<T> {
    try {
      const tx = this.db.transaction(stores, 'readonly');
      tx.done.catch(noop);
      return await body(tx);
    } catch (error) {
      throw toStorageError(error);
    }
  }

  /** Delivered here at once; to other tabs and workers in one message for those sent together (each post is an IPC). */
  notify(hub: string, notification: StoreNotification): void {
    this.deliver(hub, notification);
    if (!this.channel) return;
    if (this.outgoing.push({ hub, notification }) === 1) {
      queueMicrotask(() => {
        const batch = this.outgoing;
        this.outgoing = [];
        try { this.channel?.postMessage(batch); } catch { /* closed meanwhile: nobody left to tell */ }
      });
    }
  }

  private deliver(hub: string, notification: StoreNotification): void {
    for (const listener of this.listeners.get(hub) ?? []) listener(notification);
  }

  listen(hub: string, listener: (n: StoreNotification) => void): () => void {
    const set = this.listeners.get(hub) ?? new Set();
    this.listeners.set(hub, set.add(listener));
    return () => { set.delete(listener); };
  }

  async close(): Promise<void> {
    await this.pumping;
    this.channel?.close();
    this.db.close();
  }
}
