/**
 * An episode's result as a store commit: the history it appends, the instance's new row, and
 * the work it sends out (activities, timers, sub-orchestrations, a parent's notification, a new
 * execution). No I/O: everything it needs comes in its input.
 * @module
 */
import { isoTime } from '../clock.js';
import { toFailureDetails } from '../errors.js';
import { type ExecutionStarted, event, type HistoryEvent, isTerminal, type ParentInstance } from '../history.js';
import { serialize } from '../json.js';
import type { EpisodeResult } from '../orchestration/executor.js';
import { createRefusal } from '../store/commit-rules.js';
import type { ActivityWorkItem, EpisodeCommit, InstanceRecord, Lease, NewInstance, OrchestrationMessage } from '../store/port.js';
import type { InstanceRow } from '../store/record.js';

/**
 * The rows of the instances an episode's sub-orchestrations would take over, by ID. A running
 * one that is this instance's sub-orchestration also says whom it reports to (read from its
 * ExecutionStarted), so that the episode can adopt it (see `adoptable`).
 */
export type Children = ReadonlyMap<string, ChildRecord | undefined>;
export type ChildRecord = InstanceRecord & { reportsTo?: ParentInstance };
export const NO_CHILDREN: Children = new Map();

/** What a commit needs from the orchestrator (an `OrchestrationExecutor` is one). */
export interface OrchestrationState {
  /** The execution's start: it names the parent to notify and to carry into a new execution. */
  readonly started: ExecutionStarted | undefined;
  /** Sub-orchestrations still running: a recursive terminate reaches them. */
  openSubOrchestrations(): string[];
}

export interface EpisodeCommitInput {
  /** The instance's row as the episode found it; its version is the one the commit expects. */
  instance: InstanceRecord;
  lease: Lease | undefined;
  /** IDs of the messages the episode took. */
  consumed: string[];
  orchestration: OrchestrationState;
  /**
   * The episode's result. Its `applied` events become the appended history as is, with the
   * scheduling events pushed onto them: the executor made that array for this episode alone.
   */
  result: EpisodeResult;
  /** Epoch ms: the time of every event and message the commit makes. */
  now: number;
  children: Children;
  /** Message, work-item and execution IDs (execution IDs with `derivedFrom`; see `WorkerOptions.newId`). */
  newId: (derivedFrom?: string) => string;
}

/**
 * Whether a sub-orchestration the code creates is already running as this instance's: created
 * by an earlier execution (a reset or a rewind re-issues work after its cut) under the same
 * sequence number, name and input. Such a child does what a new one would; it is adopted (its
 * result, addressed to the execution that created it, is taken as this row's) rather than refused.
 */
function adoptable(
  child: ChildRecord | undefined,
  instanceId: string,
  action: { id: number; name: string; input?: string },
): child is ChildRecord & { reportsTo: ParentInstance } {
  if (!child?.reportsTo || isTerminal(child.runtimeStatus)) return false;
  const { reportsTo } = child;
  return reportsTo.instanceId === instanceId && reportsTo.taskScheduledId === action.id && child.name === action.name && child.input === action.input;
}

