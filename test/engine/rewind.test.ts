/** Rewind: the pure history transform on recorded histories, then every failure shape end to end on the memory store. */
import { describe, expect, it } from 'vitest';
import { DurableApp, event, type HistoryEvent, MemoryStorage, replay, type Task } from '../../core/index.js';
import { type ChildFacts, childrenToCheck, planRewind, type RewindCut, rewindCuts, rewindHistory } from '../../core/orchestration/rewind.js';
import { runRewindScenarios } from '../rewind.case.js';

const T = '2026-01-01T00:00:00.000Z';
const NOW = '2026-01-02T00:00:00.000Z';
const failure = { errorType: 'Error', errorMessage: 'broken' };
const started = event('ExecutionStarted', T, { name: 'O', orchestrationInstance: { instanceId: 'i', executionId: 'e1' } });
const step = (...events: HistoryEvent[]): HistoryEvent[] => [event('OrchestratorStarted', T, {}), ...events, event('OrchestratorCompleted', T, {})];
const scheduled = (id: number, name = 'A') => event('TaskScheduled', T, { name }, id);
const completed = (id: number) => event('TaskCompleted', T, { taskScheduledId: id, result: `"r${id}"` });
const failed = (id: number) => event('TaskFailed', T, { taskScheduledId: id, failureDetails: failure });
const timer = (id: number) => event('TimerCreated', T, { fireAt: T }, id);
const fired = (id: number) => event('TimerFired', T, { timerId: id, fireAt: T });
const child = (id: number, instanceId: string) => event('SubOrchestrationInstanceCreated', T, { name: 'C', instanceId }, id);
const childFailed = (id: number) => event('SubOrchestrationInstanceFailed', T, { taskScheduledId: id, failureDetails: failure });
const ended = [event('ExecutionCompleted', T, { orchestrationStatus: 'Failed', failureDetails: failure })];
const cut = (from: number, ...failedIds: number[]): RewindCut => ({ from, failed: new Set(failedIds) });
const facts = (more: { children?: Map<string, ChildFacts>; arrived?: HistoryEvent[] } = {}) => ({
  children: more.children ?? new Map<string, ChildFacts>(),
  arrived: more.arrived ?? [],
  reason: 'fixed',
  now: NOW,
});
/** The rows as `type eventId`, retired ones as `~type eventId`. */
const rows = (history: HistoryEvent[]) =>
  history
    .filter((e) => e.type !== 'OrchestratorStarted' && e.type !== 'OrchestratorCompleted')
    .map((e) => (e.type === 'GenericEvent' ? `~${e.rewound?.type} ${e.eventId}` : `${e.type} ${e.eventId}`));

// An activity with two attempts: A (0) fails, a retry timer (1), A (2) fails, the orchestration fails.
const retried = [
  ...step(started, scheduled(0)),
  ...step(failed(0), timer(1)),
  ...step(fired(1), scheduled(2)),
  event('OrchestratorStarted', T, {}),
  failed(2),
  ...ended,
];

describe('rewindHistory', () => {
  it('cut at the last attempt: retires that attempt and the failure, keeps the handled attempt and its timer', () => {
    const { history, events, failedChildren } = rewindHistory(retried, cut(3, 2), facts());
    expect(rows(history)).toEqual([
      'ExecutionStarted -1',
      'TaskScheduled 0',
      'TaskFailed -1',
      'TimerCreated 1',
      'TimerFired -1',
      '~TaskScheduled 2',
      '~TaskFailed -1',
      '~ExecutionCompleted -1',
      'ExecutionRewound -1',
    ]);
    expect(history.at(-1)).toEqual({ type: 'ExecutionRewound', eventId: -1, timestamp: NOW, reason: 'fixed' });
    expect(history.find((e) => e.type === 'GenericEvent')).toEqual({
      type: 'GenericEvent',
      eventId: 2,
      timestamp: T,
      data: 'Rewound: TaskScheduled',
      rewound: scheduled(2),
    });
    expect(events).toEqual([]);
    expect(failedChildren).toEqual([]);
    expect(history).toHaveLength(retried.length + 1);
  });

  it('cut at the first failure: retires everything decided after it, the timer too', () => {
    const { history } = rewindHistory(retried, cut(1, 0, 2), facts());
    expect(rows(history).filter((r) => r.startsWith('~'))).toEqual([
      '~TaskScheduled 0',
      '~TaskFailed -1',
      '~TimerCreated 1',
      '~TimerFired -1',
      '~TaskScheduled 2',
      '~TaskFailed -1',
      '~ExecutionCompleted -1',
    ]);
  });

  it('work in flight: no result means run again, a result that came with the rewind is kept, a failure that came is run again', () => {
    const past = [
      ...step(started, scheduled(0), scheduled(1, 'B'), scheduled(2, 'C'), timer(3), scheduled(4, 'F')),
      event('OrchestratorStarted', T, {}),
      failed(4),
      ...ended,
    ];
    const raised = event('EventRaised', NOW, { name: 'go', input: '1' });
    const { history, events } = rewindHistory(past, cut(5, 4), facts({ arrived: [completed(1), raised, failed(2), completed(1), completed(9)] }));
    expect(rows(history)).toEqual([
      'ExecutionStarted -1',
      '~TaskScheduled 0',
      'TaskScheduled 1',
      '~TaskScheduled 2',
      '~TimerCreated 3',
      '~TaskScheduled 4',
      '~TaskFailed -1',
      '~ExecutionCompleted -1',
      'ExecutionRewound -1',
    ]);
    // The first result for a kept task and the raised event pass; the duplicate, the failure and the unknown task's result do not.
    expect(events).toEqual([completed(1), raised]);
  });

  it('a failed child that reports to this task is rewound in place; a finished child hands over its result; others are created again', () => {
    const past = [
      ...step(started, child(0, 'c0'), child(1, 'c1'), child(2, 'c2'), child(3, 'c3'), child(4, 'c4')),
      event('OrchestratorStarted', T, {}),
      childFailed(0),
      ...ended,
    ];
    const ours = (taskScheduledId: number) => ({ executionId: 'e1', taskScheduledId });
    const children = new Map<string, ChildFacts>([
      ['c0', { status: 'Failed', reportsTo: ours(0) }],
      ['c1', { status: 'Completed', reportsTo: ours(1), output: '"done"' }],
      ['c2', { status: 'Running', reportsTo: ours(2) }],
      ['c3', { status: 'Failed', reportsTo: ours(7) }],
    ]);
    const { history, events, failedChildren } = rewindHistory(past, cut(5, 0), facts({ children }));
    expect(rows(history)).toEqual([
      'ExecutionStarted -1',
      'SubOrchestrationInstanceCreated 0',
      'SubOrchestrationInstanceCreated 1',
      'SubOrchestrationInstanceCreated 2',
      '~SubOrchestrationInstanceCreated 3',
      '~SubOrchestrationInstanceCreated 4',
      '~SubOrchestrationInstanceFailed -1',
      '~ExecutionCompleted -1',
      'ExecutionRewound -1',
    ]);
    expect(failedChildren).toEqual(['c0']);
    expect(events).toEqual([event('SubOrchestrationInstanceCompleted', NOW, { taskScheduledId: 1, result: '"done"' })]);
  });

  it('rows a rewind retired before stay retired, and the live ones are cut again', () => {
    const once = rewindHistory(retried, cut(3, 2), facts()).history;
    const again = [...once, ...step(scheduled(2)), event('OrchestratorStarted', T, {}), failed(2), ...ended];
    const { history } = rewindHistory(again, cut(3, 2), facts());
    expect(rows(history).slice(5)).toEqual([
      '~TaskScheduled 2',
      '~TaskFailed -1',
      '~ExecutionCompleted -1',
      'ExecutionRewound -1',
      '~TaskScheduled 2',
      '~TaskFailed -1',
      '~ExecutionCompleted -1',
      'ExecutionRewound -1',
    ]);
    expect(history.slice(0, once.length)).toEqual(once);
  });
});

