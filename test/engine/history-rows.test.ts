/**
 * The paged history's rows read back into the exact events: for histories with every event
 * type the engine writes (episodes, activities, retries and their failures, timers, events,
 * sub-orchestrations, suspension, rewind with its retired rows, reset, continue-as-new and
 * termination), through JSON as a bundle file carries them.
 */
import { describe, expect, it } from 'vitest';
import { DurableApp, type HistoryEvent, type OrchestrationContext, RetryOptions, type Task } from '../../core/index.js';
import { fromHistoryRows, toHistoryRows } from '../../core/wire/history-rows.js';
import { harness } from '../helpers.js';

type Orchestrator = Generator<Task, unknown, unknown>;
let broken = true;

const app = new DurableApp()
  .orchestration('Everything', function* (ctx: OrchestrationContext): Orchestrator {
    const input = ctx.df.getInput<{ round: number }>();
    ctx.df.setCustomStatus({ round: input.round });
    const hello = yield ctx.df.callActivity('Echo', { text: 'héllo', list: [1, 2.5, null] });
    yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 60_000));
    const child = yield ctx.df.callSubOrchestrator('Child', 'x', `${ctx.df.instanceId}-child-${input.round}`);
    const approval = yield ctx.df.waitForExternalEvent('Approval');
    let caught = '';
    try {
      yield ctx.df.callActivityWithRetry('Flaky', new RetryOptions(1000, 2));
    } catch (error) {
      caught = (error as Error).message;
    }
    if (input.round === 0) ctx.df.continueAsNew({ round: 1 });
    return { hello, child, approval, caught, round: input.round };
  })
  .orchestration('Child', function* (ctx: OrchestrationContext): Orchestrator {
    return yield ctx.df.callActivity('Breaks');
  })
  .activity('Echo', (value: unknown) => value)
  .activity('Flaky', () => {
    throw new Error('always');
  })
  .activity('Breaks', () => {
    if (broken) throw new Error('broken for now');
    return 'fixed';
  });

const roundTrip = (history: HistoryEvent[]) => fromHistoryRows(JSON.parse(JSON.stringify(toHistoryRows(history, { showHistoryOutput: true }))));

describe('history rows', () => {
  it('read back into the exact events, for every event type the engine writes', async () => {
    broken = true;
    const h = harness({ app });
    const id = await h.client.startNew('Everything', { input: { round: 0 } });
    await h.settle({ timers: true });
    const child = `${id}-child-0`;
    expect((await h.client.getStatus(child))?.runtimeStatus).toBe('Failed');
    broken = false;
    await h.client.rewind(id, 'fixed the child');
    await h.settle();
    await h.settle({ timers: true });
    await h.client.raiseEvent(id, 'Approval', { ok: true });
    await h.settle({ timers: true });
    await h.client.suspend(id, 'a pause');
    await h.settle();
    await h.client.resume(id);
    await h.settle({ timers: true });
    await h.client.raiseEvent(id, 'Approval', 'second round');
    await h.settle({ timers: true });
    expect((await h.client.getStatus(id))?.runtimeStatus).toBe('Completed');
    const forked = await h.client.reset(id, { eventId: 3, reason: 'again', newInstanceId: 'forked' });
    await h.settle({ timers: true });
    const terminated = await h.client.startNew('Child', { instanceId: 'stopped' });
    await h.client.terminate(terminated, 'no longer needed');
    await h.settle();

    const histories = await Promise.all([id, child, forked, terminated].map((i) => h.client.getHistory(i)));
    const types = new Set(histories.flat().flatMap((e) => (e.type === 'GenericEvent' && e.rewound ? [e.type, e.rewound.type] : [e.type])));
    for (const type of [
      'ExecutionStarted',
      'ExecutionCompleted',
      'ExecutionTerminated',
      'ExecutionSuspended',
      'ExecutionResumed',
      'TaskScheduled',
      'TaskCompleted',
      'TaskFailed',
      'SubOrchestrationInstanceCreated',
      'SubOrchestrationInstanceCompleted',
      'TimerCreated',
      'TimerFired',
      'EventRaised',
      'OrchestratorStarted',
      'OrchestratorCompleted',
      'GenericEvent',
      'ExecutionReset',
    ])
      expect(types, type).toContain(type);
    for (const history of histories) expect(roundTrip(history)).toEqual(history);
  });

  it('keep a payload of null apart from an absent one, and show no result unless asked', () => {
    const history: HistoryEvent[] = [
      { type: 'EventRaised', eventId: -1, timestamp: '2026-01-01T00:00:00.000Z', name: 'A', input: 'null' },
      { type: 'EventRaised', eventId: -1, timestamp: '2026-01-01T00:00:00.000Z', name: 'B' },
      { type: 'TaskCompleted', eventId: -1, timestamp: '2026-01-01T00:00:00.000Z', taskScheduledId: 4, result: '{"a":1}' },
    ];
    expect(roundTrip(history)).toEqual(history);
    expect(toHistoryRows(history)[2]).toEqual({ EventType: 'TaskCompleted', Timestamp: '2026-01-01T00:00:00.000Z', TaskScheduledId: 4 });
    expect(toHistoryRows(history, { showInput: false })[0]).toEqual({ EventType: 'EventRaised', Timestamp: '2026-01-01T00:00:00.000Z', Name: 'A' });
  });
});
