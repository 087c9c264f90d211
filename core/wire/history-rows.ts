/**
 * The paged history's rows (`GET instances/{id}/history`, history bundles): one row per stored
 * event, in order, nothing dropped or merged, so that the events can be read back exactly
 * (`fromHistoryRows`) and replayed. A row is its event with PascalCase keys (`type` becomes
 * `EventType`), payloads (`input`, `result`) as JSON values, and an absent field left absent;
 * `EventId` appears only on the scheduling events that have one. Three fields are added for a
 * reader of Durable Functions' rows and ignored when reading back: `FunctionName` (the
 * orchestrator of ExecutionStarted), and `Reason`/`Details` of a failure.
 * @module
 */
import type { HistoryEvent } from '../history.js';
import type { HistoryRow } from './payloads.js';

/** JSON text fields: shown as values, so the rows read as JSON all the way down. */
const PAYLOADS = new Set(['input', 'result']);
/** Shown for readers of Durable Functions' rows; derived from other fields, so not read back. */
const DERIVED = new Set(['FunctionName', 'Details']);

const pascal = (key: string) => key[0]!.toUpperCase() + key.slice(1);
const camel = (key: string) => key[0]!.toLowerCase() + key.slice(1);

export interface HistoryRowOptions {
  /** Results of activities, sub-orchestrations and the orchestration (default false, as in Durable Functions). */
  showHistoryOutput?: boolean;
  /** Inputs (default true). */
  showInput?: boolean;
}

function toRow(e: HistoryEvent, options: HistoryRowOptions): HistoryRow {
  const row: HistoryRow = { EventType: e.type, Timestamp: e.timestamp };
  if (e.eventId >= 0) row.EventId = e.eventId;
  for (const [key, value] of Object.entries(e)) {
    if (key === 'type' || key === 'timestamp' || key === 'eventId' || value === undefined) continue;
    if (key === 'input' && options.showInput === false) continue;
    if (key === 'result' && !options.showHistoryOutput) continue;
    if (key === 'rewound') row.Rewound = toRow(value as HistoryEvent, { showHistoryOutput: true });
    else row[pascal(key)] = PAYLOADS.has(key) ? JSON.parse(value as string) : value;
  }
  if (e.type === 'ExecutionStarted') row.FunctionName = e.name;
  if (e.type === 'TaskFailed' || e.type === 'SubOrchestrationInstanceFailed') {
    row.Reason = e.failureDetails.errorMessage;
    row.Details = e.failureDetails.stackTrace ?? null;
  }
  return row;
}

export function toHistoryRows(history: readonly HistoryEvent[], options: HistoryRowOptions = {}): HistoryRow[] {
  return history.map((e) => toRow(e, options));
}

/** The events of rows written by `toHistoryRows` with inputs and outputs shown: the exact events. */
export function fromHistoryRows(rows: readonly HistoryRow[]): HistoryEvent[] {
  return rows.map(fromRow);
}

function fromRow(row: HistoryRow): HistoryEvent {
  const failure = row.EventType === 'TaskFailed' || row.EventType === 'SubOrchestrationInstanceFailed';
  const e: Record<string, unknown> = { type: row.EventType, eventId: typeof row.EventId === 'number' ? row.EventId : -1, timestamp: row.Timestamp };
  for (const [key, value] of Object.entries(row)) {
    if (key === 'EventType' || key === 'Timestamp' || key === 'EventId' || DERIVED.has(key) || (failure && key === 'Reason')) continue;
    const field = camel(key);
    if (key === 'Rewound') e.rewound = fromRow(value as HistoryRow);
    else e[field] = PAYLOADS.has(field) ? JSON.stringify(value) : value;
  }
  return e as unknown as HistoryEvent;
}
