/**
 * The storage conformance suite. Every adapter runs it in its real runtime:
 * `runStoreConformance('memory', () => new MemoryStorage())`.
 */
import { describe, expect, it } from 'vitest';
import { event, type RuntimeStatus } from '../../core/history.js';
import { historyPage } from '../../core/store/history-page.js';
import type { EpisodeCommit, InstanceRecord, NewInstance, OrchestrationMessage, Storage, TaskHubStore } from '../../core/store/port.js';
import { leaseActivities, leaseOrchestrations } from '../../core/worker/lease-many.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
let seq = 0;
const uid = (p: string) => `${p}${(++seq).toString().padStart(6, '0')}`;

export function newInstance(instanceId: string, opts: { createdTime?: string; name?: string; status?: RuntimeStatus } = {}): NewInstance {
  const createdTime = opts.createdTime ?? iso(T0);
  const executionId = uid('exec');
  return {
    record: {
      instanceId,
      name: opts.name ?? 'Hello',
      executionId,
      runtimeStatus: opts.status ?? 'Pending',
      input: '"in"',
      createdTime,
      lastUpdatedTime: createdTime,
    },
    start: message(
      instanceId,
      event('ExecutionStarted', createdTime, { name: opts.name ?? 'Hello', input: '"in"', orchestrationInstance: { instanceId, executionId } }),
      createdTime,
    ),
  };
}

export function message(instanceId: string, e: OrchestrationMessage['event'], visibleAt = iso(T0)): OrchestrationMessage {
  return { id: uid('msg'), instanceId, event: e, visibleAt };
}

function episode(record: InstanceRecord, consumed: string[], patch: Partial<EpisodeCommit> = {}): EpisodeCommit {
  const { version: _v, ...row } = record;
  return {
    instanceId: record.instanceId,
    expectedVersion: record.version,
    instance: { ...row, runtimeStatus: 'Running', lastUpdatedTime: iso(T0 + 1000) },
    history: { append: [event('OrchestratorStarted', iso(T0 + 1000), {})] },
    consumedMessageIds: consumed,
    messages: [],
    activities: [],
    newInstances: [],
    ...patch,
  };
}

/** `count` work items of activity 'F' for the record's execution: IDs `${prefix}0`, `${prefix}1`, ..., task n with input 'n'. */
function activityItems(record: InstanceRecord, prefix: string, count: number) {
  return Array.from({ length: count }, (_, n) => ({
    id: `${prefix}${n}`,
    instanceId: record.instanceId,
    executionId: record.executionId,
    taskScheduledId: n,
    name: 'F',
    input: String(n),
    enqueuedTime: iso(T0),
  }));
}

/** Leases with `batch` at T0: none for max 0, three for max 3, then the `left` that remain for max `restMax`. */
async function leaseThreeThenRest<T>(
  batch: (now: number, lockMs: number, max: number) => Promise<T[]>,
  restMax: number,
  left: number,
): Promise<{ first: T[]; all: T[] }> {
  expect(await batch(T0, 1000, 0)).toEqual([]);
  const first = await batch(T0, 1000, 3);
  expect(first).toHaveLength(3);
  const rest = await batch(T0, 1000, restMax);
  expect(rest).toHaveLength(left);
  return { first, all: [...first, ...rest] };
}

export interface ConformanceOptions {
  /** Adapter limits that the suite must respect, e.g. a smaller page size. */
  bigQuerySize?: number;
  /** The adapter takes eager leases (EpisodeCommit.leaseActivities, ActivityCompletion.leaseInstance); without it, it must decline them safely. */
  eagerDispatch?: boolean;
  /** The adapter has the optional `TaskHubStore.releaseLeases`; without it, the suite checks that it is absent. */
  releasesLeases?: boolean;
}

