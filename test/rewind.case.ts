/**
 * Rewind end to end on one storage: every shape of failure (retries, timers around a failure,
 * failed sub-orchestrations at depth, partial fan-out, work still in flight), then a rewind once
 * the fault is fixed. After it, the instance finishes as a run without the fault would: the
 * same output, each activity succeeding once. Used by the memory and SQLite suites.
 */
import { describe, expect, it } from 'vitest';
import { DurableApp, type HistoryEvent, type OrchestrationContext, RetryOptions, type Storage, type Task, Worker } from '../core/index.js';
import { type Harness, harness } from './helpers.js';

type Orchestrator = Generator<Task, unknown, unknown>;

/** An app whose activities fail while `broken` holds their name, counting successful runs. */
function faultyApp() {
  const broken = new Set<string>();
  const successes = new Map<string, number>();
  const gates = new Map<string, Promise<void>>();
  const run = async (name: string, input: unknown) => {
    await gates.get(name);
    if (broken.has(name) || broken.has(`${name}:${JSON.stringify(input)}`)) throw new Error(`${name} is broken`);
    successes.set(name, (successes.get(name) ?? 0) + 1);
    return `${name}(${JSON.stringify(input)})`;
  };
  const app = new DurableApp();
  for (const name of ['A', 'B', 'C', 'Slow', 'F']) app.activity(name, (input: unknown) => run(name, input));
  const after = (ctx: OrchestrationContext, ms: number) => ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + ms));
  app
    .orchestration('RetryActivity', function* (ctx): Orchestrator {
      return yield ctx.df.callActivityWithRetry('A', new RetryOptions(10, 2), 1);
    })
    .orchestration('CatchWaitRetry', function* (ctx): Orchestrator {
      yield after(ctx, 5_000);
      try {
        return yield ctx.df.callActivity('A', 1);
      } catch {
        yield after(ctx, 10_000);
        return yield ctx.df.callActivity('A', 2);
      }
    })
    .orchestration('HandledThenFails', function* (ctx): Orchestrator {
      let first: unknown = 'fallback';
      try {
        first = yield ctx.df.callActivity('C', 0);
      } catch {
        // C's failure is handled: the orchestrator goes on without it.
      }
      const b = yield ctx.df.callActivity('B', 1);
      return [first, b, yield ctx.df.callActivity('A', 2)];
    })
    .orchestration('InFlight', function* (ctx): Orchestrator {
      const slow = ctx.df.callActivity('Slow', 1);
      const timer = after(ctx, 60_000);
      const a = yield ctx.df.callActivity('A', 2);
      yield timer;
      return [a, yield slow];
    })
    .orchestration('FanOut', function* (ctx): Orchestrator {
      return yield ctx.df.Task.all([1, 2, 3, 4].map((i) => ctx.df.callActivity('F', i)));
    })
    .orchestration('Grandchild', function* (ctx): Orchestrator {
      return yield ctx.df.callActivity('A', ctx.df.getInput());
    })
    .orchestration('Child', function* (ctx): Orchestrator {
      const b = yield ctx.df.callActivity('B', 0);
      return [b, yield ctx.df.callSubOrchestrator('Grandchild', 1, `${ctx.df.instanceId}-g`)];
    })
    .orchestration('Parent', function* (ctx): Orchestrator {
      return yield ctx.df.callSubOrchestrator('Child', undefined, `${ctx.df.instanceId}-c`);
    })
    .orchestration('SlowChild', function* (ctx): Orchestrator {
      return yield ctx.df.callActivity('Slow', ctx.df.getInput());
    })
    .orchestration('ParentOfSlow', function* (ctx): Orchestrator {
      const slow = ctx.df.callSubOrchestrator('SlowChild', 3, `${ctx.df.instanceId}-s`);
      const a = yield ctx.df.callActivity('A', 2);
      return [a, yield slow];
    })
    .orchestration('Waiter', function* (ctx): Orchestrator {
      return yield ctx.df.waitForExternalEvent('go');
    })
    .orchestration('CatchThenRethrow', function* (ctx): Orchestrator {
      // C's failure is caught, a child starts after it, and the failure is thrown later: the rewind cuts at C, before the child.
      let error: unknown;
      try {
        yield ctx.df.callActivity('C', 0);
      } catch (e) {
        error = e;
      }
      const kid = ctx.df.callSubOrchestrator('Waiter', undefined, `${ctx.df.instanceId}-w`);
      yield ctx.df.Task.any([kid, after(ctx, 1_000)]);
      if (error) throw error;
      return yield kid;
    })
    .orchestration('RetryChild', function* (ctx): Orchestrator {
      const fixed = ctx.df.getInput<string | undefined>();
      return yield ctx.df.callSubOrchestratorWithRetry('Grandchild', new RetryOptions(10, 2), 7, fixed);
    });
  return { app, broken, successes, gates };
}

