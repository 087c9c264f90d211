/**
 * One write transaction as seen by the operations that share it (group commit): a
 * write-through cache over it, so that operations run one after another, each seeing the
 * writes of those before it, while their reads were all sent in one round trip beforehand.
 *
 * In Chromium every awaited request is a round trip to the browser process; awaiting the
 * reads of fifty operations one by one costs more than the commit. So each operation first
 * `warm`s the rows it will read (sent together, not awaited), then runs against the cache:
 * - a read is served from the cache, or sent and cached;
 * - a write is sent at once (not awaited: a failure aborts the transaction) and cached;
 * - requests run in the order sent, so a read sent after a write sees it, and the cache
 *   applies writes to reads still in flight.
 * Leasing reads the ready rows once per transaction and hands them out to its lease operations.
 * @module
 */
import { unwrap, type IDBPTransaction } from 'idb';
import type { NewInstance, OrchestrationMessage } from '../../../core/store/port.js';
import {
  checked, keyOf, maybe, quiet, readyBy, timeOf, within,
  type InboxRow, type InstanceRow, type Key, type MessageRow, type Name, type Row, type Schema,
} from './schema.js';

export type WriteTx = IDBPTransaction<Schema, Name[], 'readwrite'>;
type Cached = 'instances' | 'inboxes' | 'activities';
type Queue = 'inboxes' | 'activities';

/** An operation in a shared write transaction: `warm` sends its reads, `run` decides and writes. */
export interface Op<T> {
  warm?(unit: Unit): void;
  run(unit: Unit): Promise<T>;
  /** How many queue rows it may lease (a batch lease): scans read enough rows for every operation. Default 1. */
  weight?: number;
}

const cacheKey = (store: Name, key: IDBValidKey) => `${store}:${JSON.stringify(key)}`;
/** A read of a queue's ready rows: as of `now` and of the queue's write `stamp`; `complete` once it found fewer than it asked for. */
interface Scan { rows: Promise<unknown[]>; now: number; stamp: number; complete?: boolean }

export class Unit {
  private readonly rows = new Map<string, Promise<unknown>>();
  private readonly inboxes = new Map<string, Promise<ReadonlyMap<string, MessageRow>>>();
  private readonly scans = new Map<string, Scan>();
  /** Writes per queue store that may have made a row ready, to tell whether a scan still shows every ready row. */
  private readonly stamps: Record<Queue, number> = { inboxes: 0, activities: 0 };
  /** The latest `now` any scan of the queue store was taken at. */
  private readonly scannedUpTo: Record<Queue, number> = { inboxes: -Infinity, activities: -Infinity };
  private readonly plain = new Map<Name, IDBObjectStore>();

  /** `size`: how many rows the operations sharing the transaction may lease (see `Op.weight`); scans read enough for all of them. */
  constructor(readonly tx: WriteTx, private readonly size: number) {}

  get<N extends Cached>(store: N, key: Key<N>): Promise<Row<N> | undefined> {
    const id = cacheKey(store, key);
    let hit = this.rows.get(id);
    if (!hit) this.rows.set(id, hit = quiet(this.tx.objectStore(store).get(key as never).then((value) => maybe(store, value))));
    return hit as Promise<Row<N> | undefined>;
  }

  put<N extends Cached>(store: N, row: Row<N>): void {
    this.rows.set(cacheKey(store, keyOf(store, row)), Promise.resolve(row));
    this.write(store).put(row);
    // A row ready later than every scan's `now` (a lease just taken) cannot be missing from them.
    if (store !== 'instances' && !((row as Row<Queue>).readyAt > this.scannedUpTo[store as Queue])) this.stamps[store as Queue]++;
  }

  /** A deleted row cannot be missing from a scan: scans check every row they return against the cache. */
  delete<N extends Cached>(store: N, key: Key<N>): void {
    this.rows.set(cacheKey(store, key), Promise.resolve(undefined));
    this.write(store).delete(key);
  }

  /**
   * Writes go to the plain IDBObjectStore: nothing awaits them, so idb's promise per request
   * would be pure cost, and a failed request aborts the transaction, which `tx.done` reports.
   */
  write(store: Name): IDBObjectStore {
    let plain = this.plain.get(store);
    if (!plain) this.plain.set(store, plain = unwrap(this.tx).objectStore(store));
    return plain;
  }

