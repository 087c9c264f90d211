/**
 * The engine on SQLite: the samples, and durability across a crash (the process stops after
 * some commits, the database file is reopened by a new storage and a new worker).
 */

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DurableClient, type HistoryEvent, type Storage, type TaskHubStore, Worker } from '../../core/index.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { registerSamples } from '../../samples/index.js';
import { harness } from '../helpers.js';
import { runResetScenarios } from '../reset.case.js';
import { runRewindScenarios } from '../rewind.case.js';
import { HELLO_HISTORY, runSampleScenarios } from '../samples.case.js';
import { tempDatabaseFiles } from './temp-file.js';

const memoryDb = () => new SqliteStorage(new Database(':memory:'));

runSampleScenarios('the SQLite store', memoryDb);
runRewindScenarios('the SQLite store', memoryDb);
runResetScenarios('the SQLite store', memoryDb);

describe('the engine on SQLite', () => {
  it('wakes waitForCompletion and a background worker by notification, not polling', async () => {
    const storage = memoryDb();
    const h = harness({ storage, worker: { pollIntervalMs: 60_000 } });
    h.worker.start();
    try {
      const id = await h.client.startNew('HelloSequence');
      // The virtual clock never moves: only notifications can wake the worker and the waiter.
      const status = await h.client.waitForCompletion(id, { timeoutInMilliseconds: 60_000, retryIntervalInMilliseconds: 60_000 });
      expect(status.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    } finally {
      await h.worker.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** Checks one instance's stored history rows: seq 0..n-1, no scheduling or completion twice. */
function checkHistoryRows(file: string, instanceId: string): HistoryEvent[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT seq, event FROM history WHERE hub = ? AND instance_id = ? ORDER BY seq').all('DurableFunctionsHub', instanceId) as {
      seq: number;
      event: string;
    }[];
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    const events = rows.map((r) => JSON.parse(r.event) as HistoryEvent);
    const scheduled = events.filter((e) => e.type === 'TaskScheduled').map((e) => e.eventId);
    const completed = events.filter((e) => e.type === 'TaskCompleted').map((e) => (e as { taskScheduledId: number }).taskScheduledId);
    expect(new Set(scheduled).size).toBe(scheduled.length);
    expect(new Set(completed).size).toBe(completed.length);
    expect([...completed].sort((a, b) => a - b)).toEqual([...scheduled].sort((a, b) => a - b));
    return events;
  } finally {
    db.close();
  }
}

/**
 * Simulates the process dying right after its `n`-th commit became durable: from then on every
 * store call of that "process" hangs forever (it never sees the outcome), and the database is closed.
 */
function dyingAfterCommits(storage: SqliteStorage, n: number): { storage: Storage; dead: Promise<void> } {
  let commits = 0;
  let dead = false;
  let died!: () => void;
  const deadPromise = new Promise<void>((resolve) => {
    died = resolve;
  });
  const hang = () => new Promise<never>(() => {});
  const hubs = new Map<string, TaskHubStore>();
  const wrapHub = (hub: TaskHubStore): TaskHubStore =>
    new Proxy(hub, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function' || key === 'subscribe') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          if (dead) return hang();
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (key === 'commit' && ++commits === n) {
            dead = true;
            await storage.close();
            died();
          }
          return dead ? hang() : result;
        };
      },
    });
  return {
    dead: deadPromise,
    storage: {
      taskHub(name) {
        let hub = hubs.get(name);
        if (!hub) hubs.set(name, (hub = wrapHub(storage.taskHub(name))));
        return hub;
      },
      listTaskHubs: () => (dead ? hang() : storage.listTaskHubs()),
      deleteTaskHub: (name) => (dead ? hang() : storage.deleteTaskHub(name)),
    },
  };
}

describe('durability on a database file', () => {
  const tempFile = tempDatabaseFiles();

  it('resumes instances after the process stops mid-flight, with no gaps or duplicates in history', async () => {
    const file = tempFile();
    // First "process": a background worker with two episode slots that dies after its 4th commit (chosen so
    // that it holds episode and activity leases then and has not started every instance; the assertions on
    // the mid-flight state below check that). With more slots it would lease all five at once, and their
    // first episodes commit in one transaction.
    const first = dyingAfterCommits(new SqliteStorage(new Database(file)), 4);
    const a = harness({ storage: first.storage, worker: { maxConcurrentOrchestrations: 2 } });
    const hellos = [];
    for (let i = 0; i < 4; i++) hellos.push(await a.client.startNew('HelloSequence', { instanceId: `hello-${i}` }));
    const fan = await a.client.startNew('FanOutFanIn', { instanceId: 'fan', input: 20 });
    a.worker.start();
    await first.dead;
    // (The dead worker is left hanging, as a killed process would be.)

    // Second "process": a new storage and worker on the same file.
    const storage = new SqliteStorage(new Database(file));
    const b = harness({ storage });
    const mid = await Promise.all([...hellos, fan].map((id) => b.client.getStatus(id, { showHistory: true })));
    // Mid-flight: some instances not started yet, some between episodes, the fan-out partly done.
    expect(mid.map((s) => s?.runtimeStatus)).toContain('Pending');
    expect(mid.filter((s) => s?.runtimeStatus === 'Running' && s.instanceId.startsWith('hello')).length).toBeGreaterThan(0);
    expect(mid.find((s) => s?.instanceId === 'fan')?.runtimeStatus).toBe('Running');

    // The leases of the dead worker lapse on the clock (30 s for episodes, 5 min for activities); settle() advances to them.
    await b.settle({ timers: true });
    expect(b.clock.now()).toBeGreaterThanOrEqual(Date.parse('2026-01-01T00:05:00Z'));
    for (const id of hellos) {
      const status = await b.client.getStatus(id, { showHistory: true });
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
      expect(status?.history?.map((e) => e.type)).toEqual(HELLO_HISTORY);
    }
    expect(await b.client.getStatus(fan)).toMatchObject({ runtimeStatus: 'Completed', output: 2870 });
    await storage.close();
    for (const id of [...hellos, fan]) checkHistoryRows(file, id);
    const fanEvents = checkHistoryRows(file, fan);
    expect(fanEvents.filter((e) => e.type === 'TaskScheduled')).toHaveLength(20);
    expect(fanEvents.filter((e) => e.type === 'ExecutionCompleted')).toHaveLength(1);
  });

  it('shares the work between two connections to one file, each step exactly once', async () => {
    const file = tempFile();
    const app = registerSamples();
    const [one, two] = [new SqliteStorage(new Database(file)), new SqliteStorage(new Database(file))];
    const client = new DurableClient({ storage: one, app });
    const other = new DurableClient({ storage: two, app });
    // Notifications do not cross connections: the workers also poll, briefly. Each keeps a replay
    // cache that the other worker's commits make stale; the version check and re-reads cope.
    const options = { pollIntervalMs: 10 };
    const workers = [new Worker(app, one.taskHub(client.taskHubName), options), new Worker(app, two.taskHub(other.taskHubName), options)];
    const ids = [await client.startNew('FanOutFanIn', { input: 30 })];
    for (let i = 0; i < 10; i++) ids.push(await (i % 2 ? client : other).startNew('HelloSequence'));
    for (const w of workers) w.start();
    try {
      for (const id of ids) {
        const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 10 });
        expect(status.output).toEqual(id === ids[0] ? 9455 : ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        if (id !== ids[0]) expect((await other.getHistory(id)).map((e) => e.type)).toEqual(HELLO_HISTORY);
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    await one.close();
    await two.close();
    for (const id of ids) checkHistoryRows(file, id);
  });

  it('keeps committed state across close and reopen, and the schema is reused', async () => {
    const file = tempFile();
    const one = new SqliteStorage(new Database(file));
    const h = harness({ storage: one });
    const id = await h.client.startNew('Approval', { instanceId: 'approval', input: { timeoutSeconds: 60 } });
    await h.settle();
    await one.close();

    const two = new SqliteStorage(new Database(file));
    const h2 = harness({ storage: two });
    expect(await two.listTaskHubs()).toEqual(['DurableFunctionsHub']);
    expect(await h2.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Running', customStatus: { stage: 'Waiting for approval', timeoutSeconds: 60 } });
    expect(await h2.store.nextWakeTime()).toBe(Date.parse('2026-01-01T00:01:00Z'));
    await h2.settle({ timers: true });
    expect(await h2.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: 'timed out' });
    await two.close();
  });
});
