import { describe, expect, it } from 'vitest';
import { type ActivityItem, type ExternalEventItem, failureMessage, groupIntoEpisodes, type SubOrchestrationItem, type TimerItem } from '../../src/history.js';
import type { HistoryRow } from '../../src/wire.js';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, 0) + seconds * 1000).toISOString();
const row = (EventType: string, at: number, fields: Record<string, unknown> = {}): HistoryRow => ({ EventType, Timestamp: t(at), ...fields });

/** The merged view of HelloSequence: three activities one after the other. */
const helloSequence: HistoryRow[] = [
  row('ExecutionStarted', 0, { FunctionName: 'HelloSequence', Input: null }),
  row('TaskCompleted', 1.5, { FunctionName: 'SayHello', ScheduledTime: t(0.1), Input: 'Tokyo', Result: 'Hello Tokyo!' }),
  row('TaskCompleted', 3, { FunctionName: 'SayHello', ScheduledTime: t(1.6), Input: 'Seattle', Result: 'Hello Seattle!' }),
  row('TaskCompleted', 4, { FunctionName: 'SayHello', ScheduledTime: t(3.1), Input: 'London', Result: 'Hello London!' }),
  row('ExecutionCompleted', 4.1, { OrchestrationStatus: 'Completed', Result: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] }),
];

