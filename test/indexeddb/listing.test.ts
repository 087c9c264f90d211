import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { event, type RuntimeStatus } from '../../core/history.js';
import { IndexedDbStorage, type InstanceRow } from '../../core/store/indexeddb.js';
import { MemoryStorage } from '../../core/store/memory.js';
import type { InstanceQuery, TaskHubStore } from '../../core/store/port.js';
import { reads } from './count-reads.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Reads every page of a query. */
async function pages(hub: TaskHubStore, query: InstanceQuery): Promise<string[][]> {
  const out: string[][] = [];
  let token: string | undefined;
  do {
    const page = await hub.queryInstances({ ...query, continuationToken: token });
    out.push(page.instances.map((r) => r.instanceId));
    token = page.continuationToken;
  } while (token);
  return out;
}

describe('listing 100,000 instances reads O(page) records', () => {
  const N = 100_000;
  const HUB = 'Big';
  let hub: TaskHubStore;
  const id = (i: number) => `inst-${String(i).padStart(6, '0')}`;
  // Every tenth is Failed, every 1000th Running, the rest Completed; one a second.
  const status = (i: number): RuntimeStatus => (i % 1000 === 7 ? 'Running' : i % 10 === 3 ? 'Failed' : 'Completed');

  beforeAll(async () => {
    const factory = new IDBFactory();
    const storage = await IndexedDbStorage.open('big', { indexedDB: factory });
    hub = storage.taskHub(HUB);
    // Setup only: write the rows in large transactions straight into the documented layout.
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open('big');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    for (let start = 0; start < N; start += 20_000) {
      const tx = db.transaction('instances', 'readwrite');
      const store = tx.objectStore('instances');
      for (let i = start; i < start + 20_000; i++) {
        const createdTime = iso(T0 + i * 1000);
        const row: InstanceRow = {
          hub: HUB,
          historyLength: 0,
          instanceId: id(i),
          name: 'Big',
          executionId: `e${i}`,
          runtimeStatus: status(i),
          createdTime,
          lastUpdatedTime: createdTime,
          version: 1,
        };
        store.put(row);
      }
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
    }
    db.close();
  }, 300_000);

  async function measured(query: InstanceQuery) {
    reads.records = 0;
    const page = await hub.queryInstances(query);
    return { page, ids: page.instances.map((r) => r.instanceId), reads: reads.records };
  }

  it('newest first, and the next page from its token', async () => {
    const first = await measured({ pageSize: 100 });
    expect(first.ids).toEqual(Array.from({ length: 100 }, (_, k) => id(N - 1 - k)));
    expect(first.reads).toBeLessThanOrEqual(101);
    const second = await measured({ pageSize: 100, continuationToken: first.page.continuationToken! });
    expect(second.ids[0]).toBe(id(N - 101));
    expect(second.reads).toBeLessThanOrEqual(101);
  });

  it('by one status and by several, merged newest first', async () => {
    const failed = await measured({ runtimeStatus: ['Failed'], pageSize: 100 });
    expect(failed.ids).toEqual(Array.from({ length: 100 }, (_, k) => id(N - 7 - 10 * k)));
    expect(failed.reads).toBeLessThanOrEqual(101);
    // Running is one in a thousand: a scan of byCreated would read ~100,000 records for a page.
    const running = await measured({ runtimeStatus: ['Running'], pageSize: 100 });
    expect(running.ids).toEqual(Array.from({ length: 100 }, (_, k) => id(N - 993 - 1000 * k)));
    expect(running.reads).toBeLessThanOrEqual(101);
    const both = await measured({ runtimeStatus: ['Running', 'Failed'], pageSize: 100 });
    expect(both.ids.slice(0, 3)).toEqual([id(N - 7), id(N - 17), id(N - 27)]);
    expect(both.page.instances.every((r) => r.runtimeStatus !== 'Completed')).toBe(true);
    expect(both.reads).toBeLessThanOrEqual(102);
  });

  it('by created-time range, alone and with a status', async () => {
    const from = iso(T0 + 50_000 * 1000),
      to = iso(T0 + 60_000 * 1000);
    const range = await measured({ createdTimeFrom: from, createdTimeTo: to, pageSize: 100 });
    expect(range.ids[0]).toBe(id(60_000));
    expect(range.ids.at(-1)).toBe(id(59_901));
    expect(range.reads).toBeLessThanOrEqual(101);
    const rangeFailed = await measured({ createdTimeFrom: from, createdTimeTo: to, runtimeStatus: ['Failed'], pageSize: 100 });
    expect(rangeFailed.ids[0]).toBe(id(59_993));
    expect(rangeFailed.reads).toBeLessThanOrEqual(101);
  });

  it('by ID prefix, in ID order', async () => {
    const prefixed = await measured({ instanceIdPrefix: 'inst-042', pageSize: 100 });
    expect(prefixed.ids).toEqual(Array.from({ length: 100 }, (_, k) => id(42_000 + k)));
    expect(prefixed.reads).toBeLessThanOrEqual(101);
    const next = await measured({ instanceIdPrefix: 'inst-042', pageSize: 100, continuationToken: prefixed.page.continuationToken! });
    expect(next.ids[0]).toBe(id(42_100));
    expect(next.reads).toBeLessThanOrEqual(101);
    // The walk stops at the first ID past the prefix.
    const tail = await measured({ instanceIdPrefix: 'inst-04299', pageSize: 100 });
    expect(tail.ids).toHaveLength(10);
    expect(tail.page.continuationToken).toBeUndefined();
    expect(tail.reads).toBeLessThanOrEqual(11);
  });

  it('a counting scan would read them all (the counter sees every record)', async () => {
    reads.records = 0;
    const all = await pages(hub, { runtimeStatus: ['Running'], pageSize: 1000 });
    expect(all.flat()).toHaveLength(100);
    expect(reads.records).toBe(100);
  });
});

