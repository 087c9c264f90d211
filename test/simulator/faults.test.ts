/** Fault injection: failing activity attempts, and worker crashes after every durable write. */
import { describe, expect, it } from 'vitest';
import { type DurableApp, type HistoryEvent, type OrchestrationContext, RetryOptions } from '../../core/index.js';
import { checkHistory, Simulation } from '../../core/simulator/index.js';
import { registerSamples } from '../../samples/index.js';

const START = Date.parse('2026-01-01T00:00:00Z');

function retryApp(): DurableApp {
  return registerSamples().orchestration('RetryHello', function* (context: OrchestrationContext) {
    const greeting: string = yield context.df.callActivityWithRetry('SayHello', new RetryOptions(5000, 3), 'Paris');
    return greeting;
  });
}

const types = (history: HistoryEvent[]) => history.filter((e) => e.type !== 'OrchestratorStarted' && e.type !== 'OrchestratorCompleted').map((e) => e.type);

describe('failActivity', () => {
  it('fails an activity on its k-th attempt: callActivityWithRetry retries and succeeds', async () => {
    const sim = new Simulation(retryApp(), { start: new Date(START) }).failActivity('SayHello', { attempt: 1, error: 'service unavailable' });
    const status = await sim.run('RetryHello', { instanceId: 'retry' });
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello Paris!' });
    const history = await sim.getHistory('retry');
    expect(types(history)).toEqual([
      'ExecutionStarted',
      'TaskScheduled',
      'TaskFailed',
      'TimerCreated',
      'TimerFired',
      'TaskScheduled',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    const failed = history.find((e) => e.type === 'TaskFailed');
    expect(failed).toMatchObject({ failureDetails: { errorType: 'Error', errorMessage: 'service unavailable' } });
    expect(history.find((e) => e.type === 'TaskCompleted')?.timestamp).toBe('2026-01-01T00:00:05.000Z');
    expect(sim.activityAttempts('retry', 'SayHello')).toBe(2);
    expect(sim.log.filter((e) => e.kind === 'fault')).toMatchObject([{ activity: 'SayHello', instanceId: 'retry', attempt: 1 }]);
    expect(checkHistory(history)).toEqual([]);
  });

  it('fails chosen attempts; when every allowed attempt fails, the orchestration fails', async () => {
    const twice = new Simulation(retryApp()).failActivity('SayHello', { attempts: [1, 2] });
    expect(await twice.run('RetryHello', { instanceId: 'r' })).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello Paris!' });
    expect(twice.activityAttempts('r', 'SayHello')).toBe(3);

    const always = new Simulation(retryApp()).failActivity('SayHello', { error: new TypeError('bad city') });
    const status = await always.run('RetryHello', { instanceId: 'r' });
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.failureDetails?.errorMessage).toMatch(/Activity function 'SayHello' failed: bad city/);
    expect(always.activityAttempts('r', 'SayHello')).toBe(3);
  });

  it('can target one instance and count the first n attempts', async () => {
    const sim = new Simulation(registerSamples()).failActivity('SayHello', { instanceId: 'b', times: 1 });
    expect((await sim.run('HelloSequence', { instanceId: 'a' })).runtimeStatus).toBe('Completed');
    expect((await sim.run('HelloSequence', { instanceId: 'b' })).runtimeStatus).toBe('Failed');
    expect(() => sim.failActivity('SayHello', { attempt: 0 })).toThrow(/at least 1/);
  });

  it('a failed attempt, then a rewind, re-runs only the failed activity', async () => {
    const sim = new Simulation(registerSamples()).failActivity('SayHello', { attempt: 2 });
    expect((await sim.run('HelloSequence', { instanceId: 'h' })).runtimeStatus).toBe('Failed');
    await sim.client.rewind('h');
    await sim.runUntilIdle();
    expect(await sim.getStatus('h')).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    expect(sim.activityAttempts('h', 'SayHello')).toBe(4);
    expect(checkHistory(await sim.getHistory('h'))).toEqual([]);
  });
});

describe('crashAfterCommit', () => {
  async function baseline(name: string, input?: unknown): Promise<number> {
    const sim = new Simulation(registerSamples());
    await sim.run(name, { instanceId: 'x', input });
    return sim.commits;
  }

  it('HelloSequence: a crash after every durable write N still completes, with no gaps or duplicates', async () => {
    const writes = await baseline('HelloSequence');
    expect(writes).toBe(4); // 4 episodes; each of the last three records the result of the activity before it
    for (let n = 1; n <= writes; n++) {
      const sim = new Simulation(registerSamples()).crashAfterCommit(n);
      const status = await sim.run('HelloSequence', { instanceId: 'x' });
      expect(status, `crash after write ${n}`).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
      const history = await sim.getHistory('x');
      expect(checkHistory(history), `crash after write ${n}`).toEqual([]);
      expect(history.filter((e) => e.type === 'TaskScheduled').map((e) => e.eventId)).toEqual([0, 1, 2]);
      expect(history.filter((e) => e.type === 'TaskCompleted')).toHaveLength(3);
      expect(history.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
      expect(
        sim.log.filter((e) => e.kind === 'crash'),
        `crash after write ${n}`,
      ).toHaveLength(1);
      expect(sim.activityAttempts('x', 'SayHello')).toBeGreaterThanOrEqual(3);
    }
  });

  it('FanOutFanIn: lost in-flight activities run again once their leases lapse (at least once), recorded once', async () => {
    const writes = await baseline('FanOutFanIn', 8);
    let redelivered = 0;
    for (let n = 1; n <= writes; n++) {
      const sim = new Simulation(registerSamples(), { start: new Date(START) }).crashAfterCommit(n);
      const status = await sim.run('FanOutFanIn', { instanceId: 'x', input: 8 });
      expect(status, `crash after write ${n}`).toMatchObject({ runtimeStatus: 'Completed', output: 204 });
      const history = await sim.getHistory('x');
      expect(checkHistory(history), `crash after write ${n}`).toEqual([]);
      expect(history.filter((e) => e.type === 'TaskCompleted')).toHaveLength(8);
      const attempts = sim.activityAttempts('x', 'Square');
      if (attempts > 8) {
        redelivered++;
        // The lost results come back only after the 5-minute activity lease lapses.
        expect(status.lastUpdatedTime.getTime() - START).toBeGreaterThanOrEqual(5 * 60_000);
      }
    }
    expect(redelivered).toBeGreaterThan(0);
  });

  it('several crashes in one run, and a graceful restart, change nothing in the outcome', async () => {
    const sim = new Simulation(registerSamples()).crashAfterCommit(1, 3, 5, 6);
    const id = await sim.startNew('ParentChild', { instanceId: 'p' });
    await sim.runUntilIdle();
    await sim.restartWorker();
    await sim.runUntilIdle();
    expect(await sim.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    expect(sim.log.filter((e) => e.kind === 'crash')).toHaveLength(4);
    for (const instance of ['p', 'p:0000']) expect(checkHistory(await sim.getHistory(instance))).toEqual([]);
    expect(() => sim.crashAfterCommit(0)).toThrow(/at least 1/);
  });
});
