/**
 * The client's view of an instance, in the shape of durable-functions' DurableOrchestrationStatus.
 * @module
 */
import type { FailureDetails } from './errors.js';
import type { HistoryEvent, RuntimeStatus } from './history.js';
import type { InstanceRecord } from './store/port.js';

export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  createdTime: Date;
  lastUpdatedTime: Date;
  input?: unknown;
  customStatus?: unknown;
  /** The output; for a failed instance, the failure message (details in `failureDetails`). */
  output?: unknown;
  runtimeStatus: RuntimeStatus;
  failureDetails?: FailureDetails;
  parentInstanceId?: string;
  /** Only with `showHistory`. */
  history?: HistoryEvent[];
}

export interface StatusOptions {
  showHistory?: boolean;
  /** Keep activity and orchestration results in the history. */
  showHistoryOutput?: boolean;
  /** Default true. */
  showInput?: boolean;
}

const parse = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

export function toStatus(record: InstanceRecord, options: StatusOptions = {}, history?: HistoryEvent[]): OrchestrationStatus {
  const status: OrchestrationStatus = {
    name: record.name,
    instanceId: record.instanceId,
    createdTime: new Date(record.createdTime),
    lastUpdatedTime: new Date(record.lastUpdatedTime),
    runtimeStatus: record.runtimeStatus,
  };
  if (options.showInput !== false && record.input !== undefined) status.input = parse(record.input);
  if (record.customStatus !== undefined) status.customStatus = parse(record.customStatus);
  if (record.output !== undefined) status.output = parse(record.output);
  if (record.failureDetails) status.failureDetails = record.failureDetails;
  if (record.parentInstanceId) status.parentInstanceId = record.parentInstanceId;
  if (history) status.history = options.showHistoryOutput ? history : history.map(withoutOutput);
  return status;
}

function withoutOutput(e: HistoryEvent): HistoryEvent {
  if ((e.type === 'TaskCompleted' || e.type === 'SubOrchestrationInstanceCompleted' || e.type === 'ExecutionCompleted') && e.result !== undefined) {
    const { result: _r, ...rest } = e;
    return rest as HistoryEvent;
  }
  return e;
}