  /** An instance's pending messages by id. */
  messages(hub: string, instanceId: string): Promise<ReadonlyMap<string, MessageRow>> {
    const id = JSON.stringify([hub, instanceId]);
    let hit = this.inboxes.get(id);
    if (!hit) {
      hit = quiet(this.tx.objectStore('messages').getAll(within(hub, instanceId))
        .then((rows) => new Map(rows.map((row) => [row.id, checked('messages', row)]))));
      this.inboxes.set(id, hit);
    }
    return hit;
  }

  putMessage(row: MessageRow): void {
    this.write('messages').put(row);
    this.change(row.hub, row.instanceId, (messages) => messages.set(row.id, row));
  }

  deleteMessage(hub: string, instanceId: string, id: string): void {
    this.write('messages').delete([hub, instanceId, id]);
    this.change(hub, instanceId, (messages) => messages.delete(id));
  }

  private change(hub: string, instanceId: string, apply: (messages: Map<string, MessageRow>) => void): void {
    const id = JSON.stringify([hub, instanceId]);
    const hit = this.inboxes.get(id);
    if (hit) this.inboxes.set(id, quiet(hit.then((messages) => { const next = new Map(messages); apply(next); return next; })));
  }

  /** Deletes an instance with its history, messages and activities. */
  drop(hub: string, instanceId: string): void {
    this.delete('instances', [hub, instanceId]);
    this.delete('inboxes', [hub, instanceId]);
    for (const store of ['history', 'messages', 'activities'] as const) this.write(store).delete(within(hub, instanceId));
    this.inboxes.set(JSON.stringify([hub, instanceId]), Promise.resolve(new Map()));
    const owned = `${cacheKey('activities', [hub, instanceId]).slice(0, -1)},`;
    for (const id of this.rows.keys()) if (id.startsWith(owned)) this.rows.set(id, Promise.resolve(undefined));
    this.stamps.activities++;
  }

  /** Deletes a whole task hub; the cache is dropped, so later reads go to the database. */
  dropHub(hub: string): void {
    for (const store of ['instances', 'history', 'messages', 'inboxes', 'activities'] as const) this.write(store).delete(within(hub));
    this.rows.clear();
    this.inboxes.clear();
    this.scans.clear();
    this.stamps.inboxes++;
    this.stamps.activities++;
  }

  /**
   * Rows of a queue ready by `now` (readyAt <= now), oldest first: read once per transaction
   * and shared by its lease operations, which check each against the cache. `rescan` reads again.
   */
  async ready<N extends Queue>(store: N, hub: string, now: number, rescan = false): Promise<Row<N>[]> {
    const id = `${store}:${hub}`;
    let scan = this.scans.get(id);
    if (!scan || rescan) {
      const limit = this.size + 8;
      const entry: Scan = { rows: Promise.resolve([]), now, stamp: this.stamps[store] };
      this.scannedUpTo[store] = Math.max(this.scannedUpTo[store], now);
      entry.rows = quiet(this.tx.objectStore(store).index('byReadyAt').getAll(readyBy(hub, now), limit).then((found) => {
        entry.complete = found.length < limit;
        return found.map((value) => {
          const row = checked(store, value);
          const key = cacheKey(store, keyOf(store, row));
          if (!this.rows.has(key)) this.rows.set(key, Promise.resolve(row));
          // Their messages are read now too: one round trip for every candidate.
          if (store === 'inboxes') void this.messages(hub, row.instanceId);
          return row;
        });
      }));
      this.scans.set(id, scan = entry);
    }
    return scan.rows as Promise<Row<N>[]>;
  }

  /** Whether the last scan of the queue showed every row ready by `now` as it is now. */
  exhaustive(store: Queue, hub: string, now: number): boolean {
    const scan = this.scans.get(`${store}:${hub}`);
    return scan?.complete === true && scan.stamp === this.stamps[store] && scan.now >= now;
  }
}

// ---------------------------------------------------------------------------------------------
// Writes shared by the operations.

const readyAt = (inbox: InboxRow) => Math.max(inbox.pendingAt, inbox.lock?.expiresAt ?? -Infinity);

export function warmInboxes(unit: Unit, hub: string, messages: readonly OrchestrationMessage[]): void {
  for (const { instanceId } of messages) void unit.get('inboxes', [hub, instanceId]);
}

