/** Batch leasing: the helper over the optional batch methods, and the worker leasing in batches. */
import { describe, expect, it } from 'vitest';
import { DurableApp, MemoryStorage, type TaskHubStore, Worker, type WorkerOptions } from '../../core/index.js';
import { leaseActivities, leaseOrchestrations } from '../../core/worker/lease-many.js';
import { newInstance } from '../conformance/store.case.js';
import { harness } from '../helpers.js';
import { withoutBatchLeasing } from '../store/without-batch-leasing.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** Records every lease call the store gets: its name and `max`. */
function recording(store: TaskHubStore) {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (typeof prop === 'string' && prop.startsWith('lease')) calls.push(args.length > 2 ? `${prop}(${String(args[2])})` : prop);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

async function hubWith(instances: number): Promise<TaskHubStore> {
  const hub = new MemoryStorage().taskHub('H');
  for (let i = 0; i < instances; i++) await hub.createInstance(newInstance(`i${i}`));
  return hub;
}

describe('leaseOrchestrations / leaseActivities (worker/lease-many.ts)', () => {
  it("uses the store's batch method in one call when it has one", async () => {
    const { store, calls } = recording(await hubWith(5));
    expect(await leaseOrchestrations(store, T0, 1000, 3)).toHaveLength(3);
    expect(await leaseActivities(store, T0, 1000, 3)).toEqual([]);
    expect(calls).toEqual(['leaseOrchestrations(3)', 'leaseActivities(3)']);
  });

  it('without it, calls the single form until max or until it finds nothing', async () => {
    const { store, calls } = recording(withoutBatchLeasing(await hubWith(5)));
    expect(await leaseOrchestrations(store, T0, 1000, 3)).toHaveLength(3);
    expect(calls).toEqual(['leaseOrchestration', 'leaseOrchestration', 'leaseOrchestration']);
    calls.length = 0;
    const rest = await leaseOrchestrations(store, T0, 1000, 10);
    expect(rest).toHaveLength(2);
    expect(calls).toHaveLength(3);
  });

  it('asks for nothing when max is below 1', async () => {
    const { store, calls } = recording(await hubWith(1));
    expect(await leaseOrchestrations(store, T0, 1000, 0)).toEqual([]);
    expect(await leaseActivities(withoutBatchLeasing(store), T0, 1000, -1)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('hands each item to onLeased as soon as it is leased: without the batch method, before the next call', async () => {
    const { store, calls } = recording(withoutBatchLeasing(await hubWith(3)));
    const seen: string[] = [];
    const items = await leaseOrchestrations(store, T0, 1000, 5, (item) => seen.push(`${item.instanceId} after call ${calls.length}`));
    expect(seen).toEqual(items.map((item, i) => `${item.instanceId} after call ${i + 1}`));
    expect(items.map((i) => i.instanceId).sort()).toEqual(['i0', 'i1', 'i2']);
    expect(calls).toHaveLength(4);
    const batched: string[] = [];
    await leaseOrchestrations(await hubWith(2), T0, 1000, 5, (item) => batched.push(item.instanceId));
    expect(batched.sort()).toEqual(['i0', 'i1']);
  });

  it('without it, throws a failing call; what was leased before it has gone to onLeased', async () => {
    const hub = withoutBatchLeasing(await hubWith(3));
    let calls = 0;
    const flaky = new Proxy(hub, {
      get(target, prop) {
        if (prop === 'leaseOrchestration')
          return (now: number, lockMs: number) => (++calls === 2 ? Promise.reject(new Error('flaky')) : target.leaseOrchestration(now, lockMs));
        return Reflect.get(target, prop, target) as unknown;
      },
    });
    const seen: string[] = [];
    await expect(leaseOrchestrations(flaky, T0, 1000, 3, (item) => seen.push(item.instanceId))).rejects.toThrow('flaky');
    expect(seen).toEqual(['i0']);
  });
});

describe('Worker batch leasing', () => {
  const app = new DurableApp()
    .orchestration('Fan', function* (ctx) {
      return (yield ctx.df.Task.all(Array.from({ length: ctx.df.getInput<number>() }, (_, i) => ctx.df.callActivity('Id', i)))) as number[];
    })
    .activity('Id', (x: number) => x);

  /** Runs `count` Fan instances of `width` activities each to the end on a worker with `options`, checks each output, and returns the lease calls the store got. */
  async function runFans(count: number, width: number, options: WorkerOptions, wrap = (store: TaskHubStore) => store): Promise<string[]> {
    const h = harness({ app });
    for (let i = 0; i < count; i++) await h.client.startNew('Fan', { instanceId: `f${i}`, input: width });
    const { store, calls } = recording(wrap(h.store));
    await new Worker(app, store, {
      clock: h.clock,
      onError: (e) => {
        throw e;
      },
      ...options,
    }).runUntilIdle();
    for (let i = 0; i < count; i++) expect((await h.client.getStatus(`f${i}`))?.output).toEqual(Array.from({ length: width }, (_, j) => j));
    return calls;
  }

  it('leases up to its free slots in calls of at most 32', async () => {
    const calls = await runFans(40, 2, { maxConcurrentOrchestrations: 50, maxConcurrentActivities: 64 });
    // 40 ready instances, 50 slots: 32, then the 8 left (of the 18 free asked for).
    expect(calls.slice(0, 2)).toEqual(['leaseOrchestrations(32)', 'leaseOrchestrations(18)']);
    // Only batch calls, never more than 32 at once.
    for (const call of calls) expect(Number(/^lease(?:Orchestrations|Activities)\((\d+)\)$/.exec(call)?.[1])).toBeLessThanOrEqual(32);
    expect(calls.filter((c) => c.startsWith('leaseActivities(')).length).toBeGreaterThan(0);
  });

  it('leases fewer at once on short locks (one per 50 ms of lock), so that leases do not lapse in the batch', async () => {
    const calls = await runFans(10, 1, { orchestrationLockMs: 20, activityLockMs: 200 });
    expect(new Set(calls.filter((c) => c.startsWith('leaseOrchestrations(')))).toEqual(new Set(['leaseOrchestrations(1)']));
    expect(new Set(calls.filter((c) => c.startsWith('leaseActivities(')))).toEqual(new Set(['leaseActivities(4)']));
  });

  it('works the same on a store without the batch methods', async () => {
    await runFans(10, 3, { maxConcurrentOrchestrations: 4, maxConcurrentActivities: 5 }, withoutBatchLeasing);
  });
});
