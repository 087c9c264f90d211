/**
 * Upgrading a real schema version 1 database, written by the version 1 adapter (./v1), to the
 * current schema: pending messages (in order, delayed ones too), orchestration and activity
 * leases, histories, messages for an instance that does not exist, and a second hub all come
 * through, and the leases taken before the upgrade still commit after it. A version 2
 * database keeps its rows as they are. Shared by the Node test (fake-indexeddb) and the
 * Chromium run.
 */
import { describe, expect, it } from 'vitest';
import { event, type HistoryEvent } from '../../core/history.js';
import { STORES } from '../../core/store/indexeddb/schema.js';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import type { EpisodeCommit, InstanceRecord, NewInstance, OrchestrationMessage, TaskHubStore } from '../../core/store/port.js';
import { iso, rawOpen, T0 } from './fixtures.js';
import { IndexedDbStorage as V1Storage } from './v1/storage.js';

/** The database holds the current version's layout. */
async function expectCurrentLayout(factory: IDBFactory, name: string): Promise<void> {
  const raw = await rawOpen(factory, name);
  expect([raw.version, [...raw.objectStoreNames].sort()]).toEqual([3, ['activities', 'history', 'instances', 'meta']]);
  raw.close();
}

function newInstance(instanceId: string): NewInstance {
  return {
    record: { instanceId, name: 'U', executionId: `e-${instanceId}`, runtimeStatus: 'Pending', input: '"in"', createdTime: iso(T0), lastUpdatedTime: iso(T0) },
    start: {
      id: `start-${instanceId}`,
      instanceId,
      event: event('ExecutionStarted', iso(T0), { name: 'U', orchestrationInstance: { instanceId, executionId: `e-${instanceId}` } }),
      visibleAt: iso(T0),
    },
  };
}
const raised = (instanceId: string, id: string, visibleAt: number): OrchestrationMessage => ({
  id,
  instanceId,
  event: event('EventRaised', iso(T0), { name: id }),
  visibleAt: iso(visibleAt),
});

function episode(record: InstanceRecord, consumed: string[], append: HistoryEvent[], patch: Partial<EpisodeCommit> = {}): EpisodeCommit {
  const { version: _v, ...row } = record;
  return {
    instanceId: record.instanceId,
    expectedVersion: record.version,
    instance: { ...row, runtimeStatus: 'Running' },
    history: { append },
    consumedMessageIds: consumed,
    messages: [],
    activities: [],
    newInstances: [],
    ...patch,
  };
}

/** What a store shows of the scenario's instances, to compare before and after the upgrade. */
async function view(hub: TaskHubStore, ids: string[]) {
  return Promise.all(ids.map(async (id) => ({ instance: await hub.getInstance(id), history: await hub.getHistory(id) })));
}

