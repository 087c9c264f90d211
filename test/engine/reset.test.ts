/** Reset: the pure truncation on recorded histories, then the operation end to end on the memory store. */
import { describe, expect, it } from 'vitest';
import { type ExecutionReset, event, type HistoryEvent, MemoryStorage, type OrchestratorAction } from '../../core/index.js';
import { rebaseTimers, resetCut, resetHistory, resetPositionValid } from '../../core/orchestration/reset.js';
import { checkHistory } from '../../core/simulator/check.js';
import { runResetScenarios } from '../reset.case.js';

const T = '2026-01-01T00:00:00.000Z';
const NOW = '2026-01-02T00:00:00.000Z';
const parent = { instanceId: 'p', executionId: 'pe', name: 'P', taskScheduledId: 3 };
const past: HistoryEvent[] = [
  event('OrchestratorStarted', T, {}),
  event('ExecutionStarted', T, { name: 'O', input: '1', orchestrationInstance: { instanceId: 'i', executionId: 'e1' }, parentInstance: parent }),
  event('TaskScheduled', T, { name: 'A' }, 0),
  event('TimerCreated', T, { fireAt: T }, 1),
  event('OrchestratorCompleted', T, {}),
  event('OrchestratorStarted', T, {}),
  event('TaskCompleted', T, { taskScheduledId: 0, result: '"a"' }),
  event('EventRaised', T, { name: 'x', input: '1' }),
  event('OrchestratorCompleted', T, {}),
  event('OrchestratorStarted', T, {}),
  event('TimerFired', T, { timerId: 1, fireAt: T }),
  event('EventRaised', T, { name: 'y', input: '2' }),
  event('EventRaised', T, { name: 'z', input: '3' }),
  event('OrchestratorCompleted', T, {}),
];
const order = (position: number, more: Partial<ExecutionReset> = {}): ExecutionReset => ({ ...event('ExecutionReset', T, { position }), ...more });

const closing = (history: HistoryEvent[]) => [...history, event('OrchestratorStarted', T, {})];
// `past` completed: one more episode with an event and the completion (rows 15 to 18).
const completed: HistoryEvent[] = [
  ...past,
  event('OrchestratorStarted', T, {}),
  event('EventRaised', T, { name: 'w', input: '4' }),
  event('ExecutionCompleted', T, { orchestrationStatus: 'Completed', result: '"done"' }),
  event('OrchestratorCompleted', T, {}),
];
const terminated: HistoryEvent[] = [
  ...past,
  event('OrchestratorStarted', T, {}),
  event('ExecutionTerminated', T, { input: '"stop"' }),
  event('ExecutionCompleted', T, { orchestrationStatus: 'Terminated', result: '"stop"' }),
  event('OrchestratorCompleted', T, {}),
];

describe('resetCut: what each row keeps', () => {
  it('a row before the ExecutionStarted keeps the ExecutionStarted, its episode closed', () => {
    expect(resetCut(past, 1)).toEqual({ rows: 2, close: true });
    expect(resetCut(past, 2)).toEqual({ rows: 2, close: true });
  });

  it('a row inside an episode keeps that episode up to it, closed; an OrchestratorCompleted needs no closing', () => {
    expect(resetCut(past, 3)).toEqual({ rows: 3, close: true });
    expect(resetCut(past, 8)).toEqual({ rows: 8, close: true });
    expect(resetCut(past, 5)).toEqual({ rows: 5, close: false });
    expect(resetCut(past, 14)).toEqual({ rows: 14, close: false });
  });

  it('an OrchestratorStarted keeps the episodes before it', () => {
    expect(resetCut(past, 6)).toEqual({ rows: 5, close: false });
    expect(resetCut(past, 10)).toEqual({ rows: 9, close: false });
  });

  it('the ExecutionCompleted row or a later one keeps the rows just before the completion', () => {
    expect(resetCut(completed, 17)).toEqual({ rows: 16, close: true });
    expect(resetCut(completed, 18)).toEqual({ rows: 16, close: true });
    expect(resetCut(completed, 16)).toEqual({ rows: 16, close: true });
    expect(resetCut(completed, 15)).toEqual({ rows: 14, close: false });
  });

  it('a termination is part of the completion: a row at or after it keeps what came before the termination', () => {
    for (const position of [16, 17, 18]) expect(resetCut(terminated, position)).toEqual({ rows: 14, close: false });
  });

  it('an orchestrator that completed in its first episode keeps its ExecutionStarted', () => {
    const once = [past[0]!, past[1]!, event('ExecutionCompleted', T, { orchestrationStatus: 'Completed' }), event('OrchestratorCompleted', T, {})];
    for (const position of [1, 2, 3, 4]) expect(resetCut(once, position)).toEqual({ rows: 2, close: true });
  });

  it('a history without an ExecutionStarted has nothing to keep', () => {
    expect(resetCut([past[0]!], 1)).toBeUndefined();
  });

  it('every row of these histories gives a sound history that goes on with a new episode', () => {
    for (const history of [past, completed, terminated]) {
      for (let position = 1; position <= history.length; position++) {
        const reset = resetHistory(history, { instanceId: 'i', executionId: 'e2', fork: false, order: order(position), now: NOW });
        expect({ position, problems: checkHistory(closing(reset.history)) }).toEqual({
          position,
          problems: ['The last episode has no OrchestratorCompleted.'],
        });
      }
    }
  });
});

