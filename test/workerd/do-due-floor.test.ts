/**
 * The Durable Object store skips scanning a due index when it knows nothing in it is due
 * (its "floor"). A floor set too late would strand work, so: the store never believes an
 * index due later than its earliest entry, after any operation, while the engine runs every
 * sample (timers, a failing activity, sub-orchestrations, events, continue-as-new) and after
 * leases lapse; and the scans it skips are the ones that could find nothing.
 */
import { describe, expect, it } from 'vitest';
import { event } from '../../core/history.js';
import { DurableClient, VirtualClock, Worker } from '../../core/index.js';
import { type DurableObjectListOptions, DurableObjectTaskHubStore } from '../../core/store/durable-object/index.js';
import type { Storage, TaskHubStore } from '../../core/store/port.js';
import { registerSamples } from '../../samples/index.js';
import { FakeDurableObjectStorage } from './do-fakes.js';
import { leasedEpisode } from './leased-episode.js';

const PREFIX = 'x:';
const INDEXES = [`${PREFIX}r/`, `${PREFIX}ar/`];

/** Storage that counts its scans, and can fail a delete (a commit applied in part). */
class CountingStorage extends FakeDurableObjectStorage {
  lists = 0;
  failDelete = false;
  override list<T>(options?: DurableObjectListOptions): Promise<Map<string, T>> {
    this.lists++;
    return super.list<T>(options);
  }
  override delete(keys: string[]): Promise<number> {
    if (this.failDelete) {
      this.failDelete = false;
      return Promise.reject(new Error('storage failed'));
    }
    return super.delete(keys);
  }
}

/** Fails if a floor is later than the earliest entry of its index. */
function checkFloors(store: DurableObjectTaskHubStore, storage: FakeDurableObjectStorage): void {
  const floors = (store as unknown as { floors: Map<string, number> }).floors;
  for (const index of INDEXES) {
    const floor = floors.get(index);
    if (floor === undefined) continue;
    const first = [...storage.data.keys()].filter((k) => k.startsWith(index)).sort()[0];
    const earliest = first === undefined ? Infinity : Number(first.slice(index.length, index.length + 15));
    expect(floor, `floor of ${index}`).toBeLessThanOrEqual(earliest);
  }
}

/** The store with the floor check after every operation. */
function checked(store: DurableObjectTaskHubStore, storage: FakeDurableObjectStorage): TaskHubStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || name === 'subscribe') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        checkFloors(target, storage);
        return result;
      };
    },
  });
}

const single = (store: TaskHubStore): Storage => ({ taskHub: () => store, listTaskHubs: async () => [store.taskHub], deleteTaskHub: async () => false });

