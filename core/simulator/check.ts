/**
 * Structural checks of a history: what must hold however the engine was interrupted
 * (crashes, redeliveries, rewinds). Used by the simulator's tests; useful in yours.
 * @module
 */
import type { HistoryEvent } from '../history.js';

const SCHEDULING = new Set(['TaskScheduled', 'SubOrchestrationInstanceCreated', 'TimerCreated']);
const COMPLETES: Record<string, string> = {
  TaskCompleted: 'TaskScheduled',
  TaskFailed: 'TaskScheduled',
  SubOrchestrationInstanceCompleted: 'SubOrchestrationInstanceCreated',
  SubOrchestrationInstanceFailed: 'SubOrchestrationInstanceCreated',
  TimerFired: 'TimerCreated',
};

/**
 * The problems found (empty when the history is sound): episodes properly bracketed and in
 * time order, one start, at most one completion and nothing after it, scheduling IDs without
 * gaps or duplicates, and every completion matching exactly one earlier scheduling event.
 */
export function checkHistory(history: readonly HistoryEvent[]): string[] {
  const problems: string[] = [];
  let inEpisode = false;
  let lastEpisodeStart = -Infinity;
  let started = 0;
  let completedAt = -1;
  const active = new Map<number, HistoryEvent>();
  const completed = new Set<number>();
  const ids = new Set<number>();

  history.forEach((e, i) => {
    const where = `#${i} ${e.type}`;
    if (completedAt >= 0 && e.type !== 'OrchestratorCompleted') problems.push(`${where} comes after ExecutionCompleted (#${completedAt}).`);
    switch (e.type) {
      case 'OrchestratorStarted': {
        if (inEpisode) problems.push(`${where}: the previous episode has no OrchestratorCompleted.`);
        inEpisode = true;
        const t = Date.parse(e.timestamp);
        if (t < lastEpisodeStart) problems.push(`${where}: episode starts at ${e.timestamp}, before the previous episode.`);
        lastEpisodeStart = t;
        return;
      }
      case 'OrchestratorCompleted':
        if (!inEpisode) problems.push(`${where} without OrchestratorStarted.`);
        inEpisode = false;
        return;
      case 'ExecutionRewound':
      case 'ExecutionReset':
        return; // recorded between episodes
      default:
        if (!inEpisode) problems.push(`${where} is outside any episode.`);
    }
    if (e.type === 'ExecutionStarted') {
      started++;
      if (started > 1) problems.push(`${where}: a second ExecutionStarted.`);
      return;
    }
    if (e.type === 'ExecutionCompleted') {
      completedAt = i;
      return;
    }
    const retired = e.type === 'GenericEvent' ? e.rewound : undefined;
    const event = retired ?? e;
    if (SCHEDULING.has(event.type)) {
      ids.add(event.eventId);
      if (retired) {
        active.delete(event.eventId);
        completed.delete(event.eventId);
        return;
      }
      if (active.has(event.eventId)) problems.push(`${where}: eventId ${event.eventId} is scheduled twice.`);
      active.set(event.eventId, event);
      return;
    }
    const scheduledType = COMPLETES[event.type];
    if (scheduledType && !retired) {
      const id = event.type === 'TimerFired' ? event.timerId : (event as { taskScheduledId: number }).taskScheduledId;
      const origin = active.get(id);
      if (!origin) problems.push(`${where}: completes eventId ${id}, which was never scheduled.`);
      else if (origin.type !== scheduledType) problems.push(`${where}: completes eventId ${id}, which is a ${origin.type}.`);
      if (completed.has(id)) problems.push(`${where}: eventId ${id} completes twice.`);
      completed.add(id);
    }
  });
  if (history.length > 0 && started === 0) problems.push('No ExecutionStarted.');
  if (inEpisode) problems.push('The last episode has no OrchestratorCompleted.');
  const max = Math.max(-1, ...ids);
  for (let id = 0; id <= max; id++) if (!ids.has(id)) problems.push(`Scheduling eventId ${id} is missing (IDs 0..${max} have a gap).`);
  return problems;
}
