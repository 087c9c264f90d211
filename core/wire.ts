/**
 * The Durable Functions HTTP wire format: management URLs, the status payload and the
 * `historyEvents` view. Shared by the client's check-status responses and the HTTP API.
 * @module
 */
import type { HistoryEvent } from './history.js';
import type { OrchestrationStatus } from './status.js';

export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';

export interface ManagementUrlOptions {
  /** Origin (and optional path prefix) of the HTTP API, e.g. `http://127.0.0.1:7071`. */
  baseUrl: string;
  taskHub: string;
  /** Appended as `code=` only when configured: URLs carry no key by default. */
  code?: string;
}

export interface HttpManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export function createHttpManagementPayload(instanceId: string, options: ManagementUrlOptions): HttpManagementPayload {
  const base = `${options.baseUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}/instances/${encodeURIComponent(instanceId)}`;
  const query = `taskHub=${encodeURIComponent(options.taskHub)}${options.code ? `&code=${encodeURIComponent(options.code)}` : ''}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${base}?${query}`,
    sendEventPostUri: `${base}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${base}/terminate?reason={text}&${query}`,
    rewindPostUri: `${base}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${base}?${query}`,
    restartPostUri: `${base}/restart?${query}`,
    suspendPostUri: `${base}/suspend?reason={text}&${query}`,
    resumePostUri: `${base}/resume?reason={text}&${query}`,
  };
}

/** The 202 body of a check-status response: Durable Functions leaves `rewindPostUri` out. */
export function checkStatusBody(payload: HttpManagementPayload): Omit<HttpManagementPayload, 'rewindPostUri'> {
  const { rewindPostUri: _r, ...body } = payload;
  return body;
}

export function createCheckStatusResponse(payload: HttpManagementPayload): Response {
  return Response.json(checkStatusBody(payload), {
    status: 202,
    headers: { Location: payload.statusQueryGetUri, 'Retry-After': '10' },
  });
}

/** Durable Functions formats times with second precision: `2026-01-01T00:00:00Z`. */
export function wireTime(date: Date | string): string {
  return `${new Date(date).toISOString().slice(0, 19)}Z`;
}

export interface StatusPayload {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
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
    ...(status.history ? { historyEvents: toHistoryEvents(status.history, options) } : {}),
  };
}

const json = (text: string | undefined): unknown => (text === undefined ? null : JSON.parse(text));

/**
 * Durable Functions' `historyEvents`: PascalCase rows; OrchestratorStarted/Completed dropped;
 * each scheduling row merged into its completion row (FunctionName, ScheduledTime, Input).
 */
export function toHistoryEvents(history: readonly HistoryEvent[], options: { showHistoryOutput?: boolean; showInput?: boolean } = {}): Record<string, unknown>[] {
  const showInput = options.showInput !== false;
  const scheduled = new Map<number, HistoryEvent>();
  const completed = new Set<number>();
  for (const e of history) {
    if (e.type === 'TaskScheduled' || e.type === 'SubOrchestrationInstanceCreated') scheduled.set(e.eventId, e);
    if (e.type === 'TaskCompleted' || e.type === 'TaskFailed' || e.type === 'SubOrchestrationInstanceCompleted' || e.type === 'SubOrchestrationInstanceFailed') completed.add(e.taskScheduledId);
  }
  const rows: Record<string, unknown>[] = [];
  for (const e of history) {
    const row: Record<string, unknown> = { EventType: e.type, Timestamp: e.timestamp };
    switch (e.type) {
      case 'OrchestratorStarted': case 'OrchestratorCompleted': continue;
      case 'TaskScheduled': case 'SubOrchestrationInstanceCreated':
        if (completed.has(e.eventId)) continue;
        row.Name = e.name;
        if (e.type === 'SubOrchestrationInstanceCreated') row.InstanceId = e.instanceId;
        if (showInput) row.Input = json(e.input);
        break;
      case 'TaskCompleted': case 'TaskFailed': case 'SubOrchestrationInstanceCompleted': case 'SubOrchestrationInstanceFailed': {
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
      case 'ExecutionTerminated': row.Input = json(e.input); break;
      case 'ExecutionSuspended': case 'ExecutionResumed': case 'ExecutionRewound': row.Reason = e.reason ?? null; break;
      case 'TimerCreated': row.FireAt = e.fireAt; break;
      case 'TimerFired': row.FireAt = e.fireAt; break;
      case 'EventRaised': row.Name = e.name; if (showInput) row.Input = json(e.input); break;
      case 'EventSent': row.InstanceId = e.instanceId; row.Name = e.name; if (showInput) row.Input = json(e.input); break;
      case 'ContinueAsNew': if (showInput) row.Input = json(e.input); break;
      case 'GenericEvent': row.Data = e.data; break;
    }
    rows.push(row);
  }
  return rows;
}
