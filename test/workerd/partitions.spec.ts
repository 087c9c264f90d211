/**
 * Partitioned task hubs in workerd: the store conformance suite over 1, 4 and 16 partition
 * objects, listing identical to one object's, parent and child orchestrations on different
 * partitions, and cross-partition deliveries cut and retried across an object reset.
 */
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { DurableClient } from '../../core/client.js';
import { event } from '../../core/history.js';
import type { SqliteStorageLike } from '../../core/store/durable-object/sync.js';
import { partitionOf } from '../../core/store/partitions.js';
import type { InstanceRecord, Storage, TaskHubStore } from '../../core/store/port.js';
import { objectName } from '../../edge-worker/cloudflare/partition.js';
import { DurableObjectStorage, type TaskHubNamespaceLike } from '../../edge-worker/cloudflare/remote.js';
import { newInstance, runStoreConformance } from '../conformance/store.case.js';

// A 16-partition hub is 16 objects, each a SQLite database made on first use, all on one workerd
// thread here; listing hubs asks every partition of every hub in the registry (O(hubs × N) calls).
vi.setConfig({ testTimeout: 180_000 });

/**
 * Hubs named apart per run (a partition reaches the others by the hub's name, so the objects
 * cannot be isolated by renaming them, as `isolated.ts` does): `Hub` is stored as `Hub<run>`.
 */
function renamed(storage: Storage, run = `R${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`): Storage {
  return {
    taskHub: (name) => storage.taskHub(`${name}${run}`),
    listTaskHubs: async () => (await storage.listTaskHubs()).filter((n) => n.endsWith(run)).map((n) => n.slice(0, -run.length)),
    deleteTaskHub: (name) => storage.deleteTaskHub(`${name}${run}`),
  };
}

const partitioned = (namespace: TaskHubNamespaceLike<unknown>, partitions: number) => renamed(new DurableObjectStorage(namespace, { partitions }));

// A namespace per count: `listTaskHubs` asks every hub of its namespace's registry, each at this count.
for (const [n, namespace] of [
  [1, env.TASK_HUB],
  [4, env.TASK_HUB_4],
  [16, env.TASK_HUB_16],
] as const) {
  runStoreConformance(`durable object, ${n} partition(s) (workerd)`, () => partitioned(namespace, n), { eagerDispatch: true });
}