export function buildCommit({ instance, lease, consumed, orchestration, result, now, children, newId }: EpisodeCommitInput): EpisodeCommit {
  const at = isoTime(now);
  const { instanceId, executionId } = instance;
  const append: HistoryEvent[] = result.applied;
  const messages: OrchestrationMessage[] = [];
  const activities: ActivityWorkItem[] = [];
  const newInstances: NewInstance[] = [];

  for (const action of result.actions) {
    switch (action.type) {
      case 'ScheduleTask':
        // The hot path: plain literals.
        append.push({ type: 'TaskScheduled', eventId: action.id, timestamp: at, name: action.name, input: action.input });
        activities.push({ id: newId(), instanceId, executionId, taskScheduledId: action.id, name: action.name, input: action.input, enqueuedTime: at });
        break;
      case 'CreateTimer':
        append.push(event('TimerCreated', at, { fireAt: action.fireAt }, action.id));
        messages.push({
          id: newId(),
          instanceId,
          executionId,
          event: event('TimerFired', action.fireAt, { timerId: action.id, fireAt: action.fireAt }),
          visibleAt: action.fireAt,
        });
        break;
      case 'CreateSubOrchestration': {
        const created = event('SubOrchestrationInstanceCreated', at, { name: action.name, instanceId: action.instanceId, input: action.input }, action.id);
        append.push(created);
        const child = children.get(action.instanceId);
        if (adoptable(child, instanceId, action)) {
          created.adoptedFrom = child.reportsTo.executionId;
          break;
        }
        const refusal = createRefusal(action.instanceId, child?.runtimeStatus);
        if (refusal) {
          const failure = toFailureDetails(refusal);
          messages.push({
            id: newId(),
            instanceId,
            executionId,
            event: event('SubOrchestrationInstanceFailed', at, { taskScheduledId: action.id, failureDetails: failure }),
            visibleAt: at,
          });
          break;
        }
        const childExecution = newId(`${executionId}/${action.id}`);
        newInstances.push({
          record: {
            instanceId: action.instanceId,
            name: action.name,
            executionId: childExecution,
            runtimeStatus: 'Pending',
            input: action.input,
            createdTime: at,
            lastUpdatedTime: at,
            parentInstanceId: instanceId,
          },
          start: {
            id: newId(),
            instanceId: action.instanceId,
            executionId: childExecution,
            visibleAt: at,
            event: event('ExecutionStarted', at, {
              name: action.name,
              input: action.input,
              orchestrationInstance: { instanceId: action.instanceId, executionId: childExecution },
              parentInstance: { instanceId, executionId, name: instance.name, taskScheduledId: action.id },
            }),
          },
        });
        break;
      }
    }
  }

  const row: InstanceRow = {
    instanceId,
    name: instance.name,
    executionId,
    runtimeStatus: result.suspended ? 'Suspended' : 'Running',
    input: instance.input,
    output: undefined,
    customStatus: result.customStatus ?? instance.customStatus,
    failureDetails: undefined,
    createdTime: instance.createdTime,
    lastUpdatedTime: at,
    completedTime: undefined,
    parentInstanceId: instance.parentInstanceId,
  };
  const commit: EpisodeCommit = {
    instanceId,
    expectedVersion: instance.version,
    lease,
    instance: row,
    history: { append },
    consumedMessageIds: consumed,
    messages,
    activities,
    newInstances,
  };

  const outcome = result.outcome;
  if (!outcome) {
    append.push({ type: 'OrchestratorCompleted', eventId: -1, timestamp: at });
    return commit;
  }
  const parent = orchestration.started?.parentInstance;

  if (outcome.status === 'ContinuedAsNew') {
    // The new execution starts from its input and the carried-over events; the old execution's history and this episode's work are dropped.
    const next = newId(`${executionId}/next`);
    const input = outcome.input;
    row.executionId = next;
    row.runtimeStatus = 'ContinuedAsNew';
    row.input = input;
    commit.history = { replace: [] };
    commit.activities = [];
    commit.newInstances = [];
    commit.messages = [
      {
        id: newId(),
        instanceId,
        executionId: next,
        visibleAt: at,
        event: event('ExecutionStarted', at, {
          name: instance.name,
          input,
          orchestrationInstance: { instanceId, executionId: next },
          parentInstance: parent,
        }),
      },
      ...outcome.carryoverEvents.map((e) => ({ id: newId(), instanceId, visibleAt: at, event: e })),
    ];
    return commit;
  }

  const failed = outcome.status === 'Failed';
  append.push(
    event('ExecutionCompleted', at, {
      orchestrationStatus: outcome.status,
      result: failed ? undefined : outcome.result,
      failureDetails: failed ? outcome.failureDetails : undefined,
    }),
    event('OrchestratorCompleted', at, {}),
  );
  row.runtimeStatus = outcome.status;
  row.completedTime = at;
  row.output = failed ? serialize('Failure', `Orchestrator function '${instance.name}' failed: ${outcome.failureDetails.errorMessage}`) : outcome.result;
  if (failed) row.failureDetails = outcome.failureDetails;
  if (parent) {
    const completion =
      outcome.status === 'Completed'
        ? event('SubOrchestrationInstanceCompleted', at, { taskScheduledId: parent.taskScheduledId, result: outcome.result })
        : event('SubOrchestrationInstanceFailed', at, {
            taskScheduledId: parent.taskScheduledId,
            failureDetails: failed
              ? outcome.failureDetails
              : { errorType: 'TerminatedError', errorMessage: `Terminated: ${outcome.result ?? 'no reason given'}` },
          });
    messages.push({ id: newId(), instanceId: parent.instanceId, executionId: parent.executionId, visibleAt: at, event: completion });
  }
  if (outcome.status === 'Terminated') {
    const terminated = result.applied.find((e) => e.type === 'ExecutionTerminated');
    if (terminated?.type === 'ExecutionTerminated' && terminated.recurse) {
      for (const child of orchestration.openSubOrchestrations()) {
        messages.push({ id: newId(), instanceId: child, visibleAt: at, event: event('ExecutionTerminated', at, { input: terminated.input, recurse: true }) });
      }
    }
  }
  return commit;
}
