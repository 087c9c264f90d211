/**
 * History events: the Durable Task event types and fields, as a flat discriminated union
 * with lowerCamelCase keys (proto3-JSON style). Payloads (`input`, `result`) are JSON text.
 *
 * Scheduling events (TaskScheduled, SubOrchestrationInstanceCreated, TimerCreated, EventSent)
 * carry the orchestrator's action sequence number as `eventId`; their completions point back
 * to it (`taskScheduledId`, `timerId`). Every other event has `eventId: -1`, as in DTFx.
 * @module
 */
import type { FailureDetails } from './errors.js';

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended';

export const RUNTIME_STATUSES: readonly RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'];
/** The statuses an instance never leaves by itself; only these may be purged. */
export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function isTerminal(status: RuntimeStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated';
}

export function isRuntimeStatus(value: unknown): value is RuntimeStatus {
  return typeof value === 'string' && (RUNTIME_STATUSES as readonly string[]).includes(value);
}

export interface ParentInstance {
  instanceId: string;
  executionId: string;
  name: string;
  taskScheduledId: number;
}

interface Base<T extends string> {
  type: T;
  eventId: number;
  /** ISO 8601 UTC. */
  timestamp: string;
}

export type ExecutionStarted = Base<'ExecutionStarted'> & {
  name: string;
  input?: string;
  orchestrationInstance: { instanceId: string; executionId: string };
  parentInstance?: ParentInstance;
  /** Seeds orchestrator code's Math.random when not `{instanceId}/{executionId}`: a reset or fork keeps its source's, so its kept history replays alike. */
  randomSeed?: string;
};
export type ExecutionCompleted = Base<'ExecutionCompleted'> & {
  orchestrationStatus: 'Completed' | 'Failed' | 'Terminated';
  result?: string;
  failureDetails?: FailureDetails;
};
export type ExecutionTerminated = Base<'ExecutionTerminated'> & { input?: string; recurse?: boolean };
export type ExecutionSuspended = Base<'ExecutionSuspended'> & { reason?: string };
export type ExecutionResumed = Base<'ExecutionResumed'> & { reason?: string };
export type ExecutionRewound = Base<'ExecutionRewound'> & { reason?: string };
/**
 * Takes an execution back to a row of its history (`DurableClient.reset`): as a message, the
 * order; in history, the marker after the rows kept. `position` is the row's 1-based index as
 * asked (`resetCut` in orchestration/reset.ts says which rows that keeps);
 * `source` names the instance and execution a fork copies.
 */
export type ExecutionReset = Base<'ExecutionReset'> & {
  position: number;
  reason?: string;
  reapplyEvents?: boolean;
  source?: { instanceId: string; executionId: string };
};
export type TaskScheduled = Base<'TaskScheduled'> & { name: string; input?: string };
export type TaskCompleted = Base<'TaskCompleted'> & { taskScheduledId: number; result?: string };
export type TaskFailed = Base<'TaskFailed'> & { taskScheduledId: number; failureDetails: FailureDetails };
export type SubOrchestrationInstanceCreated = Base<'SubOrchestrationInstanceCreated'> & {
  name: string;
  instanceId: string;
  input?: string;
  /**
   * Set when the child was not created but adopted: it was still running as this instance's
   * sub-orchestration with the same name, input and sequence number, created by the execution
   * named here (the one before a reset, or this one before a rewind). Its result, addressed to
   * that execution, is this row's.
   */
  adoptedFrom?: string;
};
export type SubOrchestrationInstanceCompleted = Base<'SubOrchestrationInstanceCompleted'> & { taskScheduledId: number; result?: string };
export type SubOrchestrationInstanceFailed = Base<'SubOrchestrationInstanceFailed'> & { taskScheduledId: number; failureDetails: FailureDetails };
export type TimerCreated = Base<'TimerCreated'> & { fireAt: string };
export type TimerFired = Base<'TimerFired'> & { timerId: number; fireAt: string };
export type EventRaised = Base<'EventRaised'> & { name: string; input?: string };
export type EventSent = Base<'EventSent'> & { instanceId: string; name: string; input?: string };
export type OrchestratorStarted = Base<'OrchestratorStarted'>;
export type OrchestratorCompleted = Base<'OrchestratorCompleted'>;
export type ContinueAsNew = Base<'ContinueAsNew'> & { input?: string };
/** Marks a history row that a rewind retired; `rewound` keeps the original row. */
export type GenericEvent = Base<'GenericEvent'> & { data: string; rewound?: HistoryEvent };

export type HistoryEvent =
  | ExecutionStarted
  | ExecutionCompleted
  | ExecutionTerminated
  | ExecutionSuspended
  | ExecutionResumed
  | ExecutionRewound
  | ExecutionReset
  | TaskScheduled
  | TaskCompleted
  | TaskFailed
  | SubOrchestrationInstanceCreated
  | SubOrchestrationInstanceCompleted
  | SubOrchestrationInstanceFailed
  | TimerCreated
  | TimerFired
  | EventRaised
  | EventSent
  | OrchestratorStarted
  | OrchestratorCompleted
  | ContinueAsNew
  | GenericEvent;

export type HistoryEventType = HistoryEvent['type'];

type Fields<T extends HistoryEventType> = Omit<Extract<HistoryEvent, { type: T }>, 'type' | 'eventId' | 'timestamp'>;

/** Builds an event; `eventId` defaults to -1 (not a scheduling event). */
export function event<T extends HistoryEventType>(type: T, timestamp: string, fields: Fields<T>, eventId = -1): Extract<HistoryEvent, { type: T }> {
  return { type, eventId, timestamp, ...fields } as unknown as Extract<HistoryEvent, { type: T }>;
}
