/**
 * test/engine/crash.test.ts on SQLite: the worker's store fails at its k-th write (before the
 * write lands, or after it landed and before the worker hears of it), for every k; a new process
 * (a new connection to the same file, a new worker) finishes every instance, each history intact.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DurableApp, DurableClient, VirtualClock, Worker, type HistoryEvent } from '../../core/index.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { Approval, FanOutFanIn, HelloSequence } from '../../samples/index.js';
import { crashAtWrite, InjectedCrash } from '../faults.js';

function countingApp(calls: Map<string, number>) {
  const count = (key: string) => calls.set(key, (calls.get(key) ?? 0) + 1);
  return new DurableApp()
    .orchestration('HelloSequence', HelloSequence)
    .orchestration('FanOutFanIn', FanOutFanIn)
    .orchestration('Approval', Approval)
    .activity('SayHello', (city: string, ctx) => { count(`${ctx.instanceId}/SayHello/${city}`); return `Hello ${city}!`; })
    .activity('Square', (x: number, ctx) => { count(`${ctx.instanceId}/Square/${x}`); return x * x; });
}

/** Well-formed episodes, one start, one end, contiguous scheduling IDs, each completed exactly once. */
function expectIntactHistory(history: HistoryEvent[]): void {
  const types = history.map((e) => e.type);
  expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
  expect(types.filter((t) => t === 'ExecutionCompleted')).toHaveLength(1);
  let open = false;
  for (const t of types) {
    if (t === 'OrchestratorStarted') { expect(open).toBe(false); open = true; }
    if (t === 'OrchestratorCompleted') { expect(open).toBe(true); open = false; }
  }
  expect(open).toBe(false);
  const scheduled = history.filter((e) => e.type === 'TaskScheduled' || e.type === 'TimerCreated').map((e) => e.eventId);
  expect(scheduled).toEqual(scheduled.map((_, i) => i));
  const completions = history.flatMap((e) => (e.type === 'TaskCompleted' || e.type === 'TaskFailed' ? [e.taskScheduledId] : e.type === 'TimerFired' ? [e.timerId] : []));
  expect(new Set(completions).size).toBe(completions.length);
  const tasks = history.filter((e) => e.type === 'TaskScheduled').map((e) => e.eventId).sort((a, b) => a - b);
  expect(history.flatMap((e) => (e.type === 'TaskCompleted' ? [e.taskScheduledId] : [])).sort((a, b) => a - b)).toEqual(tasks);
}

const dir = mkdtempSync(join(tmpdir(), 'edge-durable-crash-points-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function scenario(k: number, when: 'before' | 'after', concurrency?: number) {
  const file = join(dir, `run-${++files}.db`);
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  const calls = new Map<string, number>();
  const app = countingApp(calls);
  const dying = new SqliteStorage(new Database(file));
  const client = new DurableClient({ storage: dying, app, clock });
  await client.startNew('HelloSequence', { instanceId: 'hello' });
  await client.startNew('FanOutFanIn', { instanceId: 'fan', input: 5 });
  await client.startNew('Approval', { instanceId: 'approval', input: { timeoutSeconds: 86_400 } });

  const crashing = crashAtWrite(client.store, k, when);
  const errors: unknown[] = [];
  const first = new Worker(app, crashing.store, { clock, onError: (e) => errors.push(e), ...(concurrency ? { maxConcurrentOrchestrations: concurrency, maxConcurrentActivities: concurrency } : {}) });
  const dies = (e: unknown) => { if (!(e instanceof InjectedCrash)) throw e; };
  await first.runUntilIdle().catch(dies);
  await client.raiseEvent('approval', 'Approval', true);
  await first.runUntilIdle().catch(dies);
  expect(errors.every((e) => e instanceof InjectedCrash)).toBe(true);
  await dying.close();

  // A new process on the same file: leases held by the dead one lapse, then a fresh worker settles everything.
  clock.advance(10 * 60_000);
  const storage = new SqliteStorage(new Database(file));
  const fresh = new DurableClient({ storage, app, clock });
  const second = new Worker(app, fresh.store, { clock, onError: (e) => { throw e; } });
  await second.runUntilIdle();

  for (const [id, output] of [['hello', ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']], ['fan', 55], ['approval', 'approved']] as const) {
    const status = await fresh.getStatus(id, { showHistory: true, showHistoryOutput: true });
    expect(status?.runtimeStatus, `${id} after crash at write ${k} (${when})`).toBe('Completed');
    expect(status?.output).toEqual(output);
    expectIntactHistory(status!.history!);
  }
  for (const [, n] of calls) expect(n).toBeLessThanOrEqual(2);
  await storage.close();
  rmSync(file, { force: true });
  return { writes: crashing.writes, crashed: crashing.crashed, reran: [...calls.values()].filter((n) => n > 1).length };
}

describe('crash safety on SQLite', () => {
  for (const [when, concurrency] of [['before', undefined], ['after', undefined], ['before', 1], ['after', 1]] as const) {
    it(`survives a crash at every write (${when} the write lands, ${concurrency ? 'one item at a time' : 'group commit'})`, async () => {
      const clean = await scenario(Number.MAX_SAFE_INTEGER, when, concurrency);
      expect(clean.crashed).toBe(false);
      expect(clean.writes).toBeGreaterThan(10);
      let reran = 0;
      for (let k = 1; k <= clean.writes; k++) {
        const run = await scenario(k, when, concurrency);
        expect(run.crashed).toBe(true);
        reran += run.reran;
      }
      expect(reran).toBeGreaterThan(0);
    });
  }
});
