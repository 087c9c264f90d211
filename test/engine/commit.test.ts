/** buildCommit on its own: an episode's result in, the store commit out, with no store and no executor. */
import { describe, expect, it } from 'vitest';
import type { EventRaised, ExecutionStarted, HistoryEvent } from '../../core/history.js';
import type { EpisodeResult } from '../../core/orchestration/executor.js';
import type { InstanceRecord } from '../../core/store/port.js';
import { buildCommit, type ChildRecord, type Children, type EpisodeCommitInput, NO_CHILDREN, type OrchestrationState } from '../../core/worker/commit.js';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const AT = '2024-05-01T12:00:00.000Z';
const STARTED_AT = '2024-05-01T11:00:00.000Z';

const instance: InstanceRecord = {
  instanceId: 'parent',
  name: 'Flow',
  executionId: 'e1',
  runtimeStatus: 'Running',
  input: '"in"',
  customStatus: '"old"',
  createdTime: STARTED_AT,
  lastUpdatedTime: STARTED_AT,
  version: 4,
};
const orchestratorStarted: HistoryEvent = { type: 'OrchestratorStarted', eventId: -1, timestamp: AT };
const started = (parent?: ExecutionStarted['parentInstance']): ExecutionStarted => ({
  type: 'ExecutionStarted',
  eventId: -1,
  timestamp: STARTED_AT,
  name: 'Flow',
  input: '"in"',
  orchestrationInstance: { instanceId: 'parent', executionId: 'e1' },
  parentInstance: parent,
});
const PARENT = { instanceId: 'grandparent', executionId: 'g1', name: 'Outer', taskScheduledId: 7 };
/** The messages an ending execution with PARENT sends: the one event that tells it, as the commit's first new message. */
const toParent = (event: { type: string; result?: string; failureDetails?: object }) => [
  {
    id: 'id0',
    instanceId: PARENT.instanceId,
    executionId: PARENT.executionId,
    visibleAt: AT,
    event: { eventId: -1, timestamp: AT, taskScheduledId: PARENT.taskScheduledId, ...event },
  },
];

/** IDs in call order; an execution ID names what it derives from. */
function ids(): (derivedFrom?: string) => string {
  let n = 0;
  return (derivedFrom) => (derivedFrom === undefined ? `id${n++}` : `exec:${derivedFrom}`);
}

function commitOf(
  result: Partial<EpisodeResult>,
  options: { orchestration?: Partial<OrchestrationState>; children?: Children; instance?: InstanceRecord } = {},
) {
  const input: EpisodeCommitInput = {
    instance: options.instance ?? instance,
    lease: { token: 'lease-1', expiresAt: NOW + 30_000 },
    consumed: ['m1', 'm2'],
    orchestration: { started: started(), openSubOrchestrations: () => [], ...options.orchestration },
    result: { applied: [orchestratorStarted], actions: [], suspended: false, ...result },
    now: NOW,
    children: options.children ?? NO_CHILDREN,
    newId: ids(),
  };
  return buildCommit(input);
}

const appended = (commit: ReturnType<typeof buildCommit>): HistoryEvent[] => ('append' in commit.history ? commit.history.append : []);