/** The first `${prefix}${k}` that is not in the partition of its `${suffix}` child. */
function apart(n: number, prefix: string, suffix: string): string {
  for (let k = 0; k < 100; k++) if (partitionOf(`${prefix}${k}`, n) !== partitionOf(`${prefix}${k}${suffix}`, n)) return `${prefix}${k}`;
  throw new Error(`no ID among ${prefix}0..99 is apart from its child in ${n} partitions`);
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('partitioned hubs: listing', () => {
  it('lists in the same order and pages as one object, for 4 and 16 partitions; a bad token is refused', async () => {
    const run = `R${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const hubs = [1, 4, 16].map((n) => new DurableObjectStorage(env.TASK_HUB, { partitions: n }).taskHub(`List${n}${run}`));
    // Ties in created time, so that the instance ID orders them too.
    for (let i = 0; i < 40; i++) {
      const instance = newInstance(`inst-${(i * 7919) % 97}`, { createdTime: iso(T0 + (i % 6) * 1000) });
      for (const hub of hubs) await hub.createInstance(structuredClone(instance));
    }
    const pages = async (hub: TaskHubStore, query: { pageSize: number; instanceIdPrefix?: string; runtimeStatus?: ['Pending'] }) => {
      const all: string[][] = [];
      let continuationToken: string | undefined;
      do {
        const page = await hub.queryInstances({ ...query, continuationToken });
        all.push(page.instances.map((r: InstanceRecord) => r.instanceId));
        continuationToken = page.continuationToken;
      } while (continuationToken);
      return all;
    };
    for (const query of [
      { pageSize: 7 },
      { pageSize: 40 },
      { pageSize: 3, instanceIdPrefix: 'inst-1' },
      { pageSize: 5, runtimeStatus: ['Pending'] as ['Pending'] },
    ]) {
      const one = await pages(hubs[0]!, query);
      expect(one.flat().length).toBeGreaterThan(0);
      expect(await pages(hubs[1]!, query)).toEqual(one);
      expect(await pages(hubs[2]!, query)).toEqual(one);
    }
    await expect(hubs[1]!.queryInstances({ continuationToken: 'not-a-token' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    // A token of the 16-partition hub does not fit the 4-partition one.
    const token16 = (await hubs[2]!.queryInstances({ pageSize: 2 })).continuationToken!;
    await expect(hubs[1]!.queryInstances({ pageSize: 2, continuationToken: token16 })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
  });

  it('refuses a changed partition count with PartitionCountMismatch, and opens a one-object hub unchanged', async () => {
    const run = `R${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const one = new DurableObjectStorage(env.TASK_HUB).taskHub(`Old${run}`);
    await one.createInstance(newInstance('kept'));
    const asOne = new DurableObjectStorage(env.TASK_HUB, { partitions: { default: 1 } }).taskHub(`Old${run}`);
    expect((await asOne.getInstance('kept'))?.instanceId).toBe('kept');
    const asMany = new DurableObjectStorage(env.TASK_HUB, { partitions: { hubs: { [`Old${run}`]: 4 } } }).taskHub(`Old${run}`);
    await expect(asMany.createInstance(newInstance('new-one'))).rejects.toMatchObject({ code: 'PartitionCountMismatch' });

    const fresh = new DurableObjectStorage(env.TASK_HUB, { partitions: 4 }).taskHub(`New${run}`);
    await fresh.createInstance(newInstance('x'));
    const changed = new DurableObjectStorage(env.TASK_HUB, { partitions: 16 }).taskHub(`New${run}`);
    await expect(changed.createInstance(newInstance('y'))).rejects.toMatchObject({ code: 'PartitionCountMismatch' });
  });
});

describe('partitioned hubs: orchestrations across partitions', () => {
  it('runs parent and child orchestrations that live on different partitions (4 and 16)', async () => {
    for (const n of [4, 16]) {
      const run = `R${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const client = new DurableClient({ storage: new DurableObjectStorage(env.SAMPLE_HUB, { partitions: n }), taskHub: `Samples${run}` });
      const parent = apart(n, 'parent-', ':0000');
      await client.startNew('ParentChild', { instanceId: parent });
      const status = await client.waitForCompletion(parent, { timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 20 });
      expect(status.runtimeStatus).toBe('Completed');
      const created = (await client.getHistory(parent)).find((e) => e.type === 'SubOrchestrationInstanceCreated') as { instanceId?: string } | undefined;
      const child = created?.instanceId;
      expect(child).toBe(`${parent}:0000`);
      expect(partitionOf(child!, n)).not.toBe(partitionOf(parent, n));
      expect((await client.getStatus(child!))?.runtimeStatus).toBe('Completed');
      expect((await client.getHistory(parent)).filter((e) => e.type === 'SubOrchestrationInstanceCompleted')).toHaveLength(1);
    }
  });
});

describe('partitioned hubs: a delivery cut short, then the sender reset', () => {
  const N = 4;
  /** A parent in one partition whose episode starts a child and raises an event in another. */
  async function sendAcross(run: string) {
    const storage = new DurableObjectStorage(env.LOSSY_HUB, { partitions: N });
    const hub = storage.taskHub(`Lossy${run}`);
    const parent = apart(N, 'p-', ':child');
    const child = `${parent}:child`;
    // A stub per use: the reset breaks the ones made before it.
    const sender = () => env.LOSSY_HUB.get(env.LOSSY_HUB.idFromName(objectName(`Lossy${run}`, partitionOf(parent, N))));
    const created = await hub.createInstance(newInstance(parent));
    const item = (await hub.leaseOrchestration(T0, 60_000))!;
    expect(item.instanceId).toBe(parent);
    const { version: _v, ...row } = created;
    const episode = {
      instanceId: parent,
      expectedVersion: created.version,
      lease: item.lease,
      instance: { ...row, runtimeStatus: 'Running' as const },
      history: { append: [event('OrchestratorStarted', iso(T0), {})] },
      consumedMessageIds: item.messages.map((m) => m.id),
      messages: [],
      activities: [],
      newInstances: [childOf(parent, created.executionId, child)],
    };
    return { hub, parent, child, sender, episode };
  }

  /** A child start as an orchestration makes it: it names the parent to answer. */
  function childOf(parent: string, executionId: string, child: string) {
    const start = newInstance(child);
    Object.assign(start.start.event, { parentInstance: { instanceId: parent, executionId, name: 'Hello', taskScheduledId: 0 } });
    return { record: { ...start.record, parentInstanceId: parent }, start: start.start };
  }

  const cut = (stub: unknown, value: string | undefined) =>
    runInDurableObject(stub, (_instance: unknown, state: { storage: unknown }) => {
      const { kv } = state.storage as SqliteStorageLike;
      if (value === undefined) kv.delete('test/cut');
      else kv.put('test/cut', value);
    });
  const outboxSize = (stub: unknown) =>
    runInDurableObject(stub, (_instance: unknown, state: { storage: unknown }) => [...(state.storage as SqliteStorageLike).kv.list({ prefix: 'o/' })].length);

  const queued = (stub: unknown, instanceId: string) =>
    runInDurableObject(
      stub,
      (_instance: unknown, state: { storage: unknown }) => [...(state.storage as SqliteStorageLike).kv.list({ prefix: `m/${instanceId}/` })].length,
    );

  for (const when of ['before', 'after'] as const) {
    it(`cut ${when} the receiver takes it in: after a reset, the alarm delivers it exactly once`, async () => {
      const run = `R${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const { hub, parent, child, sender, episode } = await sendAcross(run);
      await cut(sender(), when);
      expect(await hub.commit([episode])).toMatchObject([{ ok: true }]);
      // Committed with its transfer in the outbox; the receiver has the child only if the cut came after.
      expect(await outboxSize(sender())).toBe(1);
      expect((await hub.getInstance(child)) !== undefined).toBe(when === 'after');

      await cut(sender(), undefined);
      await abortAllDurableObjects();
      // The retry alarm (set when the delivery failed) runs now, in the reset object.
      await runDurableObjectAlarm(sender());
      expect(await outboxSize(sender())).toBe(0);
      const receiver = () => env.LOSSY_HUB.get(env.LOSSY_HUB.idFromName(objectName(`Lossy${run}`, partitionOf(child, N))));
      expect(await queued(receiver(), child)).toBe(1);
      expect((await hub.getInstance(child))?.runtimeStatus).toBe('Pending');
      // One start message, once: leasing the child's partition gives it one ExecutionStarted.
      const leased = await hub.leaseOrchestrations!(T0 + 1, 60_000, 10);
      const mine = leased.filter((w) => w.instanceId === child);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.messages.map((m) => m.event.type)).toEqual(['ExecutionStarted']);
      // Delivering again (another alarm) takes nothing in twice.
      await cut(sender(), undefined);
      await runDurableObjectAlarm(sender());
      expect(await queued(receiver(), child)).toBe(1);
      // Nor did the parent hear of a clash with its own child (what a second create would answer): none queued, none on its way.
      expect((await queued(sender(), parent)) + (await outboxSize(receiver()))).toBe(0);
    });
  }
});
