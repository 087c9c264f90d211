/**
 * Damaged or foreign data, quota errors and aborted transactions surface as typed errors,
 * and an operation that fails half-way leaves nothing written.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { event } from '../../core/history.js';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import type { EpisodeCommit, InstanceRecord, TaskHubStore } from '../../core/store/port.js';
import { iso, pendingInstance, rawOpen, T0 } from './fixtures.js';

let seq = 0;

const newInstance = (instanceId: string) => pendingInstance(instanceId, 'F');

function episode(record: InstanceRecord, patch: Partial<EpisodeCommit> = {}): EpisodeCommit {
  const { version: _v, ...row } = record;
  return {
    instanceId: record.instanceId,
    expectedVersion: record.version,
    instance: { ...row, runtimeStatus: 'Running' },
    history: { append: [event('OrchestratorStarted', iso(T0), {}), event('TaskScheduled', iso(T0), { name: 'A' }, 0)] },
    consumedMessageIds: [`start-${record.instanceId}`],
    messages: [],
    activities: [{ id: `act-${record.instanceId}`, instanceId: record.instanceId, executionId: 'e1', taskScheduledId: 0, name: 'A', enqueuedTime: iso(T0) }],
    newInstances: [],
    ...patch,
  };
}

async function rawPut(factory: IDBFactory, name: string, store: string, value: unknown): Promise<void> {
  const db = await rawOpen(factory, name);
  const tx = db.transaction(store, 'readwrite');
  tx.objectStore(store).put(value);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

async function rawGet(factory: IDBFactory, name: string, store: string, key: IDBValidKey): Promise<unknown> {
  const db = await rawOpen(factory, name);
  const request = db.transaction(store).objectStore(store).get(key);
  const value = await new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  return value;
}

async function fresh() {
  const factory = new IDBFactory();
  const name = `failures-${++seq}`;
  const storage = await IndexedDbStorage.open(name, { indexedDB: factory });
  return { factory, name, storage, hub: storage.taskHub('Hub') };
}

/** Everything about an instance that an episode could change. */
async function snapshot(hub: TaskHubStore, instanceId: string) {
  return {
    instance: await hub.getInstance(instanceId),
    history: await hub.getHistory(instanceId),
    wake: await hub.nextWakeTime(),
  };
}

// Fault injection: the n-th put from now on fails the way the browser fails it.
const originalPut = IDBObjectStore.prototype.put;
afterEach(() => {
  IDBObjectStore.prototype.put = originalPut;
});
function failPut(n: number, how: 'quota' | 'abort'): void {
  let calls = 0;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    if (++calls !== n) return originalPut.apply(this, args);
    IDBObjectStore.prototype.put = originalPut;
    this.transaction.abort();
    if (how === 'quota') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return originalPut.apply(this, args);
  } as IDBObjectStore['put'];
}