describe('buildCommit', () => {
  it('schedules an activity: TaskScheduled appended, a work item out, the row Running, OrchestratorCompleted last', () => {
    const commit = commitOf({ actions: [{ type: 'ScheduleTask', id: 0, name: 'SayHello', input: '"Tokyo"' }] });
    expect(commit.instanceId).toBe('parent');
    expect(commit.expectedVersion).toBe(4);
    expect(commit.lease).toEqual({ token: 'lease-1', expiresAt: NOW + 30_000 });
    expect(commit.consumedMessageIds).toEqual(['m1', 'm2']);
    expect(appended(commit)).toEqual([
      orchestratorStarted,
      { type: 'TaskScheduled', eventId: 0, timestamp: AT, name: 'SayHello', input: '"Tokyo"' },
      { type: 'OrchestratorCompleted', eventId: -1, timestamp: AT },
    ]);
    expect(commit.activities).toEqual([
      { id: 'id0', instanceId: 'parent', executionId: 'e1', taskScheduledId: 0, name: 'SayHello', input: '"Tokyo"', enqueuedTime: AT },
    ]);
    expect(commit.messages).toEqual([]);
    expect(commit.newInstances).toEqual([]);
    // The same row, updated now; the store assigns the version (the commit expects the one it found).
    const { version: _, ...row } = instance;
    expect(commit.instance).toEqual({ ...row, lastUpdatedTime: AT });
  });

  it("appends to the result's own applied events", () => {
    const applied = [orchestratorStarted];
    const commit = commitOf({ applied });
    expect(appended(commit)).toBe(applied);
  });

  it('creates a timer: TimerCreated appended, TimerFired sent to this execution, visible when it fires', () => {
    const fireAt = '2024-05-01T13:00:00.000Z';
    const commit = commitOf({ actions: [{ type: 'CreateTimer', id: 3, fireAt }] });
    expect(appended(commit)[1]).toEqual({ type: 'TimerCreated', eventId: 3, timestamp: AT, fireAt });
    expect(commit.messages).toEqual([
      {
        id: 'id0',
        instanceId: 'parent',
        executionId: 'e1',
        visibleAt: fireAt,
        event: { type: 'TimerFired', eventId: -1, timestamp: fireAt, timerId: 3, fireAt },
      },
    ]);
  });

  it('starts a sub-orchestration: a Pending child with its parent, its ExecutionStarted, an execution ID derived from the task', () => {
    const commit = commitOf(
      { actions: [{ type: 'CreateSubOrchestration', id: 2, name: 'Child', instanceId: 'kid', input: '5' }] },
      {
        children: new Map([['kid', undefined]]),
      },
    );
    expect(appended(commit)[1]).toEqual({ type: 'SubOrchestrationInstanceCreated', eventId: 2, timestamp: AT, name: 'Child', instanceId: 'kid', input: '5' });
    expect(commit.messages).toEqual([]);
    expect(commit.newInstances).toEqual([
      {
        record: {
          instanceId: 'kid',
          name: 'Child',
          executionId: 'exec:e1/2',
          runtimeStatus: 'Pending',
          input: '5',
          createdTime: AT,
          lastUpdatedTime: AT,
          parentInstanceId: 'parent',
        },
        start: {
          id: 'id0',
          instanceId: 'kid',
          executionId: 'exec:e1/2',
          visibleAt: AT,
          event: {
            type: 'ExecutionStarted',
            eventId: -1,
            timestamp: AT,
            name: 'Child',
            input: '5',
            orchestrationInstance: { instanceId: 'kid', executionId: 'exec:e1/2' },
            parentInstance: { instanceId: 'parent', executionId: 'e1', name: 'Flow', taskScheduledId: 2 },
          },
        },
      },
    ]);
  });

  it('starts a sub-orchestration over a finished instance of the same ID', () => {
    const finished: InstanceRecord = { ...instance, instanceId: 'kid', runtimeStatus: 'Completed' };
    const commit = commitOf(
      { actions: [{ type: 'CreateSubOrchestration', id: 2, name: 'Child', instanceId: 'kid' }] },
      { children: new Map([['kid', finished]]) },
    );
    expect(commit.newInstances.map((n) => n.record.instanceId)).toEqual(['kid']);
  });

  it('fails a sub-orchestration whose instance ID is taken by a running instance, without starting it', () => {
    const running: InstanceRecord = { ...instance, instanceId: 'kid', runtimeStatus: 'Running' };
    const commit = commitOf(
      { actions: [{ type: 'CreateSubOrchestration', id: 2, name: 'Child', instanceId: 'kid' }] },
      { children: new Map([['kid', running]]) },
    );
    expect(appended(commit)[1]).toMatchObject({ type: 'SubOrchestrationInstanceCreated', eventId: 2, instanceId: 'kid' });
    expect(commit.newInstances).toEqual([]);
    expect(commit.messages).toHaveLength(1);
    const [failed] = commit.messages;
    expect(failed).toMatchObject({ id: 'id0', instanceId: 'parent', executionId: 'e1', visibleAt: AT });
    expect(failed!.event).toMatchObject({
      type: 'SubOrchestrationInstanceFailed',
      timestamp: AT,
      taskScheduledId: 2,
      failureDetails: { errorType: 'InstanceAlreadyExistsError', errorMessage: expect.stringContaining("'kid' already exists and is Running") },
    });
  });

  it('adopts a running child this instance created at the same step with the same name and input; refuses any other', () => {
    const reportsTo = { instanceId: 'parent', executionId: 'e0', name: 'Flow', taskScheduledId: 2 };
    const orphan: ChildRecord = { ...instance, instanceId: 'kid', name: 'Child', input: '5', runtimeStatus: 'Running', parentInstanceId: 'parent', reportsTo };
    const create = { type: 'CreateSubOrchestration' as const, id: 2, name: 'Child', instanceId: 'kid', input: '5' };
    const adopted = commitOf({ actions: [create] }, { children: new Map([['kid', orphan]]) });
    expect(appended(adopted)[1]).toMatchObject({ type: 'SubOrchestrationInstanceCreated', eventId: 2, instanceId: 'kid', adoptedFrom: 'e0' });
    expect(adopted.newInstances).toEqual([]);
    expect(adopted.messages).toEqual([]);
    const refused = (child: typeof orphan, action = create) => {
      const commit = commitOf({ actions: [action] }, { children: new Map([['kid', child]]) });
      expect(appended(commit)[1]).not.toHaveProperty('adoptedFrom');
      return commit.messages.map((m) => m.event.type);
    };
    expect(refused(orphan, { ...create, input: '6' })).toEqual(['SubOrchestrationInstanceFailed']);
    expect(refused(orphan, { ...create, name: 'Other' })).toEqual(['SubOrchestrationInstanceFailed']);
    expect(refused(orphan, { ...create, id: 3 })).toEqual(['SubOrchestrationInstanceFailed']);
    expect(refused({ ...orphan, reportsTo: { ...reportsTo, instanceId: 'someone' } })).toEqual(['SubOrchestrationInstanceFailed']);
    // A finished one is created anew, as any finished instance.
    expect(refused({ ...orphan, runtimeStatus: 'Completed' })).toEqual([]);
  });

  it('continues as new: a fresh execution with the new input, the carried-over events and the parent; nothing else goes out', () => {
    const carried: EventRaised = { type: 'EventRaised', eventId: -1, timestamp: STARTED_AT, name: 'Add', input: '1' };
    const commit = commitOf(
      {
        actions: [{ type: 'ScheduleTask', id: 0, name: 'Ignored' }],
        outcome: { status: 'ContinuedAsNew', input: '"next"', carryoverEvents: [carried] },
      },
      { orchestration: { started: started(PARENT) } },
    );
    expect(commit.history).toEqual({ replace: [] });
    expect(commit.activities).toEqual([]);
    expect(commit.newInstances).toEqual([]);
    expect(commit.instance).toMatchObject({ executionId: 'exec:e1/next', runtimeStatus: 'ContinuedAsNew', input: '"next"', completedTime: undefined });
    expect(commit.expectedVersion).toBe(4);
    expect(commit.messages).toEqual([
      {
        id: 'id1',
        instanceId: 'parent',
        executionId: 'exec:e1/next',
        visibleAt: AT,
        event: {
          type: 'ExecutionStarted',
          eventId: -1,
          timestamp: AT,
          name: 'Flow',
          input: '"next"',
          orchestrationInstance: { instanceId: 'parent', executionId: 'exec:e1/next' },
          parentInstance: PARENT,
        },
      },
      { id: 'id2', instanceId: 'parent', visibleAt: AT, event: carried },
    ]);
  });

  it('completes: ExecutionCompleted with the result, the row Completed with its output, the parent told', () => {
    const commit = commitOf({ outcome: { status: 'Completed', result: '42' } }, { orchestration: { started: started(PARENT) } });
    expect(appended(commit).slice(1)).toEqual([
      { type: 'ExecutionCompleted', eventId: -1, timestamp: AT, orchestrationStatus: 'Completed', result: '42' },
      { type: 'OrchestratorCompleted', eventId: -1, timestamp: AT },
    ]);
    expect(commit.instance).toMatchObject({ runtimeStatus: 'Completed', output: '42', completedTime: AT, lastUpdatedTime: AT, failureDetails: undefined });
    expect(commit.messages).toEqual(toParent({ type: 'SubOrchestrationInstanceCompleted', result: '42' }));
  });

  it('completes without a parent: nothing goes out', () => {
    const commit = commitOf({ outcome: { status: 'Completed' } });
    expect(commit.messages).toEqual([]);
    expect(commit.instance.runtimeStatus).toBe('Completed');
    expect(JSON.parse(JSON.stringify(appended(commit)[1]))).toEqual({
      type: 'ExecutionCompleted',
      eventId: -1,
      timestamp: AT,
      orchestrationStatus: 'Completed',
    });
  });

  it("fails: ExecutionCompleted with the failure, the row Failed with Durable Functions' output message, the parent told", () => {
    const failureDetails = { errorType: 'Error', errorMessage: 'boom' };
    const commit = commitOf({ outcome: { status: 'Failed', failureDetails } }, { orchestration: { started: started(PARENT) } });
    const completed = appended(commit)[1]!;
    expect(completed).toMatchObject({ type: 'ExecutionCompleted', orchestrationStatus: 'Failed', failureDetails });
    expect(JSON.parse(JSON.stringify(completed))).not.toHaveProperty('result');
    expect(commit.instance).toMatchObject({
      runtimeStatus: 'Failed',
      failureDetails,
      completedTime: AT,
      output: JSON.stringify("Orchestrator function 'Flow' failed: boom"),
    });
    expect(commit.messages).toEqual(toParent({ type: 'SubOrchestrationInstanceFailed', failureDetails }));
  });

  it('terminates: the row Terminated with the reason as output, the parent told of a TerminatedError', () => {
    const terminated: HistoryEvent = { type: 'ExecutionTerminated', eventId: -1, timestamp: AT, input: '"stop"' };
    const commit = commitOf(
      { applied: [orchestratorStarted, terminated], outcome: { status: 'Terminated', result: '"stop"' } },
      {
        orchestration: { started: started(PARENT), openSubOrchestrations: () => ['kid'] },
      },
    );
    expect(appended(commit).slice(2)).toEqual([
      { type: 'ExecutionCompleted', eventId: -1, timestamp: AT, orchestrationStatus: 'Terminated', result: '"stop"' },
      { type: 'OrchestratorCompleted', eventId: -1, timestamp: AT },
    ]);
    expect(commit.instance).toMatchObject({ runtimeStatus: 'Terminated', output: '"stop"', completedTime: AT });
    // Not recursive: the open child is left alone.
    expect(commit.messages).toEqual(
      toParent({ type: 'SubOrchestrationInstanceFailed', failureDetails: { errorType: 'TerminatedError', errorMessage: 'Terminated: "stop"' } }),
    );
  });

  it('terminates recursively: each open sub-orchestration gets a recursive ExecutionTerminated with the same reason', () => {
    const terminated: HistoryEvent = { type: 'ExecutionTerminated', eventId: -1, timestamp: AT, input: '"stop"', recurse: true };
    const commit = commitOf(
      { applied: [orchestratorStarted, terminated], outcome: { status: 'Terminated', result: '"stop"' } },
      {
        orchestration: { openSubOrchestrations: () => ['kid1', 'kid2'] },
      },
    );
    expect(commit.messages).toEqual([
      { id: 'id0', instanceId: 'kid1', visibleAt: AT, event: { type: 'ExecutionTerminated', eventId: -1, timestamp: AT, input: '"stop"', recurse: true } },
      { id: 'id1', instanceId: 'kid2', visibleAt: AT, event: { type: 'ExecutionTerminated', eventId: -1, timestamp: AT, input: '"stop"', recurse: true } },
    ]);
  });

  it('names no reason for a termination without one', () => {
    const terminated: HistoryEvent = { type: 'ExecutionTerminated', eventId: -1, timestamp: AT };
    const commit = commitOf({ applied: [orchestratorStarted, terminated], outcome: { status: 'Terminated' } }, { orchestration: { started: started(PARENT) } });
    expect(commit.messages[0]!.event).toMatchObject({ failureDetails: { errorType: 'TerminatedError', errorMessage: 'Terminated: no reason given' } });
  });

  it('records a suspended orchestrator as Suspended', () => {
    expect(commitOf({ suspended: true }).instance.runtimeStatus).toBe('Suspended');
  });

  it('takes the new custom status, and keeps the old one when the episode set none', () => {
    expect(commitOf({ customStatus: '"new"' }).instance.customStatus).toBe('"new"');
    expect(commitOf({}).instance.customStatus).toBe('"old"');
  });

  it("keeps the row's identity and creation, and clears a previous outcome", () => {
    const reopened: InstanceRecord = {
      ...instance,
      parentInstanceId: 'grandparent',
      output: '"was"',
      failureDetails: { errorType: 'E', errorMessage: 'm' },
      completedTime: STARTED_AT,
    };
    const row = commitOf({}, { instance: reopened }).instance;
    expect(row).toMatchObject({
      instanceId: 'parent',
      name: 'Flow',
      executionId: 'e1',
      createdTime: STARTED_AT,
      parentInstanceId: 'grandparent',
      input: '"in"',
    });
    expect(row.output).toBeUndefined();
    expect(row.failureDetails).toBeUndefined();
    expect(row.completedTime).toBeUndefined();
  });
});
