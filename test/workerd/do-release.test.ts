/**
 * A task hub object's new incarnation releases the leases of the one before (the host with an
 * app is the hub's only worker): in Node, over the fake storage, a new `TaskHubHost` on the
 * storage an old one left with a stalled activity; and the store's release within a horizon
 * finds exactly the leases that lapse within it, through the due indexes.
 */
import { describe, expect, it } from 'vitest';
import { DurableApp, DurableClient, type OrchestrationContext } from '../../core/index.js';
import { DurableObjectTaskHubStore } from '../../core/store/durable-object/index.js';
import { TaskHubHost } from '../../edge-worker/cloudflare/host.js';
import { DurableObjectStorage } from '../../edge-worker/cloudflare/remote.js';
import { newInstance } from '../conformance/store.case.js';
import { FakeDurableObjectStorage, FakeNamespace } from './do-fakes.js';

function* Stalled(context: OrchestrationContext) {
  const result: string = yield context.df.callActivity('Stall', null);
  return result;
}
/** The first delivery of 'Stall' never finishes: its lease (5 min) stays held. */
const app = new DurableApp()
  .orchestration('Stalled', Stalled)
  .activity('Stall', (_input: null, { deliveryCount }) => (deliveryCount === 1 ? new Promise<never>(() => undefined) : `delivered ${deliveryCount}`));

describe('a task hub object that starts again', () => {
  it('releases the leases its dead incarnation held: the stalled activity runs again at once', async () => {
    const ns = new FakeNamespace({ app });
    const client = new DurableClient({ storage: new DurableObjectStorage(ns), taskHub: 'Stall' });
    const id = await client.startNew('Stalled');
    await expect.poll(async () => (await client.getHistory(id)).map((e) => e.type), { timeout: 5_000, interval: 10 }).toContain('TaskScheduled');
    // The object is evicted: a new host on the same storage, as the next call would get.
    const entry = ns.hosts.get('Stall')!;
    entry.host = new TaskHubHost(entry.storage, { app });
    const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 5_000, retryIntervalInMilliseconds: 20 });
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'delivered 2' });
  });

  it('a host without an app (storage only) releases nothing: remote workers hold its leases', async () => {
    const storage = new FakeDurableObjectStorage();
    const first = new TaskHubHost(storage);
    await first.invoke('H', 'createInstance', [newInstance('i1')]);
    const leased = await first.invoke('H', 'leaseOrchestration', [Date.now(), 60_000]);
    expect(leased).toMatchObject({ ok: true, value: { instanceId: 'i1' } });
    const second = new TaskHubHost(storage);
    expect(await second.invoke('H', 'leaseOrchestration', [Date.now(), 60_000])).toEqual({ ok: true, value: undefined });
  });

  it('within a horizon, releases the leases that lapse within it, and no others', async () => {
    const T0 = Date.parse('2026-01-01T00:00:00Z');
    const store = new DurableObjectTaskHubStore('H', new FakeDurableObjectStorage());
    for (const id of ['short', 'long']) await store.createInstance(newInstance(id));
    const [a] = await store.leaseOrchestrations(T0, 30_000, 1);
    const [b] = await store.leaseOrchestrations(T0, 600_000, 1);
    expect([a?.instanceId, b?.instanceId].sort()).toEqual(['long', 'short']);
    // A horizon of 60 s from T0 + 1 s: the 30 s lease lapses within it, the 10 min one does not.
    expect(await store.releaseLeases({ now: T0 + 1000, withinMs: 60_000 })).toEqual({ instances: 1, activities: 0 });
    expect((await store.leaseOrchestration(T0 + 1000, 30_000))?.instanceId).toBe(a!.instanceId);
    expect(await store.leaseOrchestration(T0 + 1000, 30_000)).toBeUndefined();
    // Without one, every lease.
    expect(await store.releaseLeases()).toEqual({ instances: 2, activities: 0 });
  });
});