describe('durable object store: due-index floors', () => {
  it('skips a scan only when nothing can be due, and still finds work that arrives or falls due later', async () => {
    const storage = new CountingStorage();
    const store = new DurableObjectTaskHubStore('Floors', storage, { prefix: PREFIX });
    const now = Date.UTC(2026, 0, 1);
    const t = new Date(now).toISOString();
    const start = (instanceId: string, visibleAt = t) =>
      store.createInstance({
        record: { instanceId, name: 'Chain', executionId: `e-${instanceId}`, runtimeStatus: 'Pending', createdTime: t, lastUpdatedTime: t },
        start: {
          id: `m-${instanceId}`,
          instanceId,
          visibleAt,
          event: event('ExecutionStarted', t, { name: 'Chain', orchestrationInstance: { instanceId, executionId: `e-${instanceId}` } }),
        },
      });

    // Unknown at first: the first lease scans.
    expect(await store.leaseOrchestrations(now, 30_000, 8)).toEqual([]);
    const lists = storage.lists;
    // Learned empty: no scan.
    expect(await store.leaseOrchestrations(now, 30_000, 8)).toEqual([]);
    expect(await store.leaseActivities(now, 30_000, 8)).toEqual([]);
    expect(storage.lists - lists).toBe(1); // the activity index was still unknown

    // New work lowers the floor: found at once.
    await start('a');
    const [item] = await store.leaseOrchestrations(now, 30_000, 8);
    expect(item?.instanceId).toBe('a');
    // Leased until now + 30 s: nothing due before then, without a scan.
    const before = storage.lists;
    expect(await store.leaseOrchestrations(now + 29_999, 30_000, 8)).toEqual([]);
    expect(storage.lists).toBe(before);
    // The lease lapses: leased again.
    expect((await store.leaseOrchestrations(now + 30_000, 30_000, 8)).map((w) => w.instanceId)).toEqual(['a']);

    // Work that becomes visible later is found when it does, not before.
    await start('b', new Date(now + 5_000).toISOString());
    expect(await store.leaseOrchestrations(now + 4_999, 30_000, 8)).toEqual([]);
    expect((await store.leaseOrchestrations(now + 5_000, 30_000, 8)).map((w) => w.instanceId)).toEqual(['b']);

    // An activity, scheduled by a commit and leased by a worker that goes away: due again when its lease lapses.
    const record = (await store.getInstance('b'))!;
    const [b] = await store.leaseOrchestrations(now + 35_000, 30_000, 8);
    const activity = { id: 'act-b', instanceId: 'b', executionId: 'e-b', taskScheduledId: 0, name: 'Step', enqueuedTime: new Date(now + 35_000).toISOString() };
    const scheduling = leasedEpisode(record, b!, t, { append: [event('TaskScheduled', t, { name: 'Step' }, 0)], activities: [activity] });
    expect(await store.commit([scheduling])).toMatchObject([{ ok: true }]);
    expect((await store.leaseActivities(now + 35_000, 7_000, 8)).map((a) => a.item.id)).toEqual(['act-b']);
    const scans = storage.lists;
    expect(await store.leaseActivities(now + 41_999, 7_000, 8)).toEqual([]);
    expect(storage.lists).toBe(scans);
    expect((await store.leaseActivities(now + 42_000, 7_000, 8)).map((a) => a.item.id)).toEqual(['act-b']);

    // A commit that fails (maybe applied in part) leaves the indexes unknown: the next lease scans.
    storage.failDelete = true;
    await expect(store.leaseActivities(now + 49_000, 7_000, 8)).rejects.toThrow('storage failed');
    expect((store as unknown as { floors: Map<string, number> }).floors.size).toBe(0);
    const again = storage.lists;
    await store.leaseActivities(now + 49_000, 7_000, 8);
    expect(storage.lists).toBeGreaterThan(again);

    // What nextWakeTime reads is exact; cleared storage is unknown again.
    expect(await store.nextWakeTime()).toBe(now + 49_000 + 7_000);
    checkFloors(store, storage);
    await store.clear();
    await start('c');
    expect((await store.leaseOrchestrations(now, 30_000, 8)).map((w) => w.instanceId)).toEqual(['c']);
  });

  it('never sets a floor past the earliest entry while the engine runs every sample, and strands nothing', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const storage = new FakeDurableObjectStorage();
    const raw = new DurableObjectTaskHubStore('Floors', storage, { prefix: PREFIX });
    const store = checked(raw, storage);
    const worker = new Worker(registerSamples(), store, { clock, orchestrationLockMs: 5_000, activityLockMs: 7_000 });
    const client = new DurableClient({ storage: single(store), taskHub: 'Floors', clock });

    const ids = await Promise.all([
      client.startNew('HelloSequence'),
      client.startNew('FanOutFanIn', { input: 20 }),
      client.startNew('ParentChild'),
      client.startNew('FlakyActivity', { input: { failTimes: 1 } }),
      client.startNew('LongTimer', { input: { seconds: 90 } }),
      client.startNew('Approval', { input: { timeoutSeconds: 30 } }),
      client.startNew('Approval', { input: { timeoutSeconds: 600 } }),
      client.startNew('Counter', { input: 1 }),
    ]);
    // Work leased by a worker that then goes away: found again once its lease lapses.
    const lost = await client.startNew('HelloSequence');
    expect(await raw.leaseOrchestrations(clock.now(), 5_000, 1)).toHaveLength(1);
    await client.raiseEvent(ids[6]!, 'Approval', true);
    await client.raiseEvent(ids[7]!, 'Add', 2);

    for (let round = 0; round < 50; round++) {
      await worker.runUntilIdle();
      if (round === 3) await client.raiseEvent(ids[7]!, 'Stop', null);
      const next = await store.nextWakeTime();
      if (next === undefined) break;
      clock.advanceTo(Math.max(next, clock.now() + 1));
    }
    const statuses = await Promise.all([...ids, lost].map((id) => client.getStatus(id)));
    expect(statuses.map((s) => s?.runtimeStatus)).toEqual([
      'Completed',
      'Completed',
      'Completed',
      'Failed',
      'Completed',
      'Completed',
      'Completed',
      'Completed',
      'Completed',
    ]);
    expect(statuses.map((s) => s?.output)).toEqual([
      ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      2870,
      ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      expect.stringContaining('Flaky failure 1 of 1'),
      'waited 90 seconds',
      'timed out',
      'approved',
      3,
      ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    ]);
    expect(await store.nextWakeTime()).toBeUndefined();
  });
});
