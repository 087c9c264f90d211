/**
 * The KV adapter on KV that behaves like production (stale reads, cached misses, 1 write/s
 * per key, lagging list), driving the real engine: which guarantees hold with one writer,
 * what a handover needs, and what a second writer breaks.
 */
import { describe, expect, it } from 'vitest';
import { DurableClient, type HistoryEvent, type Storage, VirtualClock, Worker } from '../../core/index.js';
import { KvStorage, KvWriterConflictError } from '../../core/store/kv/index.js';
import { registerSamples } from '../../samples/index.js';
import { newInstance } from '../conformance/store.case.js';
import { StaleKv } from './kv-fakes.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const productionLike = { staleReadsAfterWrite: 5, cacheTtlMs: 60_000, listLagMs: 60_000 };

function engine(storage: Storage, clock: VirtualClock, activities = 64) {
  const app = registerSamples();
  const client = new DurableClient({ storage, app, clock, taskHub: 'Hub' });
  const store = storage.taskHub(client.taskHubName);
  const worker = new Worker(app, store, {
    clock,
    maxConcurrentActivities: activities,
    onError: (e) => {
      throw e;
    },
  });
  const settle = async (timers = false) => {
    for (;;) {
      await worker.runUntilIdle();
      const next = timers ? await store.nextWakeTime() : undefined;
      if (next === undefined) return;
      clock.advanceTo(Math.max(next, clock.now()));
    }
  };
  return { client, store, worker, settle };
}

