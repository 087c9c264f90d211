/**
 * Crash safety, for any storage: the worker's store fails at its k-th write (before the write
 * lands, or after it landed and before the worker hears of it), for every k over a run of
 * HelloSequence, FanOutFanIn and Approval; a new process (fresh worker, and a reopened store
 * where the adapter has one) finishes every instance with the right output and an intact
 * history, and only activities ever ran twice.
 */
import { describe, expect, it } from 'vitest';
import { DurableApp, DurableClient, type HistoryEvent, type Storage, VirtualClock, Worker } from '../core/index.js';
import { checkHistory } from '../core/simulator/index.js';
import { Approval, FanOutFanIn, HelloSequence } from '../samples/index.js';
import { crashAtWrite, InjectedCrash } from './faults.js';

export interface CrashTarget {
  /** A fresh, empty storage for one scenario. */
  open(): Storage | Promise<Storage>;
  /** The same data as the dead process left it, as a new process sees it (default: the same object). */
  reopen?(dead: Storage): Storage | Promise<Storage>;
  close?(storage: Storage): void | Promise<void>;
}

function countingApp(calls: Map<string, number>) {
  const count = (key: string) => calls.set(key, (calls.get(key) ?? 0) + 1);
  return new DurableApp()
    .orchestration('HelloSequence', HelloSequence)
    .orchestration('FanOutFanIn', FanOutFanIn)
    .orchestration('Approval', Approval)
    .activity('SayHello', (city: string, ctx) => {
      count(`${ctx.instanceId}/SayHello/${city}`);
      return `Hello ${city}!`;
    })
    .activity('Square', (x: number, ctx) => {
      count(`${ctx.instanceId}/Square/${x}`);
      return x * x;
    });
}

/** checkHistory's invariants, and for a completed instance every scheduled activity completed once. */
function expectIntactHistory(history: HistoryEvent[]): void {
  expect(checkHistory(history)).toEqual([]);
  const scheduled = history
    .filter((e) => e.type === 'TaskScheduled')
    .map((e) => e.eventId)
    .sort((a, b) => a - b);
  expect(history.flatMap((e) => (e.type === 'TaskCompleted' ? [e.taskScheduledId] : [])).sort((a, b) => a - b)).toEqual(scheduled);
}

async function scenario(target: CrashTarget, k: number, when: 'before' | 'after', concurrency?: number) {
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  const calls = new Map<string, number>();
  const app = countingApp(calls);
  const dying = await target.open();
  const client = new DurableClient({ storage: dying, app, clock });
  await client.startNew('HelloSequence', { instanceId: 'hello' });
  await client.startNew('FanOutFanIn', { instanceId: 'fan', input: 5 });
  await client.startNew('Approval', { instanceId: 'approval', input: { timeoutSeconds: 86_400 } });

  const crashing = crashAtWrite(dying.taskHub(client.taskHubName), k, when);
  const errors: unknown[] = [];
  const limits = concurrency ? { maxConcurrentOrchestrations: concurrency, maxConcurrentActivities: concurrency } : {};
  const first = new Worker(app, crashing.store, { clock, onError: (e) => errors.push(e), ...limits });
  const dies = (e: unknown) => {
    if (!(e instanceof InjectedCrash)) throw e;
  };
  await first.runUntilIdle().catch(dies);
  await client.raiseEvent('approval', 'Approval', true);
  await first.runUntilIdle().catch(dies);
  expect(errors.every((e) => e instanceof InjectedCrash)).toBe(true);

  // A new process: leases held by the dead one lapse, then a fresh worker settles everything.
  clock.advance(10 * 60_000);
  const storage = target.reopen ? await target.reopen(dying) : dying;
  const fresh = new DurableClient({ storage, app, clock });
  await new Worker(app, storage.taskHub(fresh.taskHubName), {
    clock,
    onError: (e) => {
      throw e;
    },
  }).runUntilIdle();

  for (const [id, output] of [
    ['hello', ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']],
    ['fan', 55],
    ['approval', 'approved'],
  ] as const) {
    const status = await fresh.getStatus(id, { showHistory: true, showHistoryOutput: true });
    expect(status?.runtimeStatus, `${id} after crash at write ${k} (${when})`).toBe('Completed');
    expect(status?.output).toEqual(output);
    expectIntactHistory(status!.history!);
  }
  for (const [, n] of calls) expect(n).toBeLessThanOrEqual(2);
  await target.close?.(storage);
  return { writes: crashing.writes, crashed: crashing.crashed, reran: [...calls.values()].filter((n) => n > 1).length };
}

export function runCrashScenarios(label: string, target: CrashTarget): void {
  describe(`crash safety: ${label}`, () => {
    for (const [when, concurrency] of [
      ['before', undefined],
      ['after', undefined],
      ['before', 1],
      ['after', 1],
    ] as const) {
      it(`survives a crash at every write (${when} the write lands, ${concurrency ? 'one item at a time: a write per episode' : 'group commit'})`, async () => {
        const clean = await scenario(target, Number.MAX_SAFE_INTEGER, when, concurrency);
        expect(clean.crashed).toBe(false);
        // Group commit and batch leasing write several episodes at once, but no fewer than the
        // chain that must be sequential: HelloSequence's 4 episodes (the last three also record
        // the result of the activity before them), the fan-out's and the approval's.
        expect(clean.writes).toBeGreaterThanOrEqual(8);
        let reran = 0;
        for (let k = 1; k <= clean.writes; k++) {
          const run = await scenario(target, k, when, concurrency);
          expect(run.crashed).toBe(true);
          reran += run.reran;
        }
        // A crash just before an activity's completion lands makes it run again; after it lands,
        // re-runs depend on what else was in flight, so they are only required of 'before'.
        if (when === 'before') expect(reran).toBeGreaterThan(0);
      });
    }
  });
}