const live = (history: HistoryEvent[]) => history.filter((e) => e.type !== 'GenericEvent');
const retired = (history: HistoryEvent[]) => history.filter((e) => e.type === 'GenericEvent').map((e) => (e.type === 'GenericEvent' ? e.rewound?.type : ''));

/** Waits, without running anything, until `check` holds (the worker runs meanwhile). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}

export function runRewindScenarios(adapter: string, createStorage: () => Storage): void {
  describe(`rewind on ${adapter}`, () => {
    const start = () => {
      const f = faultyApp();
      return { ...f, h: harness({ app: f.app, storage: createStorage() }) };
    };
    const statusOf = async (h: Harness, id: string) => (await h.client.getStatus(id))?.runtimeStatus;
    const rewindFixed = async (h: Harness, id: string) => {
      await h.client.rewind(id, 'fixed');
      await h.settle({ timers: true });
      return (await h.client.getStatus(id, { showHistory: true, showHistoryOutput: true }))!;
    };

    it('an activity with retries that ran out completes after a rewind; only the last attempt runs again', async () => {
      const { h, broken, successes } = start();
      broken.add('A');
      await h.client.startNew('RetryActivity', { instanceId: 'retry' });
      await h.settle({ timers: true });
      const failed = await h.client.getStatus('retry', { showHistory: true });
      expect(failed?.runtimeStatus).toBe('Failed');
      expect(failed?.history?.filter((e) => e.type === 'TaskFailed')).toHaveLength(2);
      broken.clear();
      const status = await rewindFixed(h, 'retry');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'A(1)' });
      expect(successes.get('A')).toBe(1);
      expect(retired(status.history!)).toEqual(['TaskScheduled', 'TaskFailed', 'ExecutionCompleted']);
      // The retired rows keep the originals; the live history replays cleanly: one attempt failed, then a retry succeeded.
      const rows = status.history!.filter((e) => e.type === 'GenericEvent');
      expect(rows[1]).toMatchObject({ rewound: { type: 'TaskFailed', failureDetails: { errorMessage: 'A is broken' } } });
      expect(live(status.history!).filter((e) => e.type === 'TaskFailed')).toHaveLength(1);
      expect(live(status.history!).filter((e) => e.type === 'ExecutionRewound')).toEqual([expect.objectContaining({ reason: 'fixed' })]);
    });

    it('a failure caught, a timer, and a second failure: the rewind re-runs the second call after the same timers', async () => {
      const { h, broken, successes } = start();
      broken.add('A');
      await h.client.startNew('CatchWaitRetry', { instanceId: 'catch' });
      await h.settle({ timers: true });
      expect(await statusOf(h, 'catch')).toBe('Failed');
      broken.clear();
      const status = await rewindFixed(h, 'catch');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'A(2)' });
      expect(successes.get('A')).toBe(1);
      // Both timers stay: neither is created again.
      expect(live(status.history!).filter((e) => e.type === 'TimerCreated')).toHaveLength(2);
      expect(status.history!.filter((e) => e.type === 'TimerFired')).toHaveLength(2);
    });

    it('a failure the orchestrator handled stays; work after it is not run again', async () => {
      const { h, broken, successes } = start();
      broken.add('C');
      broken.add('A');
      await h.client.startNew('HandledThenFails', { instanceId: 'handled' });
      await h.settle();
      expect(await statusOf(h, 'handled')).toBe('Failed');
      broken.delete('A');
      const status = await rewindFixed(h, 'handled');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['fallback', 'B(1)', 'A(2)'] });
      expect(successes.get('B')).toBe(1);
      expect(successes.get('A')).toBe(1);
      expect(successes.get('C')).toBeUndefined();
    });

    it('work still in flight when the instance failed (late result discarded, timer fired meanwhile) runs again', async () => {
      const { h, broken, successes, gates } = start();
      broken.add('A');
      let release!: () => void;
      gates.set(
        'Slow',
        new Promise<void>((resolve) => {
          release = resolve;
        }),
      );
      await h.client.startNew('InFlight', { instanceId: 'inflight' });
      const settling = h.settle({ timers: true });
      await until(async () => (await statusOf(h, 'inflight')) === 'Failed');
      release();
      await settling;
      // Slow finished and the timer fired after the failure: both results were dropped.
      expect(successes.get('Slow')).toBe(1);
      const failed = await h.client.getHistory('inflight');
      expect(failed.some((e) => e.type === 'TaskCompleted' || e.type === 'TimerFired')).toBe(false);
      broken.clear();
      const status = await rewindFixed(h, 'inflight');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['A(2)', 'Slow(1)'] });
      expect(successes.get('A')).toBe(1);
      expect(successes.get('Slow')).toBe(2);
    });

    for (const finished of [true, false]) {
      it(`a child still running when its parent failed is waited for, not run again (${finished ? 'it finished before' : 'it finishes after'} the rewind)`, async () => {
        const { h, broken, successes, gates } = start();
        broken.add('A');
        let release!: () => void;
        gates.set(
          'Slow',
          new Promise<void>((resolve) => {
            release = resolve;
          }),
        );
        await h.client.startNew('ParentOfSlow', { instanceId: 'ps' });
        const settling = h.settle();
        await until(async () => (await statusOf(h, 'ps')) === 'Failed');
        broken.clear();
        if (finished) {
          release();
          await settling;
          expect(await statusOf(h, 'ps-s')).toBe('Completed');
          await h.client.rewind('ps');
        } else {
          // The harness's worker waits on the gated activity: a second worker takes the rewind meanwhile.
          await h.client.rewind('ps');
          await new Worker(h.app, h.store, { clock: h.clock }).runUntilIdle();
          expect(await statusOf(h, 'ps')).toBe('Running');
          release();
          await settling;
        }
        await h.settle();
        const status = await h.client.getStatus('ps', { showHistory: true });
        expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['A(2)', 'Slow(3)'] });
        expect(successes.get('Slow')).toBe(1);
        expect(live(status!.history!).filter((e) => e.type === 'SubOrchestrationInstanceCreated')).toHaveLength(1);
      });
    }

    it('a child started after the cut and still running is adopted when the rewound code starts it again', async () => {
      const { h, broken, successes } = start();
      broken.add('C');
      await h.client.startNew('CatchThenRethrow', { instanceId: 'ctr' });
      await h.settle({ timers: true });
      expect(await statusOf(h, 'ctr')).toBe('Failed');
      const kid = await h.client.getInstanceRecord('ctr-w');
      expect(kid?.runtimeStatus).toBe('Running');
      broken.clear();
      const rewound = await rewindFixed(h, 'ctr');
      expect(rewound.runtimeStatus).toBe('Running');
      expect(successes.get('C')).toBe(1);
      expect(live(rewound.history!).filter((e) => e.type === 'SubOrchestrationInstanceCreated')).toEqual([
        expect.objectContaining({
          instanceId: 'ctr-w',
          adoptedFrom: (await h.client.getInstanceRecord('ctr'))!.executionId,
        }),
      ]);
      await h.client.raiseEvent('ctr-w', 'go', 'went');
      await h.settle();
      expect(await h.client.getStatus('ctr')).toMatchObject({ runtimeStatus: 'Completed', output: 'went' });
      expect(await h.client.getInstanceRecord('ctr-w')).toMatchObject({ executionId: kid!.executionId, runtimeStatus: 'Completed' });
    });

    it('a partial fan-out failure re-runs only the failed branches, keeping the results that succeeded', async () => {
      const { h, broken, successes } = start();
      broken.add('F:2');
      broken.add('F:4');
      await h.client.startNew('FanOut', { instanceId: 'fan' });
      await h.settle();
      expect(await statusOf(h, 'fan')).toBe('Failed');
      expect(successes.get('F')).toBe(2);
      broken.clear();
      const status = await rewindFixed(h, 'fan');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['F(1)', 'F(2)', 'F(3)', 'F(4)'] });
      expect(successes.get('F')).toBe(4);
      const completed = live(status.history!).filter((e) => e.type === 'TaskCompleted');
      expect(completed).toHaveLength(4);
    });

    it('a failure two sub-orchestrations deep rewinds each failed child in place, not a new one', async () => {
      const { h, broken, successes } = start();
      broken.add('A');
      await h.client.startNew('Parent', { instanceId: 'p' });
      await h.settle();
      for (const id of ['p', 'p-c', 'p-c-g']) expect(await statusOf(h, id)).toBe('Failed');
      const executions = await Promise.all(['p', 'p-c', 'p-c-g'].map(async (id) => (await h.client.getInstanceRecord(id))!.executionId));
      broken.clear();
      const status = await rewindFixed(h, 'p');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['B(0)', 'A(1)'] });
      for (const id of ['p-c', 'p-c-g']) expect(await statusOf(h, id)).toBe('Completed');
      expect(await Promise.all(['p', 'p-c', 'p-c-g'].map(async (id) => (await h.client.getInstanceRecord(id))!.executionId))).toEqual(executions);
      expect(live(status.history!).filter((e) => e.type === 'SubOrchestrationInstanceCreated')).toHaveLength(1);
      expect(successes.get('B')).toBe(1);
      expect(successes.get('A')).toBe(1);
    });

    for (const fixed of [undefined, 'the-child']) {
      it(`a sub-orchestration with retries that ran out (${fixed ? 'fixed' : 'derived'} child ID) completes after a rewind`, async () => {
        const { h, broken, successes } = start();
        broken.add('A');
        await h.client.startNew('RetryChild', { instanceId: 'rc', input: fixed });
        await h.settle({ timers: true });
        expect(await statusOf(h, 'rc')).toBe('Failed');
        broken.clear();
        const status = await rewindFixed(h, 'rc');
        expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'A(7)' });
        expect(successes.get('A')).toBe(1);
        const created = live(status.history!).filter((e) => e.type === 'SubOrchestrationInstanceCreated');
        expect(created).toHaveLength(2);
        const last = created[1] as { instanceId: string };
        expect(await statusOf(h, last.instanceId)).toBe('Completed');
      });
    }

    it('a second failure after a rewind can be rewound again', async () => {
      const { h, broken, successes } = start();
      broken.add('F:3');
      await h.client.startNew('FanOut', { instanceId: 'twice' });
      await h.settle();
      await h.client.rewind('twice');
      await h.settle();
      expect(await statusOf(h, 'twice')).toBe('Failed');
      broken.clear();
      const status = await rewindFixed(h, 'twice');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['F(1)', 'F(2)', 'F(3)', 'F(4)'] });
      expect(successes.get('F')).toBe(4);
      expect(status.history!.filter((e) => e.type === 'ExecutionRewound')).toHaveLength(2);
    });
  });
}