describe('resetHistory', () => {
  it('keeps the rows up to the position, retires work without a result there, closes the episode and hands back the later events', () => {
    const { history, redeliver } = resetHistory(past, { instanceId: 'i', executionId: 'e2', fork: false, order: order(8, { reason: 'r' }), now: NOW });
    expect(history).toHaveLength(10);
    expect(history[1]).toEqual({ ...past[1], orchestrationInstance: { instanceId: 'i', executionId: 'e2' }, randomSeed: 'i/e1' });
    expect(history[2]).toBe(past[2]);
    expect(history[3]).toEqual({ type: 'GenericEvent', eventId: 1, timestamp: T, data: 'Reset: TimerCreated', rewound: past[3] });
    expect(history.slice(4, 8)).toEqual(past.slice(4, 8));
    expect(history[8]).toEqual({ type: 'OrchestratorCompleted', eventId: -1, timestamp: T });
    expect(history[9]).toEqual({ type: 'ExecutionReset', eventId: -1, timestamp: NOW, position: 8, reason: 'r' });
    expect(redeliver).toEqual([past[11], past[12]]);
  });

  it("at the completion: the last episode's rows before it stay, events after the kept rows come again", () => {
    const { history, redeliver } = resetHistory(completed, { instanceId: 'i', executionId: 'e2', fork: false, order: order(18), now: NOW });
    expect(history.map((e) => e.type).slice(13)).toEqual([
      'OrchestratorCompleted',
      'OrchestratorStarted',
      'EventRaised',
      'OrchestratorCompleted',
      'ExecutionReset',
    ]);
    expect(redeliver).toEqual([]);
    const before = resetHistory(terminated, { instanceId: 'i', executionId: 'e2', fork: false, order: order(17), now: NOW });
    expect(before.history.map((e) => e.type).slice(13)).toEqual(['OrchestratorCompleted', 'ExecutionReset']);
  });

  it('a fork reports to no parent; the seed stays the first source one; reapplyEvents: false hands back nothing', () => {
    const once = resetHistory(past, { instanceId: 'f', executionId: 'fe', fork: true, order: order(3, { reapplyEvents: false }), now: NOW });
    expect(once.history[1]).toMatchObject({ orchestrationInstance: { instanceId: 'f', executionId: 'fe' }, parentInstance: undefined, randomSeed: 'i/e1' });
    expect(once.history[2]).toMatchObject({ type: 'GenericEvent', rewound: past[2] });
    expect(once.redeliver).toEqual([]);
    const twice = resetHistory(once.history, { instanceId: 'g', executionId: 'ge', fork: true, order: order(2), now: NOW });
    expect(twice.history[1]).toMatchObject({ randomSeed: 'i/e1' });
  });

  it('positions are 1-based rows of the history', () => {
    expect([0, 1, 14, 15, 1.5, Number.NaN].map((p) => resetPositionValid(p, past.length))).toEqual([false, true, true, false, false, false]);
  });
});

describe('rebaseTimers', () => {
  it('moves timers created before the reset to the same delay from it, leaving new ones and other actions', () => {
    const now = Date.parse(NOW);
    const actions: OrchestratorAction[] = [
      { type: 'CreateTimer', id: 1, fireAt: '2026-01-01T00:01:00.000Z' },
      { type: 'ScheduleTask', id: 2, name: 'A' },
      { type: 'CreateTimer', id: 3, fireAt: '2026-01-02T00:00:05.000Z' },
    ];
    const issued = new Map([
      [1, Date.parse(T)],
      [3, now],
    ]);
    rebaseTimers(actions, (id) => issued.get(id), now);
    expect(actions).toEqual([
      { type: 'CreateTimer', id: 1, fireAt: '2026-01-02T00:01:00.000Z' },
      { type: 'ScheduleTask', id: 2, name: 'A' },
      { type: 'CreateTimer', id: 3, fireAt: '2026-01-02T00:00:05.000Z' },
    ]);
  });
});

runResetScenarios('memory', () => new MemoryStorage());