export async function enqueue(unit: Unit, hub: string, messages: readonly OrchestrationMessage[]): Promise<void> {
  const byInstance = new Map<string, OrchestrationMessage[]>();
  for (const m of messages) byInstance.set(m.instanceId, [...byInstance.get(m.instanceId) ?? [], m]);
  for (const [instanceId, list] of byInstance) {
    const found = await unit.get('inboxes', [hub, instanceId]);
    const inbox: InboxRow = found ? { ...found } : { hub, instanceId, pendingAt: Infinity, readyAt: Infinity, nextSeq: 0 };
    for (const message of list) {
      const at = timeOf('visibleAt', message.visibleAt);
      unit.putMessage({ hub, instanceId, id: message.id, seq: inbox.nextSeq++, at, message });
      inbox.pendingAt = Math.min(inbox.pendingAt, at);
    }
    inbox.readyAt = readyAt(inbox);
    unit.put('inboxes', inbox);
  }
}

/** Recomputes an inbox after messages left it, releasing the lease `token` holds; an empty inbox goes. */
export async function settle(unit: Unit, hub: string, instanceId: string, token?: string): Promise<void> {
  const found = await unit.get('inboxes', [hub, instanceId]);
  const pending = [...(await unit.messages(hub, instanceId)).values()];
  if (pending.length === 0) { if (found) unit.delete('inboxes', [hub, instanceId]); return; }
  const inbox: InboxRow = found ? { ...found } : { hub, instanceId, pendingAt: Infinity, readyAt: Infinity, nextSeq: Math.max(...pending.map((m) => m.seq)) + 1 };
  if (token !== undefined && inbox.lock?.token === token) delete inbox.lock;
  inbox.pendingAt = Math.min(...pending.map((m) => m.at));
  inbox.readyAt = readyAt(inbox);
  unit.put('inboxes', inbox);
}

/** Leases the oldest ready inbox with visible messages, repairing rows whose messages are gone. */
export async function leaseInbox(unit: Unit, hub: string, now: number, lockMs: number, token: string) {
  for (let rescan = false; ; rescan = true) {
    for (const candidate of await unit.ready('inboxes', hub, now, rescan)) {
      const inbox = await unit.get('inboxes', [hub, candidate.instanceId]);
      // Leased or emptied since the scan, by an operation before this one.
      if (!inbox || inbox.readyAt > now) continue;
      const pending = [...(await unit.messages(hub, inbox.instanceId)).values()];
      if (pending.length === 0) { unit.delete('inboxes', [hub, inbox.instanceId]); continue; }
      // Ordered by when each became due, then by arrival: an event raised before a timer fired comes first.
      const visible = pending.filter((m) => m.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
      // readyAt <= now: any lock on it has lapsed.
      const { lock: _lapsed, ...rest } = inbox;
      const next: InboxRow = { ...rest, pendingAt: Math.min(...pending.map((m) => m.at)) };
      if (visible.length > 0) next.lock = { token, expiresAt: now + lockMs };
      next.readyAt = readyAt(next);
      unit.put('inboxes', next);
      if (next.lock) return { instanceId: next.instanceId, messages: visible.map((m) => m.message), lease: { ...next.lock } };
    }
    if (unit.exhaustive('inboxes', hub, now)) return undefined;
  }
}

/** Leases the oldest ready activity. */
export async function leaseActivityRow(unit: Unit, hub: string, now: number, lockMs: number, token: string) {
  for (let rescan = false; ; rescan = true) {
    for (const candidate of await unit.ready('activities', hub, now, rescan)) {
      const row = await unit.get('activities', [hub, candidate.instanceId, candidate.id]);
      // Leased or completed since the scan, by an operation before this one.
      if (!row || row.readyAt > now) continue;
      const lock = { token, expiresAt: now + lockMs };
      unit.put('activities', { ...row, lock, readyAt: lock.expiresAt, deliveries: row.deliveries + 1 });
      return { item: row.item, lease: { ...lock }, deliveryCount: row.deliveries + 1 };
    }
    if (unit.exhaustive('activities', hub, now)) return undefined;
  }
}

/** Up to `max` leases in one operation: `lease` until it finds nothing. */
export async function leaseSeveral<T>(max: number, lease: () => Promise<T | undefined>): Promise<T[]> {
  const leased: T[] = [];
  for (let item; leased.length < max && (item = await lease()) !== undefined;) leased.push(item);
  return leased;
}

export async function install(unit: Unit, hub: string, { record, start }: NewInstance): Promise<InstanceRow> {
  unit.drop(hub, record.instanceId);
  const row: InstanceRow = { ...record, hub, version: 1, historyLength: 0 };
  unit.put('instances', row);
  await enqueue(unit, hub, [start]);
  return row;
}
