/**
 * The bodies of the HTTP API: the status payload, Durable Functions' `historyEvents` rows,
 * a page of instances, purge and task hub results, and the error body; and how the status
 * payload and the rows are made from an instance's status and history.
 * @module
 */
import type { HistoryEvent, HistoryEventType, RuntimeStatus } from '../history.js';
import type { OrchestrationStatus } from '../status.js';

/** Durable Functions formats times with second precision: `2026-01-01T00:00:00Z`. */
export function wireTime(date: Date | string): string {
  return `${new Date(date).toISOString().slice(0, 19)}Z`;
}

/** The status of one instance: `GET instances/{id}`, each element of `GET instances`. */
export interface StatusPayload {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  /** Only with `showHistory=true`. */
  historyEvents?: HistoryRow[];
}

/** One row of Durable Functions' `historyEvents` view (PascalCase; the other fields vary by `EventType`). */
export type HistoryRow = Record<string, unknown> & { EventType: string; Timestamp: string };

/** The body of `POST instances/{id}/reset` (see `DurableClient.reset`); `eventId` is the row's 1-based position in the history. */
export interface ResetRequest {
  eventId: number;
  newInstanceId?: string;
  reason?: string;
  reapplyEvents?: boolean;
}

/** `POST instances/{id}/reset` answers 202 with the instance that continues (the fork's ID or the same). */
export interface ResetAccepted {
  instanceId: string;
}

/**
 * `GET instances/{id}/history?from=&top=` (not in Durable Functions): rows `from`.. of the
 * instance's history, one row per stored event (none dropped or merged, so a row's position is
 * its event's: see `toHistoryRows`), `total` rows in all; `nextFrom` when more follow.
 */
export interface HistoryPagePayload {
  events: HistoryRow[];
  from: number;
  total: number;
  nextFrom?: number;
}

/** `GET counts` (not in Durable Functions): how many instances are in each status; every status is present. */
export type InstanceCountsPayload = Record<RuntimeStatus, number>;

/** `GET scope` (not in Durable Functions): what the presented credentials allow. */
export interface ScopePayload {
  scope: 'read' | 'admin' | 'anonymous';
}

/** One page of `GET instances`; the continuation token travels in CONTINUATION_HEADER. */
export interface InstancePage {
  instances: StatusPayload[];
  /** Undefined on the last page. */
  continuationToken?: string;
}

/** `DELETE instances/{id}` and `DELETE instances`. */
export interface PurgeResult {
  instancesDeleted: number;
}

/** `DELETE taskhubs/{name}`. */
export interface TaskHubDeleted {
  taskHub: string;
  deleted: true;
}

/** An element of `GET orchestrators`. */
export interface OrchestratorEntry {
  name: string;
}

/** The body of every rejected request (except the empty 404 of `GET instances/{id}`). */
export interface ErrorBody<Code extends string = string> {
  error: { code: Code; message: string };
}

export function toStatusPayload(status: OrchestrationStatus, options: { showHistoryOutput?: boolean; showInput?: boolean } = {}): StatusPayload {
  return {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: status.input ?? null,
    customStatus: status.customStatus ?? null,
    output: status.output ?? null,
    createdTime: wireTime(status.createdTime),
    lastUpdatedTime: wireTime(status.lastUpdatedTime),
    historyEvents: status.history ? toHistoryEvents(status.history, options) : undefined,
  };
}

const json = (text: string | undefined): unknown => (text === undefined ? null : JSON.parse(text));

function oneOf<T extends HistoryEventType>(types: readonly T[]): (e: HistoryEvent) => e is Extract<HistoryEvent, { type: T }> {
  const set = new Set<HistoryEventType>(types);
  return (e): e is Extract<HistoryEvent, { type: T }> => set.has(e.type);
}

/** The events whose `name` a row shows as `Name` (ExecutionStarted's is its `FunctionName`). */
const carriesName = oneOf(['TaskScheduled', 'SubOrchestrationInstanceCreated', 'EventRaised', 'EventSent']);

/** The events whose `instanceId` (another instance: the sub-orchestration, the event's target) a row shows as `InstanceId`. */
const carriesInstanceId = oneOf(['SubOrchestrationInstanceCreated', 'EventSent']);

/**
 * The events whose own `input` a row shows as `Input`, unless `showInput` is false. A completion
 * row shows its scheduling event's input; ExecutionTerminated's input (the reason) is always shown.
 */
const carriesInput = oneOf(['TaskScheduled', 'SubOrchestrationInstanceCreated', 'ExecutionStarted', 'EventRaised', 'EventSent', 'ContinueAsNew']);

/**
 * Durable Functions' `historyEvents`: PascalCase rows; OrchestratorStarted/Completed dropped;
 * each scheduling row merged into its completion row (FunctionName, ScheduledTime, Input).
 */