export function runUpgradeCase(adapter: string, factory: () => IDBFactory): void {
  describe(`schema upgrade from version 1: ${adapter}`, () => {
    it('keeps pending messages, leases, histories and messages for missing instances', async () => {
      const name = `upgrade-${Date.now()}-${Math.random()}`;
      const v1 = await V1Storage.open(name, { indexedDB: factory() });
      const hub = v1.taskHub('Up');
      // 'done' completes over three commits (three history rows in version 1).
      let done = await hub.createInstance(newInstance('done'));
      let item = (await hub.leaseOrchestration(T0, 1000))!;
      for (const [i, types] of [['ExecutionStarted'], ['EventRaised'], ['EventRaised']].entries()) {
        const last = i === 2;
        // `episode` spreads the patch over its defaults: `instance` is set only where it changes.
        const patch: Partial<EpisodeCommit> = { lease: item.lease };
        if (last) patch.instance = { ...episode(done, [], []).instance, runtimeStatus: 'Completed', output: '"ok"', completedTime: iso(T0) };
        const [outcome] = await hub.commit([
          episode(
            done,
            item.messages.map((m) => m.id),
            [event('OrchestratorStarted', iso(T0), {}), ...item.messages.map((m) => m.event)],
            patch,
          ),
        ]);
        expect(outcome).toMatchObject({ ok: true });
        expect(item.messages.map((m) => m.event.type)).toEqual(types);
        done = (await hub.getInstance('done'))!;
        if (!last) {
          await hub.enqueueMessages([raised('done', `e${i}`, T0)]);
          item = (await hub.leaseOrchestration(T0, 1000))!;
        }
      }
      // 'busy' has run an episode that scheduled an activity, which is leased; then an event, a
      // timer due later and another event arrive, out of due order.
      const busy = await hub.createInstance(newInstance('busy'));
      const start = (await hub.leaseOrchestration(T0, 1000))!;
      const activity = { id: 'act-busy', instanceId: 'busy', executionId: 'e-busy', taskScheduledId: 0, name: 'F', input: '1', enqueuedTime: iso(T0) };
      await hub.commit([
        episode(
          busy,
          ['start-busy'],
          [event('OrchestratorStarted', iso(T0), {}), start.messages[0]!.event, event('TaskScheduled', iso(T0), { name: 'F', input: '1' }, 0)],
          { lease: start.lease, activities: [activity] },
        ),
      ]);
      const leasedActivity = (await hub.leaseActivity(T0, 60_000))!;
      expect(leasedActivity.item).toEqual(activity);
      await hub.enqueueMessages([raised('busy', 'first', T0 + 10), raised('busy', 'timer', T0 + 50_000), raised('busy', 'second', T0 + 10)]);
      // 'held' is leased until T0 + 30 s, its start message not yet consumed.
      const held = await hub.createInstance(newInstance('held'));
      const holding = (await hub.leaseOrchestration(T0, 30_000))!;
      expect(holding.instanceId).toBe('held');
      // Messages for an instance that does not exist, and a second hub.
      await hub.enqueueMessages([raised('ghost', 'boo', T0)]);
      await v1.taskHub('Other').createInstance(newInstance('elsewhere'));
      const ids = ['done', 'busy', 'held'];
      const before = await view(hub, ids);
      await v1.close();

      const v2 = await IndexedDbStorage.open(name, { indexedDB: factory() });
      const up = v2.taskHub('Up');
      expect(await view(up, ids)).toEqual(before);
      expect(before[0]!.history.map((e) => e.type)).toEqual([
        'OrchestratorStarted',
        'ExecutionStarted',
        'OrchestratorStarted',
        'EventRaised',
        'OrchestratorStarted',
        'EventRaised',
      ]);
      expect((await up.queryInstances({})).instances.map((r) => r.instanceId).sort()).toEqual(['busy', 'done', 'held']);
      expect(await v2.listTaskHubs()).toEqual(['Other', 'Up']);
      expect(await v2.taskHub('Other').getInstance('elsewhere')).toMatchObject({ runtimeStatus: 'Pending' });
      expect(await up.getInstance('ghost')).toBeUndefined();
      // 'ghost' is due now ('busy' at T0 + 10, 'held' when its lease lapses, the activity when its lease does).
      expect(await up.nextWakeTime()).toBe(T0);

      // Due now: 'busy' (its events in due order, then arrival; not the timer) and 'ghost'; 'held' is still leased.
      const leased = await up.leaseOrchestrations!(T0 + 20, 1000, 10);
      expect(Object.fromEntries(leased.map((w) => [w.instanceId, w.messages.map((m) => m.id)]))).toEqual({ busy: ['first', 'second'], ghost: ['boo'] });
      // The version 1 leases hold: 'held's holder commits with its token, the activity completes with its token.
      const [heldOutcome] = await up.commit([
        episode(held, ['start-held'], [event('OrchestratorStarted', iso(T0), {}), holding.messages[0]!.event], { lease: holding.lease }),
      ]);
      expect(heldOutcome).toEqual({ ok: true, version: 2 });
      const result = {
        id: 'done-act',
        instanceId: 'busy',
        executionId: 'e-busy',
        event: event('TaskCompleted', iso(T0), { taskScheduledId: 0, result: '2' }),
        visibleAt: iso(T0),
      };
      expect(await up.completeActivities([{ leased: leasedActivity, result }])).toEqual([{ applied: true }]);
      expect(await up.leaseActivity(T0 + 100_000, 1000)).toBeUndefined();
      // 'busy' commits what it leased; the result and the timer wait for it.
      const busyNow = (await up.getInstance('busy'))!;
      const busyLease = leased.find((w) => w.instanceId === 'busy')!;
      expect(await up.commit([episode(busyNow, ['first', 'second'], [event('OrchestratorStarted', iso(T0), {})], { lease: busyLease.lease })])).toEqual([
        { ok: true, version: 3 },
      ]);
      const next = (await up.leaseOrchestration(T0 + 50_000, 1000))!;
      expect([next.instanceId, next.messages.map((m) => m.id)]).toEqual(['busy', ['done-act', 'timer']]);
      expect((await up.getHistory('busy')).map((e) => e.type)).toEqual(['OrchestratorStarted', 'ExecutionStarted', 'TaskScheduled', 'OrchestratorStarted']);
      await v2.close();

      // The layout is the current version's, and it opens again as it is.
      const again = await IndexedDbStorage.open(name, { indexedDB: factory() });
      expect(await view(again.taskHub('Up'), ['done'])).toEqual([before[0]]);
      await again.close();
      await expectCurrentLayout(factory(), name);
    });

    it('upgrades a version 2 database: the rows stay as they are, and the write stamp joins them', async () => {
      const name = `upgrade-v2-${Date.now()}-${Math.random()}`;
      const instanceId = 'v2';
      const { record, start } = newInstance(instanceId);
      // Version 2's layout is version 3's without `meta`; its rows are the same.
      const db = await rawOpen(factory(), name, 2, (created, transaction) => {
        for (const [store, { keyPath, indexes }] of Object.entries(STORES)) {
          if (store === 'meta') continue;
          const os = created.createObjectStore(store, { keyPath });
          for (const [index, path] of Object.entries(indexes)) os.createIndex(index, path);
        }
        transaction.objectStore('instances').put({ ...record, hub: 'Up', version: 1, historyLength: 0, messages: [{ at: T0, message: start }], readyAt: T0 });
      });
      db.close();
      const storage = await IndexedDbStorage.open(name, { indexedDB: factory() });
      const hub = storage.taskHub('Up');
      expect(await hub.getInstance(instanceId)).toMatchObject({ runtimeStatus: 'Pending', version: 1 });
      const item = (await hub.leaseOrchestration(T0, 1000))!;
      expect(item.messages.map((m) => m.id)).toEqual([`start-${instanceId}`]);
      const created = (await hub.getInstance(instanceId))!;
      expect(
        await hub.commit([episode(created, [`start-${instanceId}`], [event('OrchestratorStarted', iso(T0), {}), start.event], { lease: item.lease })]),
      ).toEqual([{ ok: true, version: 2 }]);
      await storage.close();
      await expectCurrentLayout(factory(), name);
    });

    it('upgrades an empty version 1 database', async () => {
      const name = `upgrade-empty-${Date.now()}-${Math.random()}`;
      await (await V1Storage.open(name, { indexedDB: factory() })).close();
      const storage = await IndexedDbStorage.open(name, { indexedDB: factory() });
      expect(await storage.listTaskHubs()).toEqual([]);
      const hub = storage.taskHub('Fresh');
      await hub.createInstance(newInstance('x'));
      expect((await hub.leaseOrchestration(T0, 1000))?.messages.map((m) => m.id)).toEqual(['start-x']);
      await storage.close();
    });
  });
}
