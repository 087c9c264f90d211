/**
 * One database connection: the write queue (group commit), read transactions, and change
 * notifications for this connection and, over BroadcastChannel, for other tabs and workers.
 *
 * Every write transaction replaces the write stamp (`meta`), and the connection remembers the
 * instance rows its transactions read and wrote (`known`). The next transaction takes rows from
 * there instead of reading them, and checks, last before it commits, that the stamp is still
 * the one the transaction before it wrote: if another connection wrote in between, it aborts
 * and runs again, reading every row. So in the usual case a step's commit reads nothing, and
 * its requests go out at once, while the transaction before it still commits, instead of
 * waiting for that commit to read the row it wrote.
 * @module
 */
import { type IDBPDatabase, type IDBPTransaction, unwrap } from 'idb';
import { uniqueId } from '../../ids.js';
import type { StoreNotification } from '../port.js';
import { ALL, type Name, noop, type Schema, STAMP, toStorageError } from './schema.js';
import { type Known, type Op, Unit } from './unit.js';

export type ReadTx = IDBPTransaction<Schema, Name[], 'readonly'>;

export interface ConnectionOptions {
  durability?: 'default' | 'strict' | 'relaxed';
  maxBatch?: number;
}

interface Queued {
  op: Op<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
interface Envelope {
  hub: string;
  notification: StoreNotification;
}
/** The stores point reads use. */
const POINT_READS: Name[] = ['history', 'instances'];
/** A transaction that took rows from `known` found another writer's stamp: it was aborted, and runs again. */
const STALE = new Error('Another connection wrote meanwhile.');
/** Most pumped transactions that read every row after one found another writer's stamp (doubling from 1 while it goes on). */
const MAX_DISTRUST = 64;

export class Connection {
  private readonly queue: Queued[] = [];
  private pumping: Promise<void> | undefined;
  /** Wakes the pump when it waits for a commit and a write comes in. */
  private arrived: (() => void) | undefined;
  private readonly listeners = new Map<string, Set<(n: StoreNotification) => void>>();
  private readonly channel: BroadcastChannel | undefined;
  private outgoing: Envelope[] = [];
  /**
   * Instance rows as they are once every transaction the pump has sent commits, and the stamp
   * the last of them writes. Only the pump's transactions use it: each starts once the one
   * before it has sent every request and published what it read and wrote.
   */
  private known: { rows: Known; stamp: string } | undefined;
  /** Bumped whenever `known` is dropped: a transaction that began before publishes nothing. */
  private generation = 0;
  /**
   * While another connection writes too, trusting `known` would abort many transactions: after
   * one is found stale, the next `distrust` pumped ones read every row instead, and the trial
   * after them waits twice as long if it is stale again.
   */
  private distrust = 0;
  private backoff = 0;
  /** The readonly transaction that point reads issued now share (see `get`). */
  private reading: IDBTransaction | undefined;

