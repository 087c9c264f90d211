/**
 * The lossless history rows (one per stored event, as the paged route and history bundles carry them) merged into
 * Durable Functions' rows for the episode, diagram and pending views: the same merge as core/wire's
 * `toHistoryEvents`, over rows. OrchestratorStarted/Completed are dropped; a scheduling row whose completion is
 * present (its `EventId` is the completion's `TaskScheduledId`) is folded into that completion as `FunctionName`,
 * `ScheduledTime`, `Input` (and a sub-orchestration's `InstanceId`); pairing IDs are dropped (a reset's `EventId`, its
 * position, stays). Pure and linear.
 */
import type { HistoryRow } from '../wire.js';

const SCHEDULING = new Set(['TaskScheduled', 'SubOrchestrationInstanceCreated']);
const COMPLETION = new Set(['TaskCompleted', 'TaskFailed', 'SubOrchestrationInstanceCompleted', 'SubOrchestrationInstanceFailed']);
const EPISODE_MARKERS = new Set(['OrchestratorStarted', 'OrchestratorCompleted']);

export function mergedRows(rows: readonly HistoryRow[]): HistoryRow[] {
  const scheduled = new Map<number, HistoryRow>();
  const completed = new Set<number>();
  for (const row of rows) {
    if (SCHEDULING.has(row.EventType) && typeof row.EventId === 'number') scheduled.set(row.EventId, row);
    if (COMPLETION.has(row.EventType) && typeof row.TaskScheduledId === 'number') completed.add(row.TaskScheduledId);
  }
  const merged: HistoryRow[] = [];
  for (const row of rows) {
    if (EPISODE_MARKERS.has(row.EventType)) continue;
    if (SCHEDULING.has(row.EventType) && typeof row.EventId === 'number' && completed.has(row.EventId)) continue;
    const { EventId: eventId, TaskScheduledId: scheduledId, ...rest } = row;
    const out: HistoryRow = { ...rest, EventType: row.EventType, Timestamp: row.Timestamp };
    // a reset's row keeps the position it went back to, as in the merged view
    if (row.EventType === 'ExecutionReset' && eventId !== undefined) out.EventId = eventId;
    const origin = COMPLETION.has(row.EventType) && typeof scheduledId === 'number' ? scheduled.get(scheduledId) : undefined;
    if (origin) {
      out.FunctionName = origin.Name;
      out.ScheduledTime = origin.Timestamp;
      if (origin.EventType === 'SubOrchestrationInstanceCreated') out.InstanceId = origin.InstanceId;
      if ('Input' in origin) out.Input = origin.Input;
    }
    merged.push(out);
  }
  return merged;
}