describe('listing agrees with the in-memory reference', () => {
  let indexed: TaskHubStore;
  let memory: TaskHubStore;
  const statuses: RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'Failed', 'Terminated', 'Suspended'];

  beforeAll(async () => {
    indexed = (await IndexedDbStorage.open('agree', { indexedDB: new IDBFactory() })).taskHub('Agree');
    memory = new MemoryStorage().taskHub('Agree');
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      // Few distinct times, so that ties on createdTime are ordered by instanceId.
      const createdTime = iso(T0 + Math.floor(random() * 40) * 1000);
      const instanceId = `${['a', 'ab', 'b', 'ba'][Math.floor(random() * 4)]}-${Math.floor(random() * 1e6)}`;
      const runtimeStatus = statuses[Math.floor(random() * statuses.length)]!;
      for (const hub of [indexed, memory]) {
        if (await hub.getInstance(instanceId)) continue;
        const record = { instanceId, name: 'N', executionId: 'e', runtimeStatus: 'Pending' as const, createdTime, lastUpdatedTime: createdTime };
        const created = await hub.createInstance({
          record,
          start: {
            id: `m${i}`,
            instanceId,
            event: event('ExecutionStarted', createdTime, { name: 'N', orchestrationInstance: { instanceId, executionId: 'e' } }),
            visibleAt: createdTime,
          },
        });
        const { version: _v, ...row } = created;
        await hub.commit([
          {
            instanceId,
            expectedVersion: 1,
            instance: { ...row, runtimeStatus },
            history: { append: [] },
            consumedMessageIds: [],
            messages: [],
            activities: [],
            newInstances: [],
          },
        ]);
      }
    }
  });

  const queries: InstanceQuery[] = [
    {},
    { pageSize: 7 },
    { runtimeStatus: ['Running'], pageSize: 5 },
    { runtimeStatus: ['Failed', 'Pending', 'Suspended'], pageSize: 9 },
    { createdTimeFrom: iso(T0 + 10_000), createdTimeTo: iso(T0 + 20_000), pageSize: 4 },
    { createdTimeFrom: iso(T0 + 20_000), createdTimeTo: iso(T0 + 20_000), pageSize: 2 },
    { createdTimeFrom: iso(T0 + 30_000), createdTimeTo: iso(T0 + 10_000) },
    { createdTimeTo: iso(T0 + 5_000), runtimeStatus: ['Completed', 'Terminated'], pageSize: 3 },
    { instanceIdPrefix: 'a', pageSize: 6 },
    { instanceIdPrefix: 'ab-', runtimeStatus: ['Running', 'Failed'], pageSize: 4 },
    { instanceIdPrefix: 'b', createdTimeFrom: iso(T0 + 15_000), pageSize: 3 },
    { instanceIdPrefix: 'zz' },
  ];
  it.each(queries.map((q) => [JSON.stringify(q), q] as const))('%s', async (_name, query) => {
    const expected = await pages(memory, query);
    expect(await pages(indexed, query)).toEqual(expected);
  });
});