  constructor(
    readonly db: IDBPDatabase<Schema>,
    private readonly options: ConnectionOptions,
  ) {
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
        await Promise.race([
          ...committing,
          new Promise<void>((resolve) => {
            this.arrived = resolve;
          }),
        ]);
        this.arrived = undefined;
        continue;
      }
      const batch = this.queue.splice(0, this.options.maxBatch ?? 128);
      let sent!: () => void;
      const issued = new Promise<void>((resolve) => {
        sent = resolve;
      });
      const done: Promise<void> = this.commit(batch, sent).finally(() => committing.delete(done));
      committing.add(done);
      await Promise.race([issued, done]);
    }
    this.pumping = undefined;
  }

  private async commit(batch: Queued[], sent: () => void): Promise<void> {
    const size = batch.reduce((rows, { op }) => rows + (op.weight ?? 0), 0);
    const all = async (unit: Unit) => {
      for (const { op } of batch) op.warm?.(unit);
      // Leases run first: requests run in the order sent, so a lease's scan of a queue sent after
      // the others' writes would wait for the database to take them all. Operations that share a
      // transaction were issued concurrently: any order is one they could have run in.
      const out: unknown[] = new Array(batch.length);
      for (const leasing of [true, false]) {
        for (const [i, { op }] of batch.entries()) if ((op.weight ?? 0) > 0 === leasing) out[i] = await op.run(unit);
      }
      return out;
    };
    try {
      // Another connection wrote meanwhile: the same operations again, on rows read afresh.
      const results = await this.transact(size, all, sent, true).catch((error: unknown) => {
        if (error !== STALE) throw error;
        return this.transact(size, all);
      });
      for (const [i, { resolve }] of batch.entries()) resolve(results[i]);
    } catch (error) {
      sent();
      if (batch.length === 1) batch[0]!.reject(error);
      // The shared transaction rolled back whole: replay each operation alone, so only the culprit fails.
      else
        for (const { op, resolve, reject } of batch)
          await this.transact(op.weight ?? 0, (unit) => {
            op.warm?.(unit);
            return op.run(unit);
          }).then(resolve, reject);
    }
  }

  /**
   * One readwrite transaction; on any failure it is aborted, so nothing of it is written. `sent`: every request is out.
   * `pumped`: one of the pump's, which may take rows from `known`, and then fails with STALE if another writer came first.
   */
  private async transact<T>(size: number, body: (unit: Unit) => Promise<T>, sent = noop, pumped = false): Promise<T> {
    let tx: IDBTransaction | undefined;
    const trusting = pumped && this.distrust === 0;
    if (pumped && !trusting) this.distrust--;
    const known = trusting ? this.known : undefined;
    // One outside the pump's sequence writes a stamp that the pump's next transaction does not expect: start afresh.
    if (!pumped) this.forget();
    const generation = this.generation;
    let stale = false;
    try {
      // The plain transaction: idb's wrapper costs the page a proxy and listeners per transaction, and nothing here uses them.
      const opened = (tx = unwrap(this.db).transaction(ALL, 'readwrite', { durability: this.options.durability ?? 'default' }));
      const done = new Promise<void>((resolve, reject) => {
        opened.oncomplete = () => resolve();
        opened.onerror = opened.onabort = () => reject(opened.error ?? new DOMException('The transaction was aborted.', 'AbortError'));
      });
      done.catch(noop);
      const unit = new Unit(tx, size, known?.rows);
      const result = await body(unit);
      unit.flush();
      const meta = unit.raw('meta');
      if (known) {
        // Requests run in order: this reads the stamp as the transactions before this one left it.
        const check = meta.get(STAMP) as IDBRequest<string | undefined>;
        check.onsuccess = () => {
          if (check.result !== known.stamp) {
            stale = true;
            opened.abort();
          }
        };
      }
      const stamp = uniqueId();
      meta.put(stamp, STAMP);
      if (pumped && generation === this.generation) this.known = { rows: unit.publish(known?.rows ?? new Map()), stamp };
      sent();
      await done;
      if (known) this.backoff = 0;
      return result;
    } catch (error) {
      // What it published did not happen: the pump's transactions after it fail their check, and the next starts afresh.
      if (pumped) this.forget();
      try {
        tx?.abort();
      } catch {
        /* already finished */
      }
      if (!stale) throw toStorageError(error);
      this.distrust = this.backoff = Math.min(MAX_DISTRUST, this.backoff * 2 || 1);
      throw STALE;
    }
  }

  private forget(): void {
    this.known = undefined;
    this.generation++;
  }

  /**
   * A point read (an instance, its history) on a plain readonly transaction, without idb's
   * wrappers. Reads issued together (a worker starting the episodes a lease call brought) share
   * one: a transaction costs the page and the browser more than a read in it.
   */
  async get<T>(body: (tx: IDBTransaction) => Promise<T>): Promise<T> {
    try {
      if (!this.reading) {
        this.reading = unwrap(this.db).transaction(POINT_READS, 'readonly');
        // Still active for whatever runs before this microtask, in the task that created it.
        queueMicrotask(() => {
          this.reading = undefined;
        });
      }
      return await body(this.reading);
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
        try {
          this.channel?.postMessage(batch);
        } catch {
          /* closed meanwhile: nobody left to tell */
        }
      });
    }
  }

  private deliver(hub: string, notification: StoreNotification): void {
    for (const listener of this.listeners.get(hub) ?? []) listener(notification);
  }

  listen(hub: string, listener: (n: StoreNotification) => void): () => void {
    const set = this.listeners.get(hub) ?? new Set();
    this.listeners.set(hub, set.add(listener));
    return () => {
      set.delete(listener);
    };
  }

  async close(): Promise<void> {
    await this.pumping;
    this.channel?.close();
    this.db.close();
  }
}
