/**
 * The bodies of the HTTP API: the status payload, Durable Functions' `historyEvents` rows,
 * a page of instances, purge and task hub results, and the error body; and how the status
 * payload and the rows are made from an instance's status and history.
 * @module
 */
import type { HistoryEvent, RuntimeStatus } from '../history.js';
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
    switch (e.type) {
      case 'OrchestratorStarted':
      case 'OrchestratorCompleted':
        continue;
      case 'TaskScheduled':
      case 'SubOrchestrationInstanceCreated':
        if (completed.has(e.eventId)) continue;
        row.Name = e.name;
        if (e.type === 'SubOrchestrationInstanceCreated') row.InstanceId = e.instanceId;
        if (showInput) row.Input = json(e.input);
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
        if (showInput) row.Input = json(e.input);
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
      case 'TimerCreated':
      case 'TimerFired':
        row.FireAt = e.fireAt;
        break;
      case 'EventRaised':
        row.Name = e.name;
        if (showInput) row.Input = json(e.input);
        break;
      case 'EventSent':
        row.InstanceId = e.instanceId;
        row.Name = e.name;
        if (showInput) row.Input = json(e.input);
        break;
      case 'ContinueAsNew':
        if (showInput) row.Input = json(e.input);
        break;
      case 'GenericEvent':
        row.Data = e.data;
        break;
    }
    rows.push(row);
  }
  return rows;
}
