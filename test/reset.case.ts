/**
 * Reset end to end on one storage: back to a row before an activity (it runs again), before a
 * timer (re-based on the reset's time), with events after the row (delivered again, or not),
 * a fork that leaves its source untouched, a running instance, every row as a point (before
 * ExecutionStarted, inside an episode, at and after the completion or a termination), and bad
 * input. Used by the memory and SQLite suites.
 */
import { describe, expect, it } from 'vitest';
import { DurableApp, type HistoryEvent, type OrchestrationContext, type Storage, type Task } from '../core/index.js';
import { checkHistory } from '../core/simulator/check.js';
import { harness } from './helpers.js';

type Orchestrator = Generator<Task, unknown, unknown>;

function countingApp() {
  const calls: string[] = [];
  const flags = { broken: true };
  const app = new DurableApp()
    .activity('Hello', (city: string) => {
      calls.push(city);
      return `Hello ${city}!`;
    })
    .orchestration('Hello', function* (ctx: OrchestrationContext): Orchestrator {
      const out: unknown[] = [];
      for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield ctx.df.callActivity('Hello', city));
      return out;
    })
    .orchestration('Wait', function* (ctx: OrchestrationContext): Orchestrator {
      yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 60_000));
      return 'waited';
    })
    .orchestration('OnEvent', function* (ctx: OrchestrationContext): Orchestrator {
      const first = yield ctx.df.waitForExternalEvent('E');
      const second = yield ctx.df.waitForExternalEvent('E');
      return yield ctx.df.callActivity('Hello', `${first}+${second}`);
    })
    .orchestration('Random', function* (ctx: OrchestrationContext): Orchestrator {
      // The activity each step calls depends on Math.random: replay matches only with the same seed.
      const picks: unknown[] = [];
      for (let i = 0; i < 8; i++) picks.push(yield ctx.df.callActivity(Math.random() < 0.5 ? 'Hello' : 'Other', i));
      return picks.length;
    })
    .orchestration('Kid', function* (ctx: OrchestrationContext): Orchestrator {
      return yield ctx.df.callActivity('Hello', 'kid');
    })
    .orchestration('Dad', function* (ctx: OrchestrationContext): Orchestrator {
      return yield ctx.df.callSubOrchestrator('Kid', undefined, `${ctx.df.instanceId}-kid`);
    })
    .orchestration('Flaky', function* (ctx: OrchestrationContext): Orchestrator {
      const greeting = yield ctx.df.callActivity('Hello', 'Oslo');
      if (flags.broken) throw new Error('broken step');
      return `${greeting} fixed`;
    })
    .orchestration('Waiter', function* (ctx: OrchestrationContext): Orchestrator {
      return yield ctx.df.waitForExternalEvent('go');
    })
    .orchestration('Mom', function* (ctx: OrchestrationContext): Orchestrator {
      const greeting = yield ctx.df.callActivity('Hello', 'mom');
      return [greeting, yield ctx.df.callSubOrchestrator('Waiter', undefined, `${ctx.df.instanceId}-w`)];
    })
    .activity('Other', () => 'other');
  return { app, calls, flags };
}

const types = (history: HistoryEvent[]) => history.map((e) => (e.type === 'GenericEvent' ? `~${e.rewound?.type}` : e.type));