describe('IndexedDB failures', () => {
  it('rolls back a whole episode when the quota runs out half-way through it', async () => {
    const { hub } = await fresh();
    const created = await hub.createInstance(newInstance('q1'));
    const item = (await hub.leaseOrchestration(T0, 60_000))!;
    const before = await snapshot(hub, 'q1');
    // The episode's writes are sent when it is done: its row (with the new events and its activity), then its message to q2. Fail the 2nd.
    const sent = { id: 'to-q2', instanceId: 'q2', event: event('EventRaised', iso(T0), { name: 'x' }), visibleAt: iso(T0) };
    failPut(2, 'quota');
    const [outcome] = await hub.commit([episode(created, { lease: item.lease, messages: [sent] })]);
    expect(outcome).toMatchObject({ ok: false, error: { name: 'StorageQuotaExceededError', code: 'StorageQuotaExceeded' } });
    expect(await snapshot(hub, 'q1')).toEqual(before);
    expect(await hub.leaseActivity(T0, 1000)).toBeUndefined();
    expect(await hub.leaseOrchestration(T0, 1000)).toBeUndefined();
    // The lease and message are intact: the same episode commits once space is back.
    expect(await hub.commit([episode(created, { lease: item.lease, messages: [sent] })])).toEqual([{ ok: true, version: 2 }]);
    expect((await hub.getHistory('q1')).map((e) => e.type)).toEqual(['OrchestratorStarted', 'TaskScheduled']);
  });

  it('rolls back when the browser aborts the transaction, and says so with a typed error', async () => {
    const { hub } = await fresh();
    await hub.createInstance(newInstance('ab'));
    await hub.createInstance(newInstance('cd'));
    const before = await snapshot(hub, 'ab');
    // Two inboxes, so two puts: the browser aborts at the second, after the first was sent.
    failPut(2, 'abort');
    await expect(
      hub.enqueueMessages([
        { id: 'm1', instanceId: 'ab', event: event('EventRaised', iso(T0), { name: 'x' }), visibleAt: iso(T0) },
        { id: 'm2', instanceId: 'cd', event: event('EventRaised', iso(T0), { name: 'y' }), visibleAt: iso(T0) },
      ]),
    ).rejects.toMatchObject({ name: 'StorageCorruptedError', message: expect.stringMatching(/(AbortError|TransactionInactiveError).*rolled back/) });
    expect(await snapshot(hub, 'ab')).toEqual(before);
    const leased = await hub.leaseOrchestrations!(T0, 1000, 10);
    expect(leased.map((item) => item.messages.map((m) => m.id)).sort()).toEqual([['start-ab'], ['start-cd']]);
  });

  it('keeps group-committed episodes independent: a failing one does not sink the others', async () => {
    const { storage, hub: creator, factory, name } = await fresh();
    const records = await Promise.all(['g1', 'g2', 'g3'].map((id) => creator.createInstance(newInstance(id))));
    // g2's status row is damaged after it was read, by something that does not replace the write
    // stamp: a connection of ours would trust the row it wrote, so a new one commits (see connection.ts).
    await storage.close();
    await rawPut(factory, name, 'instances', { hub: 'Hub', instanceId: 'g2', name: 'F' });
    const hub = (await IndexedDbStorage.open(name, { indexedDB: factory })).taskHub('Hub');
    const outcomes = await hub.commit(records.map((r) => episode(r)));
    expect(outcomes[0]).toEqual({ ok: true, version: 2 });
    expect(outcomes[1]).toMatchObject({
      ok: false,
      error: { name: 'StorageCorruptedError', message: expect.stringMatching(/store 'instances'.*'executionId'/) },
    });
    expect(outcomes[2]).toEqual({ ok: true, version: 2 });
    // Its row is as the damage left it: the episode wrote nothing.
    expect(await rawGet(factory, name, 'instances', ['Hub', 'g2'])).toEqual({ hub: 'Hub', instanceId: 'g2', name: 'F' });
    await expect(hub.getHistory('g2')).rejects.toMatchObject({ name: 'StorageCorruptedError' });
    expect((await hub.getHistory('g3')).map((e) => e.type)).toEqual(['OrchestratorStarted', 'TaskScheduled']);
  });

  it('reports damaged records as StorageCorruptedError wherever they are read', async () => {
    const { hub, factory, name } = await fresh();
    await hub.createInstance(newInstance('ok'));
    await rawPut(factory, name, 'instances', {
      hub: 'Hub',
      instanceId: 'bad',
      name: 'F',
      executionId: 'e',
      runtimeStatus: 'Sleeping',
      createdTime: iso(T0),
      lastUpdatedTime: iso(T0),
      version: 1,
      historyLength: 0,
    });
    await expect(hub.getInstance('bad')).rejects.toMatchObject({ name: 'StorageCorruptedError', message: expect.stringMatching(/runtimeStatus/) });
    await expect(hub.queryInstances({ instanceIdPrefix: 'b' })).rejects.toMatchObject({ name: 'StorageCorruptedError' });
    expect((await hub.getInstance('ok'))?.runtimeStatus).toBe('Pending');
    // A queue whose message lost its body, ready in the index.
    await rawPut(factory, name, 'instances', { hub: 'Hub', instanceId: 'queue', readyAt: 0, messages: [{ at: 0 }] });
    await expect(hub.leaseOrchestration(T0, 1000)).rejects.toMatchObject({
      name: 'StorageCorruptedError',
      message: expect.stringMatching(/store 'instances'.*'messages'/),
    });
    await rawPut(factory, name, 'history', { hub: 'Hub', instanceId: 'ok', seq: 0, events: ['not an event'] });
    await expect(hub.getHistory('ok')).rejects.toMatchObject({ name: 'StorageCorruptedError', message: expect.stringMatching(/store 'history'/) });
  });

  it('refuses a database with a foreign layout or a newer schema version', async () => {
    const factory = new IDBFactory();
    (await rawOpen(factory, 'foreign', 1, (db) => db.createObjectStore('todos', { keyPath: 'id' }))).close();
    await expect(IndexedDbStorage.open('foreign', { indexedDB: factory })).rejects.toMatchObject({
      name: 'StorageCorruptedError',
      message: expect.stringMatching(/foreign store 'todos'.*no store 'instances'|no store 'instances'.*foreign store 'todos'/),
    });
    // Refused before any change: it keeps its version and its stores.
    const foreign = await rawOpen(factory, 'foreign');
    expect([foreign.version, [...foreign.objectStoreNames]]).toEqual([1, ['todos']]);
    foreign.close();

    (await rawOpen(factory, 'newer', 7, (db) => db.createObjectStore('instances'))).close();
    await expect(IndexedDbStorage.open('newer', { indexedDB: factory })).rejects.toMatchObject({
      name: 'StorageCorruptedError',
      message: expect.stringMatching(/newer schema/),
    });

    const ours = await IndexedDbStorage.open('extended', { indexedDB: factory });
    await ours.close();
    (
      await rawOpen(factory, 'wrong-index', 1, (db) => {
        for (const store of ['instances', 'history', 'messages', 'inboxes', 'activities']) db.createObjectStore(store, { keyPath: ['hub', 'instanceId'] });
      })
    ).close();
    await expect(IndexedDbStorage.open('wrong-index', { indexedDB: factory })).rejects.toMatchObject({
      name: 'StorageCorruptedError',
      message: expect.stringMatching(/no index 'instances.byCreated'.*store 'history' keyed by \["hub","instanceId"\]/),
    });
    // A database of this schema opens again, with its data.
    const again = await IndexedDbStorage.open('extended', { indexedDB: factory });
    expect(await again.listTaskHubs()).toEqual([]);
  });

  it('fails with a typed error once closed', async () => {
    const { storage, hub } = await fresh();
    await storage.close();
    await expect(hub.getInstance('x')).rejects.toMatchObject({ name: 'StorageCorruptedError', message: expect.stringMatching(/InvalidStateError/) });
    await expect(hub.createInstance(newInstance('x'))).rejects.toMatchObject({ name: 'StorageCorruptedError' });
  });
});
