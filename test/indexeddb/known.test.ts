/**
 * What a connection knows of instance rows from its own transactions (see
 * core/store/indexeddb/connection.ts): a step's commit reads no row the connection wrote, a
 * write by another connection makes it read afresh instead of committing on stale rows, and a
 * sequence's next activity waits in its instance's row instead of a row of its own.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { event } from '../../core/history.js';
import { INLINE_QUEUED } from '../../core/store/indexeddb/queue.js';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import type { ActivityWorkItem, EpisodeCommit, InstanceRecord, OrchestrationWorkItem } from '../../core/store/port.js';
import { iso, pendingInstance, T0 } from './fixtures.js';

let n = 0;

const newInstance = (instanceId: string) => pendingInstance(instanceId, 'K');
const activity = (instanceId: string, id: number): ActivityWorkItem => ({
  id: `act-${instanceId}-${id}`,
  instanceId,
  executionId: 'e1',
  taskScheduledId: id,
  name: 'A',
  enqueuedTime: iso(T0),
});

function episode(record: InstanceRecord, item: OrchestrationWorkItem, patch: Partial<EpisodeCommit> = {}): EpisodeCommit {
  const { version: _v, ...row } = record;
  return {
    instanceId: record.instanceId,
    expectedVersion: record.version,
    lease: item.lease,
    instance: { ...row, runtimeStatus: 'Running' },
    history: { append: [event('OrchestratorStarted', iso(T0), {}), ...item.messages.map((m) => m.event)] },
    consumedMessageIds: item.messages.map((m) => m.id),
    messages: [],
    activities: [],
    newInstances: [],
    ...patch,
  };
}

/** Counts requests per store ('get:instances', 'put:activities', ...) and readwrite transactions while `body` runs. */
const originals = { get: IDBObjectStore.prototype.get, put: IDBObjectStore.prototype.put, transaction: IDBDatabase.prototype.transaction };
afterEach(() => {
  Object.assign(IDBObjectStore.prototype, { get: originals.get, put: originals.put });
  IDBDatabase.prototype.transaction = originals.transaction;
});
async function counting(body: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count = (what: string) => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  for (const method of ['get', 'put'] as const) {
    const original = originals[method] as (...args: unknown[]) => IDBRequest;
    (IDBObjectStore.prototype as unknown as Record<string, unknown>)[method] = function (this: IDBObjectStore, ...args: unknown[]) {
      count(`${method}:${this.name}`);
      return original.apply(this, args);
    };
  }
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] === 'readwrite') count('write transactions');
    return originals.transaction.apply(this, args);
  } as IDBDatabase['transaction'];
  try {
    await body();
  } finally {
    Object.assign(IDBObjectStore.prototype, { get: originals.get, put: originals.put });
    IDBDatabase.prototype.transaction = originals.transaction;
  }
  return counts;
}

describe('IndexedDB adapter: known rows', () => {
  it('commits a step without reading the rows its connection wrote', async () => {
    const hub = (await IndexedDbStorage.open(`known-${++n}`, { indexedDB: new IDBFactory() })).taskHub('Known');
    const created = await hub.createInstance(newInstance('k1'));
    const item = (await hub.leaseOrchestration(T0, 60_000))!;
    const counts = await counting(async () => {
      const [outcome] = await hub.commit([
        { ...episode(created, item, { activities: [activity('k1', 0)] }), leaseActivities: { now: T0, lockMs: 60_000, max: 1 } },
      ]);
      expect(outcome).toMatchObject({ ok: true, version: 2, leasedActivities: [{ item: { id: 'act-k1-0' } }] });
    });
    // One transaction: the row and the write stamp written, the stamp read to check that nobody else wrote.
    expect(counts).toEqual({ 'write transactions': 1, 'put:instances': 1, 'get:meta': 1, 'put:meta': 1 });
    expect((await hub.getHistory('k1')).map((e) => e.type)).toEqual(['OrchestratorStarted', 'ExecutionStarted']);
  });

  it('reads afresh when another connection wrote meanwhile, and refuses what that write forbids', async () => {
    const factory = new IDBFactory();
    const name = `known-${++n}`;
    const [a, b] = [
      (await IndexedDbStorage.open(name, { indexedDB: factory })).taskHub('Known'),
      (await IndexedDbStorage.open(name, { indexedDB: factory })).taskHub('Known'),
    ];
    const created = await a.createInstance(newInstance('k2'));
    const lapsed = (await a.leaseOrchestration(T0, 1000))!;
    // The other connection takes the lapsed lease over: the row `a` knows is no longer the database's.
    const current = (await b.leaseOrchestration(T0 + 5000, 1000))!;
    expect(current.messages.map((m) => m.id)).toEqual(['start-k2']);
    let outcome: unknown;
    const counts = await counting(async () => {
      [outcome] = await a.commit([episode(created, lapsed)]);
    });
    expect(outcome).toMatchObject({ ok: false, error: { name: 'VersionConflictError', message: expect.stringMatching(/leased by another worker/) } });
    // The check failed, so the same commit ran again on the row as read from the database.
    expect(counts).toMatchObject({ 'write transactions': 2, 'get:instances': 1 });
    expect(await b.commit([episode(created, current)])).toEqual([{ ok: true, version: 2 }]);
    // `a` knows the row again once it has read it: its own next write checks and commits.
    await a.enqueueMessages([{ id: 'later', instanceId: 'k2', event: event('EventRaised', iso(T0), { name: 'x' }), visibleAt: iso(T0) }]);
    expect((await a.leaseOrchestration(T0 + 10_000, 1000))?.messages.map((m) => m.id)).toEqual(['later']);
  });

  it("keeps a sequence's next activity in its instance's row, and a fan-out's other activities in rows of their own", async () => {
    const hub = (await IndexedDbStorage.open(`known-${++n}`, { indexedDB: new IDBFactory() })).taskHub('Known');
    const seqRecord = await hub.createInstance(newInstance('seq'));
    const fanRecord = await hub.createInstance(newInstance('fan'));
    const items = await hub.leaseOrchestrations!(T0, 60_000, 2);
    const itemOf = (id: string) => items.find((w) => w.instanceId === id)!;
    const fanOut = Array.from({ length: INLINE_QUEUED + 2 }, (_, i) => activity('fan', i));
    const counts = await counting(() =>
      hub.commit([episode(seqRecord, itemOf('seq'), { activities: [activity('seq', 0)] }), episode(fanRecord, itemOf('fan'), { activities: fanOut })]),
    );
    expect(counts['put:activities']).toBe(2);
    // Every one of them is leased and completed as usual.
    const leased = await hub.leaseActivities!(T0, 60_000, 100);
    expect(leased.map((l) => l.item.id).sort()).toEqual([...fanOut, activity('seq', 0)].map((a) => a.id).sort());
    const done = await hub.completeActivities(
      leased.map((l) => ({
        leased: l,
        result: {
          id: `r-${l.item.id}`,
          instanceId: l.item.instanceId,
          executionId: 'e1',
          event: event('TaskCompleted', iso(T0), { taskScheduledId: l.item.taskScheduledId, result: '1' }),
          visibleAt: iso(T0),
        },
      })),
    );
    expect(done.every((d) => d.applied)).toBe(true);
    expect(await hub.leaseActivity(T0 + 120_000, 1000)).toBeUndefined();
    const next = await hub.leaseOrchestrations!(T0, 60_000, 2);
    expect(Object.fromEntries(next.map((w) => [w.instanceId, w.messages.length]))).toEqual({ seq: 1, fan: INLINE_QUEUED + 2 });
  });
});