export function runStoreConformance(adapter: string, createStorage: () => Storage | Promise<Storage>, options: ConformanceOptions = {}): void {
  describe(`storage conformance: ${adapter}`, () => {
    let storage: Storage;
    let hub: TaskHubStore;
    const setup = async (name = 'TestHub') => {
      storage = await createStorage();
      hub = storage.taskHub(name);
      return hub;
    };
    /** Creates `instanceId` and commits an episode that schedules activity 'F' as work item `activityId`. */
    const scheduleOneActivity = async (instanceId: string, activityId: string) => {
      const created = await hub.createInstance(newInstance(instanceId));
      const activity = { id: activityId, instanceId, executionId: created.executionId, taskScheduledId: 0, name: 'F', enqueuedTime: iso(T0) };
      await hub.commit([episode(created, [], { activities: [activity] })]);
    };

    it('creates an instance with version 1, an empty history and a start message', async () => {
      await setup();
      const created = await hub.createInstance(newInstance('a1'));
      expect(created).toMatchObject({ instanceId: 'a1', runtimeStatus: 'Pending', version: 1 });
      expect(await hub.getInstance('a1')).toEqual(created);
      expect(await hub.getHistory('a1')).toEqual([]);
      expect(await hub.getInstance('missing')).toBeUndefined();
      const item = await hub.leaseOrchestration(T0, 30_000);
      expect(item?.instanceId).toBe('a1');
      expect(item?.messages.map((m) => m.event.type)).toEqual(['ExecutionStarted']);
      expect(await storage.listTaskHubs()).toContain('TestHub');
    });

    it('refuses to create over a non-terminal instance and replaces a terminal one', async () => {
      await setup();
      const first = await hub.createInstance(newInstance('dup'));
      await expect(hub.createInstance(newInstance('dup'))).rejects.toMatchObject({ name: 'InstanceAlreadyExistsError' });
      expect(await hub.getInstance('dup')).toEqual(first);
      const item = (await hub.leaseOrchestration(T0, 30_000))!;
      const [done] = await hub.commit([
        episode(
          first,
          item.messages.map((m) => m.id),
          {
            lease: item.lease,
            instance: { ...first, runtimeStatus: 'Completed', output: '1' } as never,
          },
        ),
      ]);
      expect(done).toEqual({ ok: true, version: 2 });
      expect(await hub.getHistory('dup')).toHaveLength(1);
      const again = await hub.createInstance(newInstance('dup'));
      expect(again.version).toBe(1);
      expect(again.executionId).not.toBe(first.executionId);
      expect(await hub.getHistory('dup')).toEqual([]);
    });

    it('leases an instance to one worker at a time and redelivers after the lease lapses', async () => {
      await setup();
      await hub.createInstance(newInstance('l1'));
      const a = await hub.leaseOrchestration(T0, 1000);
      expect(a?.instanceId).toBe('l1');
      expect(await hub.leaseOrchestration(T0 + 500, 1000)).toBeUndefined();
      expect(await hub.nextWakeTime()).toBe(T0 + 1000);
      const b = await hub.leaseOrchestration(T0 + 1001, 1000);
      expect(b?.instanceId).toBe('l1');
      expect(b?.lease.token).not.toBe(a?.lease.token);
      await hub.abandonOrchestration(b!);
      expect((await hub.leaseOrchestration(T0 + 1002, 1000))?.instanceId).toBe('l1');
    });

    // The batch forms are optional: an adapter without them is checked through the helper the
    // worker uses, which then calls the single form up to `max` times.
    it('leases a batch of orchestrations, each instance once (the batch form, or the helper without it)', async () => {
      await setup();
      const batch = (now: number, lockMs: number, max: number) =>
        hub.leaseOrchestrations ? hub.leaseOrchestrations(now, lockMs, max) : leaseOrchestrations(hub, now, lockMs, max);
      const created = new Map<string, InstanceRecord>();
      for (const id of ['b1', 'b2', 'b3', 'b4', 'b5']) created.set(id, await hub.createInstance(newInstance(id)));
      await hub.createInstance(newInstance('b-later', { createdTime: iso(T0 + 60_000) }));
      const { first, all } = await leaseThreeThenRest(batch, 10, 2);
      expect(new Set(all.map((w) => w.instanceId))).toEqual(new Set(created.keys()));
      expect(new Set(all.map((w) => w.lease.token)).size).toBe(5);
      for (const w of all) {
        expect(w.messages.map((m) => m.event.type)).toEqual(['ExecutionStarted']);
        expect(w.lease.expiresAt).toBe(T0 + 1000);
      }
      expect(await batch(T0 + 1, 1000, 10)).toEqual([]);
      expect(await hub.leaseOrchestration(T0 + 1, 1000)).toBeUndefined();
      // Each lease of the batch is a lease of its own: it commits its episode.
      const done = first[1]!;
      const [outcome] = await hub.commit([
        episode(
          created.get(done.instanceId)!,
          done.messages.map((m) => m.id),
          { lease: done.lease },
        ),
      ]);
      expect(outcome).toEqual({ ok: true, version: 2 });
      // The others lapse and are delivered again; the committed one has nothing left.
      const again = await batch(T0 + 1001, 1000, 10);
      expect(new Set(again.map((w) => w.instanceId))).toEqual(new Set([...created.keys()].filter((id) => id !== done.instanceId)));
      for (const w of again) expect(all.map((x) => x.lease.token)).not.toContain(w.lease.token);
      expect((await batch(T0 + 60_000, 1000, 10)).map((w) => w.instanceId).sort()).toEqual(['b-later', ...again.map((w) => w.instanceId)].sort());
    });

    it('leases a batch of activities, each once (the batch form, or the helper without it)', async () => {
      await setup();
      const batch = (now: number, lockMs: number, max: number) =>
        hub.leaseActivities ? hub.leaseActivities(now, lockMs, max) : leaseActivities(hub, now, lockMs, max);
      const created = await hub.createInstance(newInstance('ba'));
      const activities = [0, 1, 2, 3].map((n) => ({
        id: `bw${n}`,
        instanceId: 'ba',
        executionId: created.executionId,
        taskScheduledId: n,
        name: 'F',
        input: String(n),
        enqueuedTime: iso(T0),
      }));
      await hub.commit([episode(created, [], { activities })]);
      const { first, all } = await leaseThreeThenRest(batch, 3, 1);
      expect(all.map((l) => l.item).sort((a, b) => a.taskScheduledId - b.taskScheduledId)).toEqual(activities);
      expect(new Set(all.map((l) => l.lease.token)).size).toBe(4);
      for (const l of all) {
        expect(l.deliveryCount).toBe(1);
        expect(l.lease.expiresAt).toBe(T0 + 1000);
      }
      expect(await batch(T0 + 1, 1000, 3)).toEqual([]);
      expect(await hub.leaseActivity(T0 + 1, 1000)).toBeUndefined();
      const done = first[0]!;
      const result = message('ba', event('TaskCompleted', iso(T0), { taskScheduledId: done.item.taskScheduledId, result: '1' }));
      expect(await hub.completeActivities([{ leased: done, result }])).toEqual([{ applied: true }]);
      const again = await batch(T0 + 1001, 1000, 10);
      expect(again.map((l) => l.item.id).sort()).toEqual(activities.map((a) => a.id).filter((id) => id !== done.item.id));
      for (const l of again) expect(l.deliveryCount).toBe(2);
    });

    it(`eager dispatch: a commit ${options.eagerDispatch ? 'leases' : 'may decline to lease'} the activities it schedules, up to max`, async () => {
      await setup();
      const created = await hub.createInstance(newInstance('ea'));
      const start = (await hub.leaseOrchestration(T0, 1000))!;
      const activities = activityItems(created, 'ea', 3);
      const [outcome] = await hub.commit([
        episode(
          created,
          start.messages.map((m) => m.id),
          { lease: start.lease, activities, leaseActivities: { now: T0 + 5, lockMs: 1000, max: 2 } },
        ),
      ]);
      expect(outcome).toMatchObject({ ok: true, version: 2 });
      const eager = (outcome!.ok && outcome!.leasedActivities) || [];
      expect(eager).toHaveLength(options.eagerDispatch ? 2 : 0);
      for (const l of eager) {
        expect(l.deliveryCount).toBe(1);
        expect(l.lease.expiresAt).toBe(T0 + 1005);
      }
      expect(new Set(eager.map((l) => l.item.id)).size).toBe(eager.length);
      // Whatever was not handed back is queued as usual; what was is leased, not delivered twice.
      const queued = await leaseActivities(hub, T0 + 5, 1000, 10);
      expect([...eager, ...queued].map((l) => l.item).sort((a, b) => a.taskScheduledId - b.taskScheduledId)).toEqual(activities);
      // An eager lease is a lease: it completes with its token, and lapses like any other.
      if (eager[0]) {
        const result = message('ea', event('TaskCompleted', iso(T0), { taskScheduledId: eager[0].item.taskScheduledId, result: '1' }));
        expect(await hub.completeActivities([{ leased: eager[0], result }])).toEqual([{ applied: true }]);
      }
      const redelivered = await leaseActivities(hub, T0 + 1006, 1000, 10);
      expect(redelivered.map((l) => l.item.id).sort()).toEqual(activities.map((a) => a.id).filter((id) => id !== eager[0]?.item.id));
      for (const l of redelivered) expect(l.deliveryCount).toBe(2);
    });

    /** Creates instance `id`, commits its first episode scheduling `count` activities, and leases them for `lockMs`, in order. */
    const scheduled = async (id: string, count = 1, lockMs = 1000) => {
      const created = await hub.createInstance(newInstance(id));
      const start = (await hub.leaseOrchestration(T0, 1000))!;
      const activities = activityItems(created, `${id}-a`, count);
      const [committed] = await hub.commit([
        episode(
          created,
          start.messages.map((m) => m.id),
          { lease: start.lease, activities },
        ),
      ]);
      expect(committed).toEqual({ ok: true, version: 2 });
      const leased = (await leaseActivities(hub, T0, lockMs, count)).sort((x, y) => x.item.taskScheduledId - y.item.taskScheduledId);
      return { record: (await hub.getInstance(id))!, leased };
    };

    it(`eager dispatch: a completion ${options.eagerDispatch ? 'leases' : 'may decline to lease'} its free instance with every visible message`, async () => {
      await setup();
      const {
        leased: [a, b],
      } = await scheduled('ec', 2, 5000);
      const raised = message('ec', event('EventRaised', iso(T0), { name: 'E' }));
      await hub.enqueueMessages([raised]);
      const result = (l: typeof a) =>
        message('ec', event('TaskCompleted', iso(T0 + 10), { taskScheduledId: l!.item.taskScheduledId, result: '1' }), iso(T0 + 10));
      const ra = result(a),
        rb = result(b);
      const lease = { now: T0 + 10, lockMs: 1000 };
      // Two completions for one instance in one call: it is leased once, with both results and the event.
      const outcomes = await hub.completeActivities([
        { leased: a!, result: ra, leaseInstance: lease },
        { leased: b!, result: rb, leaseInstance: lease },
      ]);
      expect(outcomes.map((o) => o.applied)).toEqual([true, true]);
      const items = outcomes.flatMap((o) => (o.workItem ? [o.workItem] : []));
      expect(items).toHaveLength(options.eagerDispatch ? 1 : 0);
      const item = items[0] ?? (await hub.leaseOrchestration(T0 + 10, 1000))!;
      expect(item.instanceId).toBe('ec');
      expect(item.messages.map((m) => m.id)).toEqual([raised.id, ra.id, rb.id]);
      if (items[0]) expect(item.lease.expiresAt).toBe(T0 + 1010);
      // Leased: nobody else gets it, and its commit is accepted.
      expect(await hub.leaseOrchestration(T0 + 11, 1000)).toBeUndefined();
      const current = (await hub.getInstance('ec'))!;
      expect(
        await hub.commit([
          episode(
            current,
            item.messages.map((m) => m.id),
            { lease: item.lease },
          ),
        ]),
      ).toEqual([{ ok: true, version: 3 }]);
      expect(await hub.leaseOrchestration(T0 + 2000, 1000)).toBeUndefined();
    });

    it('eager dispatch: a completion does not lease an instance another worker holds, nor for a lost activity lease', async () => {
      await setup();
      const {
        leased: [a, b],
      } = await scheduled('eh', 2, 1000);
      await hub.enqueueMessages([message('eh', event('EventRaised', iso(T0), { name: 'E' }))]);
      const holder = (await hub.leaseOrchestration(T0 + 1, 5000))!;
      expect(holder.instanceId).toBe('eh');
      const done = (l: typeof a) => message('eh', event('TaskCompleted', iso(T0 + 2), { taskScheduledId: l!.item.taskScheduledId, result: '1' }), iso(T0 + 2));
      const [held] = await hub.completeActivities([{ leased: a!, result: done(a), leaseInstance: { now: T0 + 2, lockMs: 1000 } }]);
      expect(held).toEqual({ applied: true });
      // b's lease lapses and is taken over: its old holder's completion is dropped and leases nothing.
      const taken = (await leaseActivities(hub, T0 + 1001, 1000, 1))[0]!;
      expect(taken.item.id).toBe(b!.item.id);
      const [lost] = await hub.completeActivities([{ leased: b!, result: done(b), leaseInstance: { now: T0 + 1002, lockMs: 1000 } }]);
      expect(lost).toEqual({ applied: false });
      // The holder's lease lapses; the result that arrived meanwhile is delivered the usual way.
      const next = (await hub.leaseOrchestration(T0 + 5001, 1000))!;
      expect(next.messages.map((m) => m.event.type)).toEqual(['EventRaised', 'TaskCompleted']);
    });

    // EpisodeCommit.completesActivities: the worker that ran an activity records its result in
    // an episode directly, as if it had completed the activity, leased the instance with exactly
    // that result and committed, in one atomic step; anything else in the way is a conflict.
    const recorded = (record: InstanceRecord, leased: Awaited<ReturnType<typeof scheduled>>['leased'], now: number, patch: Partial<EpisodeCommit> = {}) =>
      episode(record, [], {
        history: {
          append: [
            event('OrchestratorStarted', iso(now), {}),
            ...leased.map((l) => event('TaskCompleted', iso(now), { taskScheduledId: l.item.taskScheduledId, result: '"done"' })),
          ],
        },
        completesActivities: { now, activities: leased },
        ...patch,
      });

    it('an episode records the results of activities it ran: completed, recorded and moved on in one commit', async () => {
      await setup();
      const { record, leased } = await scheduled('ra', 2);
      const next = { id: 'ra-next', instanceId: 'ra', executionId: record.executionId, taskScheduledId: 2, name: 'F', input: '2', enqueuedTime: iso(T0 + 10) };
      // A timer that is not due yet is not in the way.
      await hub.enqueueMessages([message('ra', event('TimerFired', iso(T0), { timerId: 9, fireAt: iso(T0 + 60_000) }), iso(T0 + 60_000))]);
      const [outcome] = await hub.commit([recorded(record, leased, T0 + 10, { activities: [next] })]);
      expect(outcome).toMatchObject({ ok: true, version: 3 });
      expect((await hub.getHistory('ra')).map((e) => e.type)).toEqual(['OrchestratorStarted', 'OrchestratorStarted', 'TaskCompleted', 'TaskCompleted']);
      // The activities are done: never delivered again, and their holder's late completion is dropped.
      const redelivered = await leaseActivities(hub, T0 + 5000, 1000, 10);
      expect(redelivered.map((l) => l.item.id)).toEqual(['ra-next']);
      const late = message('ra', event('TaskCompleted', iso(T0 + 20), { taskScheduledId: 0, result: '"again"' }));
      expect(await hub.completeActivities([{ leased: leased[0]!, result: late }])).toEqual([{ applied: false }]);
      // No result went through the queue: only the timer waits for the instance.
      expect(await hub.leaseOrchestration(T0 + 5000, 1000)).toBeUndefined();
      expect((await hub.leaseOrchestration(T0 + 60_000, 1000))?.messages.map((m) => m.event.type)).toEqual(['TimerFired']);
    });

    it('recording activity results directly is a conflict, writing nothing, when anything else is in the way', async () => {
      await setup();
      const unchanged = async (id: string, record: InstanceRecord) => {
        expect(await hub.getInstance(id)).toEqual(record);
        expect(await hub.getHistory(id)).toHaveLength(1);
      };
      // A message visible before the result, leased by another worker or not: it comes first, through the queue.
      {
        const { record, leased } = await scheduled('rm');
        const raised = message('rm', event('EventRaised', iso(T0 + 5), { name: 'E' }), iso(T0 + 5));
        await hub.enqueueMessages([raised]);
        expect(await hub.commit([recorded(record, leased, T0 + 10)])).toMatchObject([{ ok: false }]);
        await unchanged('rm', record);
        const holder = (await hub.leaseOrchestration(T0 + 10, 1000))!;
        expect(holder.instanceId).toBe('rm');
        expect(await hub.commit([recorded(record, leased, T0 + 11)])).toMatchObject([{ ok: false }]);
        await unchanged('rm', record);
        await hub.abandonOrchestration(holder);
        // The activity is still held: it completes the usual way, after the event.
        const result = message('rm', event('TaskCompleted', iso(T0 + 10), { taskScheduledId: 0, result: '"done"' }), iso(T0 + 10));
        expect(await hub.completeActivities([{ leased: leased[0]!, result }])).toEqual([{ applied: true }]);
        expect((await hub.leaseOrchestration(T0 + 10, 1000))?.messages.map((m) => m.id)).toEqual([raised.id, result.id]);
      }
      // The activity's lease was lost: it lapsed and another worker holds it now.
      {
        const { record, leased } = await scheduled('rx');
        const taken = await leaseActivities(hub, T0 + 1001, 1000, 1);
        expect(taken.map((l) => l.item.id)).toEqual([leased[0]!.item.id]);
        expect(await hub.commit([recorded(record, leased, T0 + 1002)])).toMatchObject([{ ok: false }]);
        await unchanged('rx', record);
        const result = message('rx', event('TaskCompleted', iso(T0 + 1003), { taskScheduledId: 0, result: '"done"' }), iso(T0 + 1003));
        expect(await hub.completeActivities([{ leased: taken[0]!, result }])).toEqual([{ applied: true }]);
      }
      // A stale version.
      {
        const { record, leased } = await scheduled('rv');
        expect(await hub.commit([recorded({ ...record, version: record.version - 1 }, leased, T0 + 10)])).toMatchObject([{ ok: false }]);
        await unchanged('rv', record);
        expect(await hub.commit([recorded(record, leased, T0 + 10)])).toMatchObject([{ ok: true, version: 3 }]);
      }
    });

    it('holds a delayed message back until it is visible and reports when to wake', async () => {
      await setup();
      const created = await hub.createInstance(newInstance('t1'));
      const start = (await hub.leaseOrchestration(T0, 1000))!;
      await hub.commit([
        episode(
          created,
          start.messages.map((m) => m.id),
          { lease: start.lease },
        ),
      ]);
      const fireAt = T0 + 60_000;
      await hub.enqueueMessages([message('t1', event('TimerFired', iso(T0), { timerId: 0, fireAt: iso(fireAt) }), iso(fireAt))]);
      expect(await hub.leaseOrchestration(T0 + 59_999, 1000)).toBeUndefined();
      expect(await hub.nextWakeTime()).toBe(fireAt);
      const item = await hub.leaseOrchestration(fireAt, 1000);
      expect(item?.messages.map((m) => m.event.type)).toEqual(['TimerFired']);
    });

    it('commits an episode atomically and refuses a stale version without changing anything', async () => {
      await setup();
      const created = await hub.createInstance(newInstance('c1'));
      const item = (await hub.leaseOrchestration(T0, 30_000))!;
      const activity = {
        id: uid('act'),
        instanceId: 'c1',
        executionId: created.executionId,
        taskScheduledId: 0,
        name: 'SayHello',
        input: '"Tokyo"',
        enqueuedTime: iso(T0),
      };
      const commit = episode(
        created,
        item.messages.map((m) => m.id),
        {
          lease: item.lease,
          history: { append: [event('OrchestratorStarted', iso(T0), {}), event('TaskScheduled', iso(T0), { name: 'SayHello', input: '"Tokyo"' }, 0)] },
          activities: [activity],
        },
      );
      expect(await hub.commit([commit])).toEqual([{ ok: true, version: 2 }]);
      const stale = await hub.commit([{ ...commit, history: { append: [event('OrchestratorCompleted', iso(T0), {})] } }]);
      expect(stale[0]).toMatchObject({ ok: false, error: { name: 'VersionConflictError' } });
      expect((await hub.getHistory('c1')).map((e) => e.type)).toEqual(['OrchestratorStarted', 'TaskScheduled']);
      expect((await hub.getInstance('c1'))?.version).toBe(2);
      expect(await hub.leaseOrchestration(T0 + 1, 30_000)).toBeUndefined();
      const leased = await hub.leaseActivity(T0 + 1, 30_000);
      expect(leased?.item).toEqual(activity);
      expect(leased?.deliveryCount).toBe(1);
    });

    it('keeps messages that arrived during an episode', async () => {
      await setup();
      const created = await hub.createInstance(newInstance('m1'));
      const item = (await hub.leaseOrchestration(T0, 30_000))!;
      await hub.enqueueMessages([message('m1', event('EventRaised', iso(T0), { name: 'Approval', input: 'true' }))]);
      await hub.commit([
        episode(
          created,
          item.messages.map((m) => m.id),
          { lease: item.lease },
        ),
      ]);
      const next = await hub.leaseOrchestration(T0 + 1, 30_000);
      expect(next?.messages.map((m) => m.event.type)).toEqual(['EventRaised']);
    });

    it('commits several episodes independently: one conflict does not block the others', async () => {
      await setup();
      const x = await hub.createInstance(newInstance('x'));
      const y = await hub.createInstance(newInstance('y'));
      const outcomes = await hub.commit([episode(x, []), { ...episode(y, []), expectedVersion: 7 }]);
      expect(outcomes[0]).toEqual({ ok: true, version: 2 });
      expect(outcomes[1]).toMatchObject({ ok: false, error: { name: 'VersionConflictError' } });
      expect((await hub.getInstance('y'))?.version).toBe(1);
    });

    it('replaces the history and creates child instances in the same commit', async () => {
      await setup();
      const parent = await hub.createInstance(newInstance('p1'));
      await hub.commit([
        episode(parent, [], {
          history: { replace: [event('ExecutionStarted', iso(T0), { name: 'Hello', orchestrationInstance: { instanceId: 'p1', executionId: 'e2' } })] },
          newInstances: [newInstance('p1:child')],
        }),
      ]);
      expect((await hub.getHistory('p1')).map((e) => e.type)).toEqual(['ExecutionStarted']);
      expect((await hub.getInstance('p1:child'))?.runtimeStatus).toBe('Pending');
      const reparent = (await hub.getInstance('p1'))!;
      const [clash] = await hub.commit([episode(reparent, [], { newInstances: [newInstance('p1:child')] })]);
      expect(clash).toMatchObject({ ok: false, error: { name: 'InstanceAlreadyExistsError' } });
      expect((await hub.getInstance('p1'))?.version).toBe(reparent.version);
    });

    it('completes an activity by enqueueing its result, once, and redelivers a lapsed lease', async () => {
      await setup();
      await scheduleOneActivity('a', 'w1');
      const first = (await hub.leaseActivity(T0, 1000))!;
      expect(await hub.leaseActivity(T0 + 10, 1000)).toBeUndefined();
      const second = (await hub.leaseActivity(T0 + 1001, 1000))!;
      expect(second.deliveryCount).toBe(2);
      const result = (taskId: number) => message('a', event('TaskCompleted', iso(T0), { taskScheduledId: taskId, result: '1' }));
      expect(await hub.completeActivities([{ leased: first, result: result(0) }])).toEqual([{ applied: false }]);
      expect(await hub.completeActivities([{ leased: second, result: result(0) }])).toEqual([{ applied: true }]);
      expect(await hub.completeActivities([{ leased: second, result: result(0) }])).toEqual([{ applied: false }]);
      const item = await hub.leaseOrchestration(T0 + 2000, 1000);
      expect(item?.messages.filter((m) => m.event.type === 'TaskCompleted')).toHaveLength(1);
      expect(await hub.leaseActivity(T0 + 5000, 1000)).toBeUndefined();
    });

    it('abandons an activity until a later time', async () => {
      await setup();
      await scheduleOneActivity('ab', 'w2');
      const leased = (await hub.leaseActivity(T0, 1000))!;
      await hub.abandonActivity(leased, T0 + 5000);
      expect(await hub.leaseActivity(T0 + 4999, 1000)).toBeUndefined();
      expect((await hub.leaseActivity(T0 + 5000, 1000))?.item.id).toBe('w2');
    });

    it('discards messages an instance cannot take', async () => {
      await setup();
      await hub.enqueueMessages([message('ghost', event('EventRaised', iso(T0), { name: 'x' }))]);
      const item = (await hub.leaseOrchestration(T0, 1000))!;
      expect(item.instanceId).toBe('ghost');
      await hub.discardMessages(
        item,
        item.messages.map((m) => m.id),
      );
      expect(await hub.leaseOrchestration(T0 + 2000, 1000)).toBeUndefined();
    });

    it('queries by status, time range and prefix, in pages that are disjoint and complete', async () => {
      await setup();
      const n = options.bigQuerySize ?? 25;
      const id = (i: number) => `q-${i % 2 ? 'odd' : 'even'}-${String(i).padStart(3, '0')}`;
      for (let i = 0; i < n; i++) {
        await hub.createInstance(newInstance(id(i), { createdTime: iso(T0 + i * 1000) }));
      }
      const all: string[] = [];
      let token: string | undefined;
      do {
        const page = await hub.queryInstances({ pageSize: 4, continuationToken: token });
        expect(page.instances.length).toBeLessThanOrEqual(4);
        all.push(...page.instances.map((r) => r.instanceId));
        token = page.continuationToken;
      } while (token);
      expect(all).toEqual(Array.from({ length: n }, (_, i) => id(n - 1 - i))); // newest first, each once

      const range = await hub.queryInstances({ createdTimeFrom: iso(T0 + 5000), createdTimeTo: iso(T0 + 9000) });
      expect(range.instances.map((r) => r.createdTime)).toEqual([9, 8, 7, 6, 5].map((s) => iso(T0 + s * 1000)));
      // A range open at its end, with and without a status, and paged on from a token.
      const from = iso(T0 + (n - 3) * 1000);
      expect((await hub.queryInstances({ createdTimeFrom: from })).instances.map((r) => r.createdTime)).toEqual(
        [n - 1, n - 2, n - 3].map((s) => iso(T0 + s * 1000)),
      );
      const fromPage = await hub.queryInstances({ createdTimeFrom: from, runtimeStatus: ['Pending'], pageSize: 2 });
      expect(fromPage.instances).toHaveLength(2);
      expect(
        (await hub.queryInstances({ createdTimeFrom: from, runtimeStatus: ['Pending'], continuationToken: fromPage.continuationToken })).instances,
      ).toHaveLength(1);

      const prefixed: string[] = [];
      token = undefined;
      do {
        const page = await hub.queryInstances({ instanceIdPrefix: 'q-odd-', pageSize: 3, continuationToken: token });
        prefixed.push(...page.instances.map((r) => r.instanceId));
        token = page.continuationToken;
      } while (token);
      expect(prefixed).toEqual([...prefixed].sort());
      expect(prefixed).toHaveLength(Math.floor(n / 2));

      const running = (await hub.getInstance('q-even-000'))!;
      await hub.commit([episode(running, [])]);
      const byStatus = await hub.queryInstances({ runtimeStatus: ['Running'] });
      expect(byStatus.instances.map((r) => r.instanceId)).toEqual(['q-even-000']);
      expect((await hub.queryInstances({ runtimeStatus: ['Completed'] })).instances).toEqual([]);
    });

    it('rejects malformed queries with InvalidArgumentError', async () => {
      await setup();
      await expect(hub.queryInstances({ continuationToken: 'not-a-token' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
      await expect(hub.queryInstances({ pageSize: 0 })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
      await expect(hub.queryInstances({ createdTimeFrom: 'yesterday' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
      await expect(hub.queryInstances({ runtimeStatus: ['Sleeping' as RuntimeStatus] })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    });

    it('purges one terminal instance with its history and work, and refuses other statuses', async () => {
      await setup();
      const created = await hub.createInstance(newInstance('pg'));
      expect(await hub.purgeInstance('pg', ['Completed', 'Failed', 'Terminated'])).toBe(0);
      expect(await hub.getInstance('pg')).toBeDefined();
      const item = (await hub.leaseOrchestration(T0, 1000))!;
      await hub.commit([
        episode(
          created,
          item.messages.map((m) => m.id),
          {
            lease: item.lease,
            instance: { ...created, runtimeStatus: 'Failed' } as never,
          },
        ),
      ]);
      await hub.enqueueMessages([message('pg', event('EventRaised', iso(T0), { name: 'late' }))]);
      expect(await hub.purgeInstance('pg', ['Completed', 'Failed', 'Terminated'])).toBe(1);
      expect(await hub.getInstance('pg')).toBeUndefined();
      expect(await hub.getHistory('pg')).toEqual([]);
      expect(await hub.leaseOrchestration(T0 + 5000, 1000)).toBeUndefined();
      expect(await hub.purgeInstance('pg', ['Completed', 'Failed', 'Terminated'])).toBe(0);
    });

    it('purges by filter only terminal instances in the range', async () => {
      await setup();
      for (const [id, status, s] of [
        ['f1', 'Completed', 1],
        ['f2', 'Failed', 2],
        ['f3', 'Completed', 30],
        ['f4', 'Running', 3],
      ] as const) {
        const created = await hub.createInstance(newInstance(id, { createdTime: iso(T0 + s * 1000) }));
        await hub.commit([episode(created, [], { instance: { ...created, runtimeStatus: status } as never })]);
      }
      await expect(hub.purgeInstances({ runtimeStatus: ['Running'] })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
      expect(await hub.purgeInstances({ createdTimeFrom: iso(T0), createdTimeTo: iso(T0 + 10_000), runtimeStatus: ['Completed'] })).toBe(1);
      expect(await hub.purgeInstances({ createdTimeTo: iso(T0 + 10_000) })).toBe(1);
      expect((await hub.queryInstances({})).instances.map((r) => r.instanceId).sort()).toEqual(['f3', 'f4']);
    });

    it(`releaseLeases: ${options.releasesLeases ? 'every lease of the hub goes at once, and its work is delivered again' : 'absent'}`, async () => {
      await setup();
      expect(typeof hub.releaseLeases).toBe(options.releasesLeases ? 'function' : 'undefined');
      if (!hub.releaseLeases) return;
      const other = storage.taskHub('OtherHub');
      // Five activities of one instance: those its commit leases eagerly where the store does, the rest from the queue.
      const created = await hub.createInstance(newInstance('rl'));
      const start = (await hub.leaseOrchestration(T0, 1000))!;
      const activities = [0, 1, 2, 3, 4].map((n) => ({
        id: `rl-a${n}`,
        instanceId: 'rl',
        executionId: created.executionId,
        taskScheduledId: n,
        name: 'F',
        enqueuedTime: iso(T0),
      }));
      const [committed] = await hub.commit([
        episode(
          created,
          start.messages.map((m) => m.id),
          { lease: start.lease, activities, leaseActivities: { now: T0, lockMs: 300_000, max: 2 } },
        ),
      ]);
      const held = [...((committed!.ok && committed!.leasedActivities) || []), ...(await leaseActivities(hub, T0, 300_000, 10))];
      expect(held).toHaveLength(5);
      // Two instances under live leases, and one in another hub.
      for (const id of ['rl2', 'rl3']) await hub.createInstance(newInstance(id));
      await other.createInstance(newInstance('rl-other'));
      const leased = await leaseOrchestrations(hub, T0, 30_000, 10);
      expect(leased.map((w) => w.instanceId).sort()).toEqual(['rl2', 'rl3']);
      expect((await other.leaseOrchestration(T0, 30_000))?.instanceId).toBe('rl-other');

      expect(await hub.releaseLeases()).toEqual({ instances: 2, activities: 5 });
      expect(await hub.releaseLeases()).toEqual({ instances: 0, activities: 0 });
      // Delivered again at once, long before the leases would have lapsed, each under a new lease.
      const again = await leaseOrchestrations(hub, T0 + 1, 30_000, 10);
      expect(again.map((w) => w.instanceId).sort()).toEqual(['rl2', 'rl3']);
      const redelivered = await leaseActivities(hub, T0 + 1, 300_000, 10);
      expect(redelivered.map((l) => l.item.id).sort()).toEqual(activities.map((a) => a.id));
      for (const l of redelivered) expect(l.deliveryCount).toBe(2);
      // Of the old and the new holder of an instance, one commits (stores that fence by lease refuse the old one, the others the later one).
      const rl2 = (await hub.getInstance('rl2'))!;
      const holders = [leased, again].map((items) => items.find((w) => w.instanceId === 'rl2')!);
      const outcomes = [];
      for (const w of holders)
        outcomes.push(
          ...(await hub.commit([
            episode(
              rl2,
              w.messages.map((m) => m.id),
              { lease: w.lease },
            ),
          ])),
        );
      expect(outcomes.filter((o) => o.ok)).toEqual([{ ok: true, version: 2 }]);
      // A released activity lease holds nothing: its completion is dropped; the new holder's goes through.
      const result = message('rl', event('TaskCompleted', iso(T0 + 2), { taskScheduledId: held[0]!.item.taskScheduledId, result: '1' }));
      expect(await hub.completeActivities([{ leased: held[0]!, result }])).toEqual([{ applied: false }]);
      const retaken = redelivered.find((l) => l.item.id === held[0]!.item.id)!;
      expect(await hub.completeActivities([{ leased: retaken, result }])).toEqual([{ applied: true }]);
      // Another hub's leases stay.
      expect(await other.leaseOrchestration(T0 + 1, 30_000)).toBeUndefined();
    });

    it('counts instances per status from its index: every status present, kept through commits, replacement, conflicts and purges', async () => {
      await setup();
      const zero = { Pending: 0, Running: 0, Completed: 0, ContinuedAsNew: 0, Failed: 0, Terminated: 0, Suspended: 0 };
      expect(await hub.countInstances({})).toEqual(zero);
      const other = storage.taskHub('OtherHub');
      await other.createInstance(newInstance('elsewhere'));
      const at = (s: number) => iso(T0 + s * 1000);
      const made: Record<string, InstanceRecord> = {};
      for (const [id, s] of [
        ['c1', 1],
        ['c2', 2],
        ['c3', 3],
        ['c4', 4],
        ['c5', 5],
      ] as const)
        made[id] = await hub.createInstance(newInstance(id, { createdTime: at(s) }));
      expect(await hub.countInstances({})).toEqual({ ...zero, Pending: 5 });
      const move = async (id: string, status: RuntimeStatus, patch: Partial<EpisodeCommit> = {}) => {
        const current = (await hub.getInstance(id))!;
        const [outcome] = await hub.commit([episode(current, [], { instance: { ...current, runtimeStatus: status } as never, ...patch })]);
        expect(outcome?.ok).toBe(true);
      };
      await move('c1', 'Running');
      await move('c2', 'Completed');
      await move('c3', 'Failed');
      await move('c4', 'Running', { newInstances: [newInstance('c4:child', { createdTime: at(6) })] });
      await move('c4', 'Running');
      expect(await hub.countInstances({})).toEqual({ ...zero, Pending: 2, Running: 2, Completed: 1, Failed: 1 });
      // A stale commit changes nothing, counts included.
      const [stale] = await hub.commit([episode(made.c5!, [], { expectedVersion: 9, instance: { ...made.c5!, runtimeStatus: 'Terminated' } as never })]);
      expect(stale?.ok).toBe(false);
      // Re-creating over a terminal instance replaces it: Completed one fewer, Pending one more.
      await hub.createInstance(newInstance('c2', { createdTime: at(2) }));
      expect(await hub.countInstances({})).toEqual({ ...zero, Pending: 3, Running: 2, Failed: 1 });
      // The created-time range is inclusive at both ends, either end open.
      expect(await hub.countInstances({ createdTimeFrom: at(2), createdTimeTo: at(4) })).toEqual({ ...zero, Pending: 1, Running: 1, Failed: 1 });
      expect(await hub.countInstances({ createdTimeFrom: at(4) })).toEqual({ ...zero, Pending: 2, Running: 1 });
      const listed = await hub.queryInstances({ createdTimeFrom: at(4) });
      expect(listed.instances.map((r) => r.instanceId)).toEqual(['c4:child', 'c5', 'c4']);
      expect(await hub.countInstances({ createdTimeTo: '2026-01-01T01:00:01+01:00' })).toEqual({ ...zero, Running: 1 });
      await expect(hub.countInstances({ createdTimeFrom: 'yesterday' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
      expect(await hub.purgeInstance('c3', ['Failed'])).toBe(1);
      await move('c1', 'Completed');
      expect(await hub.purgeInstances({ runtimeStatus: ['Completed'] })).toBe(1);
      expect(await hub.countInstances({})).toEqual({ ...zero, Pending: 3, Running: 1 });
      expect(await other.countInstances({})).toEqual({ ...zero, Pending: 1 });
      expect(await storage.deleteTaskHub('TestHub')).toBe(true);
      expect(await storage.taskHub('TestHub').countInstances({})).toEqual(zero);
      await storage.taskHub('TestHub').createInstance(newInstance('after'));
      expect(await storage.taskHub('TestHub').countInstances({})).toEqual({ ...zero, Pending: 1 });
    });

    it('reads a page of history: the rows of getHistory from a position, with its length, across appends and a replace', async () => {
      await setup();
      const created = await hub.createInstance(newInstance('hp'));
      const events = Array.from({ length: 7 }, (_, n) => event('EventRaised', iso(T0 + n), { name: `e${n}` }));
      let version = created.version;
      for (const chunk of [events.slice(0, 3), events.slice(3, 4), events.slice(4)]) {
        const [outcome] = await hub.commit([episode({ ...created, version }, [], { history: { append: chunk } })]);
        version = outcome!.ok ? outcome!.version : -1;
      }
      expect(await hub.getHistory('hp')).toEqual(events);
      expect(await historyPage(hub, 'hp', 0, 100)).toEqual({ events, total: 7 });
      expect(await historyPage(hub, 'hp', 2, 3)).toEqual({ events: events.slice(2, 5), total: 7 });
      expect(await historyPage(hub, 'hp', 5, 10)).toEqual({ events: events.slice(5), total: 7 });
      expect(await historyPage(hub, 'hp', 7, 10)).toEqual({ events: [], total: 7 });
      expect(await historyPage(hub, 'hp', 50, 1)).toEqual({ events: [], total: 7 });
      const fresh = [
        event('ExecutionStarted', iso(T0 + 9), { name: 'Hello', orchestrationInstance: { instanceId: 'hp', executionId: 'e2' } }),
        event('EventRaised', iso(T0 + 10), { name: 'x' }),
      ];
      await hub.commit([episode({ ...created, version }, [], { history: { replace: fresh } })]);
      expect(await historyPage(hub, 'hp', 1, 5)).toEqual({ events: fresh.slice(1), total: 2 });
      expect(await historyPage(hub, 'missing', 0, 5)).toEqual({ events: [], total: 0 });
      // A long history, appended in runs of uneven length: every page is the same slice of it.
      let long = (await hub.getInstance('hp'))!;
      for (let run = 0; run < 14; run++) {
        const append = Array.from({ length: 3 + ((run * 7) % 11) }, (_, n) => event('EventRaised', iso(T0 + run * 100 + n), { name: `r${run}-${n}` }));
        const [outcome] = await hub.commit([episode(long, [], { history: { append } })]);
        expect(outcome?.ok).toBe(true);
        long = (await hub.getInstance('hp'))!;
      }
      const all = await hub.getHistory('hp');
      expect(all.length).toBeGreaterThan(100);
      for (const [from, top] of [
        [0, 1],
        [0, 1000],
        [1, 17],
        [9, 40],
        [33, 5],
        [all.length - 3, 10],
        [all.length - 1, 1],
      ] as const) {
        expect(await historyPage(hub, 'hp', from, top)).toEqual({ events: all.slice(from, from + top), total: all.length });
      }
      await expect(historyPage(hub, 'hp', -1, 5)).rejects.toMatchObject({ name: 'InvalidArgumentError' });
      await expect(historyPage(hub, 'hp', 0, 1001)).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    });

    it('keeps task hubs apart, lists them and deletes one whole', async () => {
      await setup('HubA');
      const other = storage.taskHub('HubB');
      await hub.createInstance(newInstance('same-id'));
      await other.createInstance(newInstance('same-id', { name: 'Other' }));
      expect((await hub.getInstance('same-id'))?.name).toBe('Hello');
      expect((await other.getInstance('same-id'))?.name).toBe('Other');
      expect(await storage.listTaskHubs()).toEqual(expect.arrayContaining(['HubA', 'HubB']));
      expect(await storage.deleteTaskHub('HubB')).toBe(true);
      expect(await storage.listTaskHubs()).not.toContain('HubB');
      expect(await storage.taskHub('HubB').getInstance('same-id')).toBeUndefined();
      expect((await hub.getInstance('same-id'))?.name).toBe('Hello');
      expect(await storage.deleteTaskHub('NeverThere')).toBe(false);
    });
  });
}
