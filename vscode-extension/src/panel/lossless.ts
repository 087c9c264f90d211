/**
 * The lossless history (core HistoryEvent objects, as the paged route and bundles carry them) in the shapes the
 * panel draws from: one table row per stored event, keeping its position (reset's event ID), and Durable
 * Functions' merged rows (toHistoryEvents, the one conversion) for the episode, diagram and pending views. Pure.
 */
import { type HistoryEvent, type HistoryRow, toHistoryEvents } from '../wire.js';

/** One stored event as a row for the History table: PascalCase like the API's rows, payloads parsed. */
export function losslessRow(event: HistoryEvent): HistoryRow {
  const e = event as HistoryEvent & Record<string, unknown>;
  const row: HistoryRow = { EventType: event.type, Timestamp: event.timestamp, EventId: event.eventId };
  if (typeof e.name === 'string') row.Name = e.name;
  if (typeof e.instanceId === 'string') row.InstanceId = e.instanceId;
  if (typeof e.fireAt === 'string') row.FireAt = e.fireAt;
  if (typeof e.taskScheduledId === 'number') row.TaskScheduledId = e.taskScheduledId;
  if (typeof e.timerId === 'number') row.TimerId = e.timerId;
  if (typeof e.orchestrationStatus === 'string') row.OrchestrationStatus = e.orchestrationStatus;
  if (e.failureDetails) row.FailureDetails = e.failureDetails;
  if (typeof e.reason === 'string') row.Reason = e.reason;
  if (typeof e.input === 'string') row.Input = parse(e.input);
  if (typeof e.result === 'string') row.Result = parse(e.result);
  return row;
}

/** Durable Functions' merged rows of a whole lossless history (scheduling merged into completion). */
export function mergedRows(events: readonly HistoryEvent[]): HistoryRow[] {
  return toHistoryEvents(events, { showHistoryOutput: true, showInput: true });
}

/** The parent named by the ExecutionStarted event, if any. */
export function losslessParent(events: readonly HistoryEvent[]): string | undefined {
  for (const event of events) if (event.type === 'ExecutionStarted') return event.parentInstance?.instanceId;
  return undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