/** Each scheduled task is recorded once and completed at most once. */
function expectNoDuplicates(history: HistoryEvent[]): void {
  const scheduled = history.filter((e) => e.type === 'TaskScheduled').map((e) => e.eventId);
  const completed = history.flatMap((e) => (e.type === 'TaskCompleted' || e.type === 'TaskFailed' ? [e.taskScheduledId] : []));
  expect(new Set(scheduled).size).toBe(scheduled.length);
  expect(new Set(completed).size).toBe(completed.length);
  for (const id of completed) expect(scheduled).toContain(id);
  expect(history.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
}

describe('KV adapter on production-like KV', () => {
  it('one writer: samples complete with exact histories and no write ever hits the 1 write/s limit', async () => {
    const clock = new VirtualClock(T0);
    const kv = new StaleKv(clock, productionLike);
    const { client, settle } = engine(new KvStorage(kv, { clock, snapshotEvery: 4 }), clock);
    const ids = await Promise.all([1, 2, 3].map(() => client.startNew('HelloSequence')));
    const fan = await client.startNew('FanOutFanIn', { input: 20 });
    const approval = await client.startNew('Approval', { input: { timeoutSeconds: 60 } });
    await settle();
    await client.raiseEvent(approval, 'Approval', true);
    await settle(true);
    for (const id of ids) expect((await client.getStatus(id))?.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    expect((await client.getStatus(fan))?.output).toBe(2870);
    expect((await client.getStatus(approval))?.output).toBe('approved');
    for (const id of [...ids, fan, approval]) expectNoDuplicates(await client.getHistory(id));
    expect(kv.stats.rateLimited).toBe(0);
    // Nothing the writer relied on was stale: it never reads back what it wrote.
    expect(kv.stats.staleServed).toBe(0);
  });

  it('a new writer after the 60 s quiet period rebuilds the exact durable state and redelivers unfinished work once', async () => {
    const clock = new VirtualClock(T0);
    const kv = new StaleKv(clock, productionLike);
    const a = engine(new KvStorage(kv, { clock, snapshotEvery: 3 }), clock, 0);
    const done = await a.client.startNew('HelloSequence', { instanceId: 'done' });
    const waiting = await a.client.startNew('LongTimer', { instanceId: 'timer', input: { seconds: 600 } });
    const midway = await a.client.startNew('HelloSequence', { instanceId: 'midway' });
    await a.settle(); // no activity worker: 'done' and 'midway' wait for their first activity
    // A worker of writer A leased an activity and died with it.
    const leased = await a.store.leaseActivity(clock.now(), 300_000);
    expect(leased?.item.name).toBe('SayHello');
    const before = new Map<string, unknown>();
    for (const id of [done, waiting, midway]) before.set(id, { record: await a.client.getInstanceRecord(id), history: await a.client.getHistory(id) });

    clock.advance(61_000);
    const b = engine(new KvStorage(kv, { clock }), clock);
    for (const id of [done, waiting, midway]) {
      expect({ record: await b.client.getInstanceRecord(id), history: await b.client.getHistory(id) }).toEqual(before.get(id));
    }
    await b.settle(true);
    for (const id of [done, midway]) expect((await b.client.getStatus(id))?.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    expect((await b.client.getStatus(waiting))?.output).toBe('waited 600 seconds');
    for (const id of [done, waiting, midway]) expectNoDuplicates(await b.client.getHistory(id));
    expect(kv.stats.rateLimited).toBe(0);
  });

  it('a new writer replays results recorded in episodes directly: their activities are never delivered again', async () => {
    for (const snapshotEvery of [2, 1000]) {
      const clock = new VirtualClock(T0);
      const kv = new StaleKv(clock, productionLike);
      const a = engine(new KvStorage(kv, { clock, snapshotEvery }), clock);
      let completions = 0;
      const completeActivities = a.store.completeActivities.bind(a.store);
      a.store.completeActivities = (batch) => {
        completions += batch.length;
        return completeActivities(batch);
      };
      const id = await a.client.startNew('HelloSequence');
      await a.settle();
      // Every result went into an episode's commit directly, not through the queue.
      expect(completions).toBe(0);
      const history = await a.client.getHistory(id);
      expect(history.filter((e) => e.type === 'TaskCompleted')).toHaveLength(3);

      clock.advance(10 * 60_000); // past the quiet period and every activity lease
      const b = new KvStorage(kv, { clock }).taskHub('Hub');
      expect(await b.getHistory(id)).toEqual(history);
      expect(await b.leaseActivity(clock.now(), 1000)).toBeUndefined();
      expect(await b.leaseOrchestration(clock.now(), 1000)).toBeUndefined();
    }
  });

  it('a writer that starts inside the staleness window sees a truncated log (the quiet period is required)', async () => {
    const clock = new VirtualClock(T0);
    const kv = new StaleKv(clock, productionLike);
    const a = new KvStorage(kv, { clock });
    await a.taskHub('Hub').createInstance(newInstance('x'));
    // Writer A read slot 1 (a miss) just before writing it; that miss is cached here for 60 s.
    const early = new KvStorage(kv, { clock });
    expect(await early.taskHub('Hub').getInstance('x')).toBeUndefined();
    clock.advance(61_000);
    expect((await new KvStorage(kv, { clock }).taskHub('Hub').getInstance('x'))?.instanceId).toBe('x');
  });

  it('a second writer: detected when KV shows it (429 within 1 s, or a fresh read of the slot); a lost update when it does not', async () => {
    const clock = new VirtualClock(T0);
    const kv = new StaleKv(clock, productionLike);
    const a = new KvStorage(kv, { clock }).taskHub('Hub');
    await a.createInstance(newInstance('from-a'));

    // Within the same second: KV refuses the second write to slot 1 (429), and B stops.
    const b = new KvStorage(kv, { clock }).taskHub('Hub');
    await expect(b.createInstance(newInstance('from-b'))).rejects.toBeInstanceOf(KvWriterConflictError);
    await expect(b.getInstance('from-b')).rejects.toBeInstanceOf(KvWriterConflictError);

    // Two seconds later the cached miss still hides A's slot 1 from C, so C silently replaces it: A's instance is lost.
    clock.advance(2_000);
    const c = new KvStorage(kv, { clock }).taskHub('Hub');
    await c.createInstance(newInstance('from-c'));
    expect(kv.truth('log/Hub/1')).toContain('from-c');
    expect(kv.truth('log/Hub/1')).not.toContain('from-a');

    // C takes slot 2 too. A, still running, reads slot 2 before writing it: once that read is fresh, A sees C's entry and stops.
    await c.createInstance(newInstance('from-c-2'));
    clock.advance(61_000);
    await expect(a.createInstance(newInstance('from-a-2'))).rejects.toBeInstanceOf(KvWriterConflictError);
    expect(kv.truth('log/Hub/2')).toContain('from-c-2');
  });
});