describe('groupIntoEpisodes', () => {
  it('starts an episode at each message that wakes the orchestrator', () => {
    const episodes = groupIntoEpisodes(helloSequence);
    expect(episodes.map((e) => e.trigger)).toEqual(['started', 'SayHello completed', 'SayHello completed', 'SayHello completed']);
    expect(episodes.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(episodes[1]!.startTime).toBe(t(1.5));
  });

  it('places each activity in the episode that called it, paired with its completion and duration', () => {
    const episodes = groupIntoEpisodes(helloSequence);
    const activities = episodes.map((e) => e.items.filter((i): i is ActivityItem => i.kind === 'activity'));
    expect(activities.map((list) => list.map((a) => a.input))).toEqual([['Tokyo'], ['Seattle'], ['London'], []]);
    const tokyo = activities[0]![0]!;
    expect(tokyo).toMatchObject({ name: 'SayHello', outcome: 'completed', scheduledTime: t(0.1), completedTime: t(1.5), result: 'Hello Tokyo!' });
    expect(tokyo.durationMs).toBe(1400);
    // the completion of the orchestration belongs to the episode woken by the last result
    expect(episodes[3]!.items.map((i) => i.kind === 'lifecycle' && i.eventType)).toEqual(['ExecutionCompleted']);
    expect(episodes[0]!.items[0]).toMatchObject({ kind: 'lifecycle', eventType: 'ExecutionStarted', detail: 'HelloSequence' });
  });

  it('keeps fan-out calls together in the episode that scheduled them, ordered by call time', () => {
    const history = [
      row('ExecutionStarted', 0, { FunctionName: 'FanOutFanIn' }),
      row('TaskCompleted', 2, { FunctionName: 'Work', ScheduledTime: t(0.2), Input: 1, Result: 2 }),
      row('TaskCompleted', 3, { FunctionName: 'Work', ScheduledTime: t(0.1), Input: 0, Result: 0 }),
      row('TaskFailed', 4, { FunctionName: 'Work', ScheduledTime: t(0.3), Input: 2, Reason: 'boom', Details: 'stack' }),
      row('ExecutionCompleted', 4, { OrchestrationStatus: 'Failed', FailureDetails: { ErrorType: 'TaskFailedException', ErrorMessage: 'Work failed' } }),
    ];
    const episodes = groupIntoEpisodes(history);
    expect(episodes).toHaveLength(4);
    const first = episodes[0]!.items.filter((i): i is ActivityItem => i.kind === 'activity');
    expect(first.map((a) => a.input)).toEqual([0, 1, 2]);
    expect(first.map((a) => a.outcome)).toEqual(['completed', 'completed', 'failed']);
    expect(first[2]!.failure).toBe('boom (stack)');
    expect(first[2]!.durationMs).toBe(3700);
    const completion = episodes[3]!.items.find((i) => i.kind === 'lifecycle')!;
    expect(completion).toMatchObject({ failed: true, detail: 'TaskFailedException: Work failed' });
  });

  it('with second-precision times (DF), a call made in the same second as the previous result goes to the latest episode', () => {
    const sameSecond = [
      row('ExecutionStarted', 0),
      row('TaskCompleted', 0, { FunctionName: 'A', ScheduledTime: t(0) }),
      row('TaskCompleted', 0, { FunctionName: 'B', ScheduledTime: t(0) }),
    ];
    const episodes = groupIntoEpisodes(sameSecond);
    expect(episodes[0]!.items.filter((i) => i.kind === 'activity').map((i) => (i as ActivityItem).name)).toEqual(['A']);
    expect(episodes[1]!.items.filter((i) => i.kind === 'activity').map((i) => (i as ActivityItem).name)).toEqual(['B']);
  });

  it('shows still-pending calls (unmerged TaskScheduled / SubOrchestrationInstanceCreated) as pending in their episode', () => {
    const episodes = groupIntoEpisodes([
      row('ExecutionStarted', 0),
      row('TaskScheduled', 0.1, { Name: 'SlowActivity', Input: { x: 1 } }),
      row('SubOrchestrationInstanceCreated', 0.2, { Name: 'Child', InstanceId: 'child-1' }),
    ]);
    expect(episodes).toHaveLength(1);
    const [, pendingActivity, pendingChild] = episodes[0]!.items as [unknown, ActivityItem, SubOrchestrationItem];
    expect(pendingActivity).toMatchObject({ kind: 'activity', name: 'SlowActivity', outcome: 'pending', scheduledTime: t(0.1) });
    expect(pendingActivity.durationMs).toBeUndefined();
    expect(pendingChild).toMatchObject({ kind: 'subOrchestration', name: 'Child', instanceId: 'child-1', outcome: 'pending' });
  });

  it('pairs a sub-orchestration with its completion and keeps the child instance ID', () => {
    const episodes = groupIntoEpisodes([
      row('ExecutionStarted', 0, { FunctionName: 'ParentChild' }),
      row('SubOrchestrationInstanceFailed', 5, {
        FunctionName: 'HelloSequence',
        ScheduledTime: t(0.5),
        InstanceId: 'parent:0',
        FailureDetails: { ErrorMessage: 'child blew up' },
      }),
    ]);
    const child = episodes[0]!.items[1] as SubOrchestrationItem;
    expect(child).toMatchObject({ kind: 'subOrchestration', instanceId: 'parent:0', outcome: 'failed', failure: 'child blew up', durationMs: 4500 });
    expect(episodes[1]!.trigger).toBe('HelloSequence failed');
  });

  it('pairs timers by FireAt, oldest first, and leaves unfired ones pending', () => {
    const episodes = groupIntoEpisodes([
      row('ExecutionStarted', 0),
      row('TimerCreated', 0.1, { FireAt: t(10) }),
      row('TimerCreated', 0.1, { FireAt: t(20) }),
      row('TimerFired', 10, { FireAt: t(10) }),
      row('TimerCreated', 10.1, { FireAt: t(30) }),
    ]);
    const timers = episodes.flatMap((e) => e.items.filter((i): i is TimerItem => i.kind === 'timer'));
    expect(timers.map((x) => [x.fireAt, x.outcome])).toEqual([
      [t(10), 'fired'],
      [t(20), 'pending'],
      [t(30), 'pending'],
    ]);
    expect(timers[0]!.durationMs).toBe(9900);
    expect(timers[0]!.firedTime).toBe(t(10));
    expect(episodes[1]!.trigger).toBe('timer fired');
    expect(episodes[1]!.items).toContain(timers[2]);
  });

  it('measures an external event from the previous episode and keeps its data', () => {
    const episodes = groupIntoEpisodes([
      row('ExecutionStarted', 0, { FunctionName: 'Approval' }),
      row('EventRaised', 42, { Name: 'Approval', Input: { approved: true } }),
      row('ExecutionCompleted', 42.1, { OrchestrationStatus: 'Completed' }),
    ]);
    expect(episodes[1]!.trigger).toBe('event Approval');
    const event = episodes[1]!.items[0] as ExternalEventItem;
    expect(event).toMatchObject({ kind: 'externalEvent', name: 'Approval', input: { approved: true }, waitedMs: 42000, waitStartTime: t(0) });
  });

  it('gives terminate, suspend, resume and rewind their own episodes with the reason as detail', () => {
    const episodes = groupIntoEpisodes([
      row('ExecutionStarted', 0),
      row('ExecutionSuspended', 1, { Input: 'maintenance' }),
      row('ExecutionResumed', 2, { Input: 'done' }),
      row('ExecutionRewound', 3, { Reason: 'retry' }),
      row('ExecutionTerminated', 4, { Input: 'stop it' }),
      row('ExecutionCompleted', 4, { OrchestrationStatus: 'Terminated' }),
    ]);
    expect(episodes.map((e) => e.trigger)).toEqual(['started', 'suspended', 'resumed', 'rewound', 'terminated']);
    expect(episodes.slice(1).map((e) => (e.items[0] as { detail?: string }).detail)).toEqual(['maintenance', 'done', 'retry', 'stop it']);
    expect(episodes[4]!.items[1]).toMatchObject({ eventType: 'ExecutionCompleted', detail: 'Terminated', failed: false });
  });

  it('returns no episodes for an empty history and copes with a history that does not start with a trigger', () => {
    expect(groupIntoEpisodes([])).toEqual([]);
    const truncated = groupIntoEpisodes([row('TimerCreated', 1, { FireAt: t(5) }), row('EventSent', 1, { Name: 'Ping', InstanceId: 'other' })]);
    expect(truncated).toHaveLength(1);
    expect(truncated[0]!.items.map((i) => i.kind)).toEqual(['timer', 'lifecycle']);
    expect(truncated[0]!.items[1]).toMatchObject({ detail: 'Ping → other' });
  });
});

describe('failureMessage', () => {
  it('prefers FailureDetails, then Reason with Details, then a string Result', () => {
    expect(failureMessage(row('TaskFailed', 0, { FailureDetails: { ErrorType: 'TypeError', ErrorMessage: 'x is undefined' }, Reason: 'r' }))).toBe(
      'TypeError: x is undefined',
    );
    // edge-durable's FailureDetails has camelCase fields
    expect(
      failureMessage(
        row('TaskFailed', 0, { FailureDetails: { errorType: 'Error', errorMessage: 'nope', stackTrace: 'Error: nope\n    at x' }, Reason: 'nope' }),
      ),
    ).toBe('Error: nope');
    expect(failureMessage(row('TaskFailed', 0, { Reason: 'boom', Details: 'at line 3' }))).toBe('boom (at line 3)');
    expect(failureMessage(row('TaskFailed', 0, { Reason: 'boom', Details: 'boom' }))).toBe('boom');
    expect(failureMessage(row('ExecutionCompleted', 0, { Result: 'orchestrator threw' }))).toBe('orchestrator threw');
    expect(failureMessage(row('TaskFailed', 0, {}))).toBeUndefined();
  });
});