describe('rewindCuts and childrenToCheck', () => {
  it('cuts at the first unhandled failure, then at the first failure; without failures, nowhere', () => {
    const failures = [
      { taskScheduledId: 0, sequence: 1, handled: true },
      { taskScheduledId: 2, sequence: 3, handled: false },
      { taskScheduledId: 5, sequence: 6, handled: true },
    ];
    expect(rewindCuts(failures)).toEqual([cut(3, 2, 5), cut(1, 0, 2, 5)]);
    expect(rewindCuts([{ taskScheduledId: 0, sequence: 1, handled: false }])).toEqual([cut(1, 0)]);
    expect(rewindCuts([{ taskScheduledId: 0, sequence: 1, handled: true }])).toEqual([cut(1, 0)]);
    expect(rewindCuts([])).toEqual([cut(Number.POSITIVE_INFINITY)]);
  });

  it('names the children without a successful result', () => {
    const past = [
      ...step(started, child(0, 'a'), child(1, 'b'), child(2, 'c')),
      ...step(event('SubOrchestrationInstanceCompleted', T, { taskScheduledId: 1 }), childFailed(2)),
    ];
    expect(childrenToCheck(past)).toEqual(['a', 'c']);
  });
});

describe('planRewind', () => {
  // F is never awaited; A's failure is caught, B runs, then the caught error is thrown again.
  const app = new DurableApp().orchestration('O', function* (ctx): Generator<Task, unknown, unknown> {
    ctx.df.callActivity('F');
    try {
      return yield ctx.df.callActivity('A');
    } catch (error) {
      yield ctx.df.callActivity('B');
      throw error;
    }
  });
  const history = [
    ...step(started, scheduled(0, 'F'), scheduled(1, 'A')),
    ...step(failed(1), scheduled(2, 'B')),
    ...step(failed(0)),
    event('OrchestratorStarted', T, {}),
    completed(2),
    ...ended,
  ];

  it('the replayed history fails as recorded', () => {
    expect(replay(app, 'i', history, []).outcome?.status).toBe('Failed');
  });

  it('cuts at the first failure when the cut at the first unhandled one would replay into the same failure', () => {
    // F's failure (sequence 3) is the first nobody handled, but cut there A's caught failure stays, and B rethrows it.
    expect(
      rewindCuts([
        { taskScheduledId: 1, sequence: 2, handled: true },
        { taskScheduledId: 0, sequence: 3, handled: false },
      ])[0],
    ).toEqual(cut(3, 0));
    const { history: rewound } = planRewind(app, 'i', history, facts());
    expect(rows(rewound).filter((r) => r.startsWith('~'))).toEqual([
      '~TaskScheduled 0',
      '~TaskScheduled 1',
      '~TaskFailed -1',
      '~TaskScheduled 2',
      '~TaskFailed -1',
      '~TaskCompleted -1',
      '~ExecutionCompleted -1',
    ]);
    const result = replay(app, 'i', rewound, [event('OrchestratorStarted', NOW, {})]);
    expect(result.outcome).toBeUndefined();
    expect(result.actions.map((a) => a.id)).toEqual([0, 1]);
  });
});

runRewindScenarios('memory', () => new MemoryStorage());