export function toHistoryEvents(history: readonly HistoryEvent[], options: { showHistoryOutput?: boolean; showInput?: boolean } = {}): HistoryRow[] {
  const showInput = options.showInput !== false;
  const scheduled = new Map<number, HistoryEvent>();
  const completed = new Set<number>();
  for (const e of history) {
    if (e.type === 'TaskScheduled' || e.type === 'SubOrchestrationInstanceCreated') scheduled.set(e.eventId, e);
    if (e.type === 'TaskCompleted' || e.type === 'TaskFailed' || e.type === 'SubOrchestrationInstanceCompleted' || e.type === 'SubOrchestrationInstanceFailed')
      completed.add(e.taskScheduledId);
  }
  const rows: HistoryRow[] = [];
  for (const e of history) {
    const row: HistoryRow = { EventType: e.type, Timestamp: e.timestamp };
    if (carriesName(e)) row.Name = e.name;
    if (carriesInstanceId(e)) row.InstanceId = e.instanceId;
    switch (e.type) {
      case 'OrchestratorStarted':
      case 'OrchestratorCompleted':
        continue;
      case 'TaskScheduled':
      case 'SubOrchestrationInstanceCreated':
        if (completed.has(e.eventId)) continue;
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed': {
        const origin = scheduled.get(e.taskScheduledId);
        if (origin && (origin.type === 'TaskScheduled' || origin.type === 'SubOrchestrationInstanceCreated')) {
          row.FunctionName = origin.name;
          row.ScheduledTime = origin.timestamp;
          if (origin.type === 'SubOrchestrationInstanceCreated') row.InstanceId = origin.instanceId;
          if (showInput) row.Input = json(origin.input);
        }
        if (e.type === 'TaskCompleted' || e.type === 'SubOrchestrationInstanceCompleted') {
          if (options.showHistoryOutput) row.Result = json(e.result);
        } else {
          row.Reason = e.failureDetails.errorMessage;
          row.Details = e.failureDetails.stackTrace ?? null;
          row.FailureDetails = e.failureDetails;
        }
        break;
      }
      case 'ExecutionStarted':
        row.FunctionName = e.name;
        break;
      case 'ExecutionCompleted':
        row.OrchestrationStatus = e.orchestrationStatus;
        if (options.showHistoryOutput) row.Result = json(e.result);
        if (e.failureDetails) row.FailureDetails = e.failureDetails;
        break;
      case 'ExecutionTerminated':
        row.Input = json(e.input);
        break;
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
      case 'ExecutionRewound':
        row.Reason = e.reason ?? null;
        break;
      case 'ExecutionReset':
        row.Reason = e.reason ?? null;
        row.EventId = e.position;
        break;
      case 'TimerCreated':
      case 'TimerFired':
        row.FireAt = e.fireAt;
        break;
      case 'GenericEvent':
        row.Data = e.data;
        break;
    }
    if (showInput && carriesInput(e)) row.Input = json(e.input);
    rows.push(row);
  }
  return rows;
}

/** The body of `GET instances/{id}/history` for the page of `total` events that starts at `from` (`top` asked for). */
export function toHistoryPagePayload(
  page: { events: readonly HistoryEvent[]; total: number },
  from: number,
  top: number,
  options: { showHistoryOutput?: boolean; showInput?: boolean } = {},
): HistoryPagePayload {
  const body: HistoryPagePayload = { events: toHistoryRows(page.events, options), from, total: page.total };
  if (from + top < page.total) body.nextFrom = from + top;
  return body;
}

/**
 * One row per event, in order, nothing dropped or merged: the paged history's rows. Fields as in
 * `toHistoryEvents`, plus `EventId` (of a scheduling event) and `TaskScheduledId` (of a
 * completion), which pair what the merged view joins into one row.
 */
export function toHistoryRows(history: readonly HistoryEvent[], options: { showHistoryOutput?: boolean; showInput?: boolean } = {}): HistoryRow[] {
  const showInput = options.showInput !== false;
  return history.map((e) => {
    const row: HistoryRow = { EventType: e.type, Timestamp: e.timestamp };
    if (e.eventId >= 0) row.EventId = e.eventId;
    if ('taskScheduledId' in e) row.TaskScheduledId = e.taskScheduledId;
    if (carriesName(e)) row.Name = e.name;
    if (carriesInstanceId(e)) row.InstanceId = e.instanceId;
    switch (e.type) {
      case 'TaskCompleted':
      case 'SubOrchestrationInstanceCompleted':
        if (options.showHistoryOutput) row.Result = json(e.result);
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed':
        row.Reason = e.failureDetails.errorMessage;
        row.Details = e.failureDetails.stackTrace ?? null;
        row.FailureDetails = e.failureDetails;
        break;
      case 'ExecutionStarted':
        row.FunctionName = e.name;
        break;
      case 'ExecutionCompleted':
        row.OrchestrationStatus = e.orchestrationStatus;
        if (options.showHistoryOutput) row.Result = json(e.result);
        if (e.failureDetails) row.FailureDetails = e.failureDetails;
        break;
      case 'ExecutionTerminated':
        row.Input = json(e.input);
        break;
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
      case 'ExecutionRewound':
        row.Reason = e.reason ?? null;
        break;
      case 'ExecutionReset':
        row.Reason = e.reason ?? null;
        row.EventId = e.position;
        break;
      case 'TimerCreated':
      case 'TimerFired':
        row.FireAt = e.fireAt;
        break;
      case 'GenericEvent':
        row.Data = e.data;
        break;
    }
    if (showInput && carriesInput(e)) row.Input = json(e.input);
    return row;
  });
}
