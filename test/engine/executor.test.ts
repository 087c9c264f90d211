/** The executor as a pure function: history in, actions and outcome out. */
import { describe, expect, it } from 'vitest';
import { DurableApp, event, type HistoryEvent, type OrchestrationContext, RetryOptions, replay, type Task } from '../../core/index.js';

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const started = (name: string, input?: unknown, s = 0) => [
  event('OrchestratorStarted', T(s), {}),
  event('ExecutionStarted', T(s), {
    name,
    input: input === undefined ? undefined : JSON.stringify(input),
    orchestrationInstance: { instanceId: 'i', executionId: 'e' },
  }),
];
const episode = (s: number, ...events: HistoryEvent[]) => [event('OrchestratorStarted', T(s), {}), ...events];
const scheduled = (id: number, name: string, input?: unknown) =>
  event('TaskScheduled', T(0), { name, input: input === undefined ? undefined : JSON.stringify(input) }, id);
const completed = (id: number, result: unknown) => event('TaskCompleted', T(0), { taskScheduledId: id, result: JSON.stringify(result) });
const failed = (id: number, message: string) =>
  event('TaskFailed', T(0), { taskScheduledId: id, failureDetails: { errorType: 'Error', errorMessage: message } });
const done = () => event('OrchestratorCompleted', T(0), {});

function app(name: string, fn: (ctx: OrchestrationContext) => Generator<Task, unknown, any>) {
  return new DurableApp().orchestration(name, fn);
}

const sequence = app('Seq', function* (ctx) {
  const a: number = yield ctx.df.callActivity('Inc', ctx.df.getInput());
  const b: number = yield ctx.df.callActivity('Inc', a);
  return b;
});