export function runResetScenarios(adapter: string, createStorage: () => Storage): void {
  describe(`reset on ${adapter}`, () => {
    const start = () => {
      const c = countingApp();
      return { ...c, h: harness({ app: c.app, storage: createStorage() }) };
    };

    it('back to a row before an activity: it runs again, the rows before stay, the execution is new', async () => {
      const { h, calls } = start();
      await h.client.startNew('Hello', { instanceId: 'hello' });
      await h.settle();
      const before = await h.client.getInstanceRecord('hello');
      const past = await h.client.getHistory('hello');
      expect(past).toHaveLength(16);
      // Row 7 schedules Seattle, row 8 closes that episode: keep up to 8, Seattle's result (row 10) goes.
      expect(await h.client.reset('hello', { eventId: 8, reason: 'again' })).toBe('hello');
      await h.settle();
      const status = await h.client.getStatus('hello', { showHistory: true, showHistoryOutput: true });
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
      expect(calls).toEqual(['Tokyo', 'Seattle', 'London', 'Seattle', 'London']);
      const history = status!.history!;
      expect(history.slice(0, 6)).toEqual([past[0], expect.objectContaining({ type: 'ExecutionStarted' }), ...past.slice(2, 6)]);
      expect(types(history).slice(6, 9)).toEqual(['~TaskScheduled', 'OrchestratorCompleted', 'ExecutionReset']);
      expect(history[8]).toMatchObject({ type: 'ExecutionReset', position: 8, reason: 'again' });
      const record = await h.client.getInstanceRecord('hello');
      expect(record!.executionId).not.toBe(before!.executionId);
      expect(history[1]).toMatchObject({ orchestrationInstance: { instanceId: 'hello', executionId: record!.executionId } });
    });

    for (const eventId of [2, 4]) {
      it(`back to a row before a timer fired (row ${eventId}): the timer waits its delay again, from the reset`, async () => {
        const { h } = start();
        await h.client.startNew('Wait', { instanceId: 'wait' });
        await h.settle({ timers: true });
        expect((await h.client.getStatus('wait'))?.runtimeStatus).toBe('Completed');
        h.clock.advance(3_600_000);
        const resetAt = h.clock.now();
        await h.client.reset('wait', { eventId });
        await h.settle();
        const history = await h.client.getHistory('wait');
        const timers = history.filter((e) => e.type === 'TimerCreated');
        expect(timers).toHaveLength(1);
        expect(timers[0]).toMatchObject({ fireAt: new Date(resetAt + 60_000).toISOString() });
        h.clock.advance(59_000);
        await h.settle();
        expect((await h.client.getStatus('wait'))?.runtimeStatus).toBe('Running');
        h.clock.advance(1_000);
        await h.settle();
        expect(await h.client.getStatus('wait')).toMatchObject({ runtimeStatus: 'Completed', output: 'waited' });
      });
    }

    it('events raised after the row are delivered again, in their order, or not with reapplyEvents: false', async () => {
      const { h, calls } = start();
      await h.client.startNew('OnEvent', { instanceId: 'ev' });
      await h.settle();
      const eventsAt = (await h.client.getHistory('ev')).length;
      await h.client.raiseEvent('ev', 'E', 'a');
      await h.client.raiseEvent('ev', 'E', 'b');
      await h.settle();
      expect((await h.client.getStatus('ev'))?.output).toBe('Hello a+b!');
      await h.client.reset('ev', { eventId: eventsAt });
      await h.settle();
      expect(await h.client.getStatus('ev')).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello a+b!' });
      expect(calls).toEqual(['a+b', 'a+b']);

      await h.client.reset('ev', { eventId: eventsAt, reapplyEvents: false });
      await h.settle();
      expect((await h.client.getStatus('ev'))?.runtimeStatus).toBe('Running');
      await h.client.raiseEvent('ev', 'E', 'c');
      await h.client.raiseEvent('ev', 'E', 'd');
      await h.settle();
      expect((await h.client.getStatus('ev'))?.output).toBe('Hello c+d!');
    });

    it('a fork continues in a new instance and leaves the original byte for byte as it was', async () => {
      const { h, calls } = start();
      await h.client.startNew('Hello', { instanceId: 'source' });
      await h.settle();
      const snapshot = JSON.stringify([
        await h.client.getStatus('source', { showHistory: true, showHistoryOutput: true }),
        await h.client.getInstanceRecord('source'),
      ]);
      h.clock.advance(1000);
      expect(await h.client.reset('source', { eventId: 8, newInstanceId: 'forked' })).toBe('forked');
      expect((await h.client.getStatus('forked'))?.runtimeStatus).toBe('Pending');
      await h.settle();
      expect(
        JSON.stringify([await h.client.getStatus('source', { showHistory: true, showHistoryOutput: true }), await h.client.getInstanceRecord('source')]),
      ).toBe(snapshot);
      const fork = await h.client.getStatus('forked', { showHistory: true });
      expect(fork).toMatchObject({ name: 'Hello', runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
      expect(fork!.history![1]).toMatchObject({ type: 'ExecutionStarted', orchestrationInstance: { instanceId: 'forked' } });
      expect(fork!.history![8]).toMatchObject({ type: 'ExecutionReset', position: 8, source: { instanceId: 'source' } });
      expect(calls).toEqual(['Tokyo', 'Seattle', 'London', 'Seattle', 'London']);
      // The start rules: a running instance is not replaced; a finished one is.
      await h.client.startNew('OnEvent', { instanceId: 'busy' });
      await expect(h.client.reset('source', { eventId: 8, newInstanceId: 'busy' })).rejects.toMatchObject({ name: 'InstanceAlreadyExistsError' });
      expect(await h.client.reset('source', { eventId: 4, newInstanceId: 'forked' })).toBe('forked');
      await h.settle();
      expect((await h.client.getStatus('forked'))?.runtimeStatus).toBe('Completed');
    });

    it('a running instance is reset at its next episode; the old execution stays out', async () => {
      const { h } = start();
      await h.client.startNew('OnEvent', { instanceId: 'run' });
      await h.settle();
      await h.client.raiseEvent('run', 'E', 'a');
      await h.settle();
      const before = await h.client.getInstanceRecord('run');
      expect(before?.runtimeStatus).toBe('Running');
      await h.client.reset('run', { eventId: 3, reapplyEvents: false });
      await h.settle();
      const after = await h.client.getInstanceRecord('run');
      expect(after).toMatchObject({ runtimeStatus: 'Running' });
      expect(after!.executionId).not.toBe(before!.executionId);
      await h.client.raiseEvent('run', 'E', 'x');
      await h.client.raiseEvent('run', 'E', 'y');
      await h.settle();
      expect((await h.client.getStatus('run'))?.output).toBe('Hello x+y!');
    });

    it('back to a row before a sub-orchestration finished: the child runs again and reports to the new execution', async () => {
      const { h, calls } = start();
      await h.client.startNew('Dad', { instanceId: 'dad' });
      await h.settle();
      expect(types(await h.client.getHistory('dad')).slice(0, 4)).toEqual([
        'OrchestratorStarted',
        'ExecutionStarted',
        'SubOrchestrationInstanceCreated',
        'OrchestratorCompleted',
      ]);
      await h.client.reset('dad', { eventId: 4 });
      await h.settle();
      expect(await h.client.getStatus('dad')).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello kid!' });
      expect(calls).toEqual(['kid', 'kid']);
      const kid = (await h.client.getHistory('dad-kid')).find((e) => e.type === 'ExecutionStarted');
      expect(kid).toMatchObject({ parentInstance: { executionId: (await h.client.getInstanceRecord('dad'))!.executionId } });
    });

    it('replays the kept rows with the same Math.random as the source', async () => {
      const { h } = start();
      await h.client.startNew('Random', { instanceId: 'rnd' });
      await h.settle();
      const rows = (await h.client.getHistory('rnd')).length;
      await h.client.reset('rnd', { eventId: rows - 3, newInstanceId: 'rnd-fork' });
      await h.client.reset('rnd', { eventId: rows - 3 });
      await h.settle();
      for (const id of ['rnd', 'rnd-fork']) expect(await h.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: 8 });
    });

    it('every row of a completed instance is a valid point: it ends as before, with a sound history', async () => {
      const { h, calls } = start();
      await h.client.startNew('Hello', { instanceId: 'hello' });
      await h.settle();
      const output = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];
      // How many activities each row runs again: before ExecutionStarted, all three; at or after the completion, none.
      const again = [3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0];
      for (let eventId = 1; eventId <= 16; eventId++) {
        // Each round starts from the same 16 rows: a fresh instance under the same ID.
        if (eventId > 1) {
          await h.client.purgeInstanceHistory('hello');
          await h.client.startNew('Hello', { instanceId: 'hello' });
          await h.settle();
        }
        expect(await h.client.getHistory('hello')).toHaveLength(16);
        calls.length = 0;
        await h.client.reset('hello', { eventId });
        await h.settle();
        expect({
          eventId,
          status: await h.client.getStatus('hello'),
          problems: checkHistory(await h.client.getHistory('hello')),
          again: calls.length,
        }).toMatchObject({
          eventId,
          status: { runtimeStatus: 'Completed', output },
          problems: [],
          again: again[eventId - 1],
        });
      }
    });

    it('at the completion row the last episode runs again with the current code: a failure fixed since completes', async () => {
      const { h, calls, flags } = start();
      await h.client.startNew('Flaky', { instanceId: 'flaky' });
      await h.settle();
      expect((await h.client.getStatus('flaky'))?.runtimeStatus).toBe('Failed');
      const rows = (await h.client.getHistory('flaky')).length;
      flags.broken = false;
      await h.client.reset('flaky', { eventId: rows });
      await h.settle();
      expect(await h.client.getStatus('flaky')).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello Oslo! fixed' });
      expect(calls).toEqual(['Oslo']);
      expect(checkHistory(await h.client.getHistory('flaky'))).toEqual([]);
    });

    it('at or after a termination the instance goes on from just before it; before ExecutionStarted it starts over', async () => {
      const { h } = start();
      await h.client.startNew('OnEvent', { instanceId: 'term' });
      await h.settle();
      await h.client.raiseEvent('term', 'E', 'a');
      await h.settle();
      await h.client.terminate('term', 'stop');
      await h.settle();
      const past = await h.client.getHistory('term');
      expect(past.map((e) => e.type).slice(-3)).toEqual(['ExecutionTerminated', 'ExecutionCompleted', 'OrchestratorCompleted']);
      await h.client.reset('term', { eventId: past.length, reapplyEvents: false });
      await h.settle();
      expect((await h.client.getStatus('term'))?.runtimeStatus).toBe('Running');
      await h.client.raiseEvent('term', 'E', 'b');
      await h.settle();
      expect((await h.client.getStatus('term'))?.output).toBe('Hello a+b!');
      expect(checkHistory(await h.client.getHistory('term'))).toEqual([]);

      await h.client.reset('term', { eventId: 1, newInstanceId: 'term-fork' });
      await h.settle();
      const fork = await h.client.getHistory('term-fork');
      expect(fork.map((e) => e.type).slice(0, 4)).toEqual(['OrchestratorStarted', 'ExecutionStarted', 'OrchestratorCompleted', 'ExecutionReset']);
      expect(checkHistory(fork)).toEqual([]);
      // The events after row 1 are delivered again: the fork ends as its source did.
      expect(await h.client.getStatus('term-fork')).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello a+b!' });
    });

    // Row 4 ends the first episode (the child is created again in a later episode); row 6 is the
    // activity's result, inside the episode that created the child (the reset's episode creates it again).
    for (const eventId of [4, 6]) {
      it(`a child still running that the reset re-creates (row ${eventId}) is adopted: not refused, not run again; its result reaches the new execution`, async () => {
        const { h, calls } = start();
        await h.client.startNew('Mom', { instanceId: 'mom' });
        await h.settle();
        const past = await h.client.getHistory('mom');
        expect(types(past)).toEqual([
          'OrchestratorStarted',
          'ExecutionStarted',
          'TaskScheduled',
          'OrchestratorCompleted',
          'OrchestratorStarted',
          'TaskCompleted',
          'SubOrchestrationInstanceCreated',
          'OrchestratorCompleted',
        ]);
        const before = (await h.client.getInstanceRecord('mom'))!.executionId;
        const kid = await h.client.getInstanceRecord('mom-w');
        expect(kid?.runtimeStatus).toBe('Running');
        await h.client.reset('mom', { eventId });
        await h.settle();
        expect(calls).toEqual(eventId === 4 ? ['mom', 'mom'] : ['mom']);
        const reset = await h.client.getInstanceRecord('mom');
        expect(reset).toMatchObject({ runtimeStatus: 'Running' });
        const created = (await h.client.getHistory('mom')).filter((e) => e.type === 'SubOrchestrationInstanceCreated');
        expect(created).toEqual([expect.objectContaining({ instanceId: 'mom-w', eventId: 1, adoptedFrom: before })]);
        expect(await h.client.getInstanceRecord('mom-w')).toMatchObject({ executionId: kid!.executionId, runtimeStatus: 'Running' });
        await h.client.raiseEvent('mom-w', 'go', 'went');
        await h.settle();
        expect(await h.client.getStatus('mom')).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello mom!', 'went'] });
        expect((await h.client.getInstanceRecord('mom'))!.executionId).toBe(reset!.executionId);
        expect(checkHistory(await h.client.getHistory('mom'))).toEqual([]);
        expect((await h.client.getHistory('mom-w')).filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
      });
    }

    it('refuses a row out of range, a Pending instance and a missing one, with typed errors', async () => {
      const { h } = start();
      await h.client.startNew('Hello', { instanceId: 'hello' });
      await expect(h.client.reset('hello', { eventId: 1 })).rejects.toMatchObject({ name: 'InvalidStateError', message: expect.stringContaining('Pending') });
      await h.settle();
      for (const eventId of [0, 17, 1.5, Number.NaN]) {
        await expect(h.client.reset('hello', { eventId })).rejects.toMatchObject({
          name: 'InvalidArgumentError',
          message: expect.stringContaining('from 1 to 16'),
        });
      }
      await expect(h.client.reset('nobody', { eventId: 1 })).rejects.toMatchObject({ name: 'InstanceNotFoundError' });
      await expect(h.client.reset('hello', { eventId: 2, newInstanceId: 'bad/id' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
      expect((await h.client.getStatus('hello'))?.runtimeStatus).toBe('Completed');
    });
  });
}