describe('replay executor', () => {
  it('schedules the first activity on start', () => {
    const r = replay(sequence, 'i', [], started('Seq', 1));
    expect(r.actions).toEqual([{ type: 'ScheduleTask', id: 0, name: 'Inc', input: '1' }]);
    expect(r.outcome).toBeUndefined();
  });

  it('replays recorded results and schedules only what is new', () => {
    const past = [...started('Seq', 1), scheduled(0, 'Inc', 1), done()];
    const r = replay(sequence, 'i', past, episode(1, completed(0, 2)));
    expect(r.actions).toEqual([{ type: 'ScheduleTask', id: 1, name: 'Inc', input: '2' }]);
    const last = replay(sequence, 'i', [...past, ...episode(1, completed(0, 2)), scheduled(1, 'Inc', 2), done()], episode(2, completed(1, 3)));
    expect(last.actions).toEqual([]);
    expect(last.outcome).toEqual({ status: 'Completed', result: '3' });
  });

  it('fails with NonDeterminismError naming the position, the recorded event and the new action', () => {
    const changed = app('Seq', function* (ctx) {
      yield ctx.df.createTimer(new Date(Date.UTC(2030, 0, 1)));
    });
    const r = replay(changed, 'i', [...started('Seq', 1), scheduled(0, 'Inc', 1), done()], episode(1, completed(0, 2)));
    expect(r.outcome?.status).toBe('Failed');
    const details = r.outcome?.status === 'Failed' ? r.outcome.failureDetails : undefined;
    expect(details?.errorType).toBe('NonDeterminismError');
    expect(details?.errorMessage).toContain('position 2');
    expect(details?.errorMessage).toContain("TaskScheduled 'Inc' (eventId 0)");
    expect(details?.errorMessage).toContain('createTimer()');
  });

  it('detects a renamed activity as non-determinism', () => {
    const renamed = app('Seq', function* (ctx) {
      yield ctx.df.callActivity('Other');
    });
    const r = replay(renamed, 'i', [...started('Seq'), scheduled(0, 'Inc'), done()], episode(1));
    expect(r.outcome).toMatchObject({ status: 'Failed', failureDetails: { errorType: 'NonDeterminismError' } });
    expect(r.outcome?.status === 'Failed' && r.outcome.failureDetails.errorMessage).toContain("callActivity('Other')");
  });

  it('throws a failed activity into the orchestrator, which may catch it', () => {
    const catching = app('C', function* (ctx) {
      try {
        yield ctx.df.callActivity('Boom');
      } catch (e) {
        return `caught: ${(e as Error).message}`;
      }
    });
    const r = replay(catching, 'i', [...started('C'), scheduled(0, 'Boom'), done()], episode(1, failed(0, 'kaput')));
    expect(r.outcome).toEqual({ status: 'Completed', result: JSON.stringify("caught: Activity function 'Boom' failed: kaput") });
  });

  it('fails the orchestration when its code throws, with the error details', () => {
    // biome-ignore lint/correctness/useYield: an orchestrator that throws before its first yield.
    const throwing = app('X', function* () {
      throw new RangeError('bad input');
    });
    const r = replay(throwing, 'i', [], started('X'));
    expect(r.outcome).toMatchObject({ status: 'Failed', failureDetails: { errorType: 'RangeError', errorMessage: 'bad input' } });
  });

  it('fails an unknown orchestrator with UnknownOrchestratorError', () => {
    const r = replay(sequence, 'i', [], started('Nope'));
    expect(r.outcome).toMatchObject({ status: 'Failed', failureDetails: { errorType: 'UnknownOrchestratorError' } });
  });

  it('fans out in one episode and fans in when all complete', () => {
    const fan = app('F', function* (ctx) {
      const xs: number[] = yield ctx.df.Task.all([1, 2, 3].map((x) => ctx.df.callActivity('Sq', x)));
      return xs.reduce((a, b) => a + b);
    });
    const first = replay(fan, 'i', [], started('F'));
    expect(first.actions.map((a) => a.id)).toEqual([0, 1, 2]);
    const past = [...started('F'), scheduled(0, 'Sq', 1), scheduled(1, 'Sq', 2), scheduled(2, 'Sq', 3), done()];
    expect(replay(fan, 'i', past, episode(1, completed(2, 9), completed(0, 1))).outcome).toBeUndefined();
    expect(replay(fan, 'i', past, episode(1, completed(2, 9), completed(0, 1), completed(1, 4))).outcome).toEqual({ status: 'Completed', result: '14' });
  });

  it('Task.all fails with every error once all tasks settled', () => {
    const fan = app('F', function* (ctx) {
      try {
        yield ctx.df.Task.all([ctx.df.callActivity('A'), ctx.df.callActivity('B')]);
      } catch (e) {
        return (e as Error).name;
      }
    });
    const past = [...started('F'), scheduled(0, 'A'), scheduled(1, 'B'), done()];
    expect(replay(fan, 'i', past, episode(1, failed(0, 'x'))).outcome).toBeUndefined();
    expect(replay(fan, 'i', past, episode(1, failed(0, 'x'), completed(1, 1))).outcome).toEqual({ status: 'Completed', result: '"AggregatedError"' });
  });

  it('uses the episode time from history for currentUtcDateTime, Date.now() and timers', () => {
    const timed = app('T', function* (ctx) {
      const t0 = ctx.df.currentUtcDateTime.getTime();
      expect(Date.now()).toBe(t0);
      yield ctx.df.createTimer(new Date(t0 + 60_000));
      return ctx.df.currentUtcDateTime.toISOString();
    });
    const r = replay(timed, 'i', [], started('T', undefined, 5));
    expect(r.actions).toEqual([{ type: 'CreateTimer', id: 0, fireAt: T(65) }]);
    const past = [...started('T', undefined, 5), event('TimerCreated', T(5), { fireAt: T(65) }, 0), done()];
    const fired = replay(timed, 'i', past, episode(70, event('TimerFired', T(65), { timerId: 0, fireAt: T(65) })));
    expect(fired.outcome).toEqual({ status: 'Completed', result: JSON.stringify(T(70)) });
  });

  it('gives the same Math.random() and newGuid() values on every replay', () => {
    const values: unknown[][] = [];
    const random = app('R', function* (ctx) {
      const v = [Math.random(), ctx.df.newGuid(), ctx.df.newGuid()];
      values.push(v);
      yield ctx.df.callActivity('A');
    });
    replay(random, 'i', [], started('R'));
    replay(random, 'i', [...started('R'), scheduled(0, 'A'), done()], episode(1));
    expect(values[0]).toEqual(values[1]);
    expect(values[0]![1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(values[0]![1]).not.toBe(values[0]![2]);
  });

  it('buffers an external event raised before the orchestrator waits for it', () => {
    const waiting = app('W', function* (ctx) {
      yield ctx.df.callActivity('A');
      return yield ctx.df.waitForExternalEvent('Go');
    });
    const past = [...started('W'), scheduled(0, 'A'), done(), ...episode(1, event('EventRaised', T(1), { name: 'go', input: '"early"' })), done()];
    expect(replay(waiting, 'i', past, episode(2, completed(0, 1))).outcome).toEqual({ status: 'Completed', result: '"early"' });
  });

  it('Task.any returns the first task; a pending timer keeps the instance open until canceled', () => {
    const racing = app('A', function* (ctx) {
      const timer = ctx.df.createTimer(new Date(Date.UTC(2026, 0, 2)));
      const ev = ctx.df.waitForExternalEvent('E');
      const winner: Task = yield ctx.df.Task.any([ev, timer]);
      if (winner === ev && ctx.df.getInput() === 'cancel') timer.cancel();
      return winner === ev ? 'event' : 'timer';
    });
    const past = (input: string) => [...started('A', input), event('TimerCreated', T(0), { fireAt: '2026-01-02T00:00:00.000Z' }, 0), done()];
    expect(replay(racing, 'i', past('cancel'), episode(1, event('EventRaised', T(1), { name: 'E' }))).outcome).toEqual({
      status: 'Completed',
      result: '"event"',
    });
    // Not canceled: "not Completed until all of its scheduled tasks have finished".
    expect(replay(racing, 'i', past('keep'), episode(1, event('EventRaised', T(1), { name: 'E' }))).outcome).toBeUndefined();
  });

  it('retries with backoff timers and gives up after maxNumberOfAttempts', () => {
    const retry = new RetryOptions(1000, 3);
    retry.backoffCoefficient = 2;
    const retrying = app('R', function* (ctx) {
      return yield ctx.df.callActivityWithRetry('Flaky', retry);
    });
    let history: HistoryEvent[] = [...started('R'), scheduled(0, 'Flaky'), done()];
    let r = replay(retrying, 'i', history, episode(1, failed(0, 'one')));
    expect(r.actions).toEqual([{ type: 'CreateTimer', id: 1, fireAt: T(2) }]);
    history = [...history, ...episode(1, failed(0, 'one')), event('TimerCreated', T(1), { fireAt: T(2) }, 1), done()];
    r = replay(retrying, 'i', history, episode(2, event('TimerFired', T(2), { timerId: 1, fireAt: T(2) })));
    expect(r.actions).toEqual([{ type: 'ScheduleTask', id: 2, name: 'Flaky' }]);
    history = [...history, ...episode(2, event('TimerFired', T(2), { timerId: 1, fireAt: T(2) })), scheduled(2, 'Flaky'), done()];
    r = replay(retrying, 'i', history, episode(3, failed(2, 'two')));
    expect(r.actions).toEqual([{ type: 'CreateTimer', id: 3, fireAt: T(5) }]);
    history = [
      ...history,
      ...episode(3, failed(2, 'two')),
      event('TimerCreated', T(3), { fireAt: T(5) }, 3),
      done(),
      ...episode(5, event('TimerFired', T(5), { timerId: 3, fireAt: T(5) })),
      scheduled(4, 'Flaky'),
      done(),
    ];
    r = replay(retrying, 'i', history, episode(6, failed(4, 'three')));
    expect(r.outcome).toMatchObject({ status: 'Failed', failureDetails: { errorMessage: "Activity function 'Flaky' failed: three" } });
  });

  it('holds events while suspended and applies them on resume', () => {
    const waiting = app('W', function* (ctx) {
      return yield ctx.df.waitForExternalEvent('E');
    });
    const past = [...started('W'), done(), ...episode(1, event('ExecutionSuspended', T(1), {})), done()];
    const held = replay(waiting, 'i', past, episode(2, event('EventRaised', T(2), { name: 'E', input: '1' })));
    expect(held).toMatchObject({ suspended: true });
    expect(held.outcome).toBeUndefined();
    const resumed = replay(
      waiting,
      'i',
      [...past, ...episode(2, event('EventRaised', T(2), { name: 'E', input: '1' })), done()],
      episode(3, event('ExecutionResumed', T(3), {})),
    );
    expect(resumed).toMatchObject({ suspended: false, outcome: { status: 'Completed', result: '1' } });
  });

  it('terminates at once, even while suspended', () => {
    const waiting = app('W', function* (ctx) {
      return yield ctx.df.waitForExternalEvent('E');
    });
    const past = [...started('W'), done(), ...episode(1, event('ExecutionSuspended', T(1), {})), done()];
    expect(replay(waiting, 'i', past, episode(2, event('ExecutionTerminated', T(2), { input: '"stop"' }))).outcome).toEqual({
      status: 'Terminated',
      result: '"stop"',
    });
  });

  it('drops duplicate completions', () => {
    const r = replay(sequence, 'i', [...started('Seq', 1), scheduled(0, 'Inc', 1), done()], episode(1, completed(0, 2), completed(0, 2)));
    expect(r.applied.filter((e) => e.type === 'TaskCompleted')).toHaveLength(1);
  });

  it('continues as new, carrying unprocessed events when asked', () => {
    const eternal = app('E', function* (ctx) {
      const n: number = yield ctx.df.waitForExternalEvent('Add');
      ctx.df.continueAsNew((ctx.df.getInput<number>() ?? 0) + n, true);
    });
    const r = replay(eternal, 'i', started('E', 1), [
      event('EventRaised', T(1), { name: 'Add', input: '2' }),
      event('EventRaised', T(1), { name: 'Add', input: '5' }),
    ]);
    expect(r.outcome).toMatchObject({ status: 'ContinuedAsNew', input: '3' });
    expect(r.outcome?.status === 'ContinuedAsNew' && r.outcome.carryoverEvents.map((e) => e.input)).toEqual(['5']);
  });

  it('rejects yielding something that is not a task', () => {
    const bad = app('B', function* () {
      yield 42 as never;
    });
    expect(replay(bad, 'i', [], started('B')).outcome).toMatchObject({ status: 'Failed', failureDetails: { errorType: 'TypeError' } });
  });

  it('fails when the output cannot be serialized to JSON', () => {
    const bad = app('B', function* (ctx) {
      yield ctx.df.callActivity('A');
      return { big: 1n };
    });
    const r = replay(bad, 'i', [...started('B'), scheduled(0, 'A'), done()], episode(1, completed(0, 1)));
    expect(r.outcome).toMatchObject({ status: 'Failed', failureDetails: { errorType: 'SerializationError' } });
  });
});
