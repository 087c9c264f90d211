/**
 * Rewind as a pure history transform. The failed rows are retired into GenericEvents
 * that keep the original (as DTFx's rewind does), so replay re-issues the failed work,
 * keeps every result that succeeded, and the audit trail has no gaps.
 * @module
 */
import { event, type GenericEvent, type HistoryEvent } from '../history.js';

export interface RewoundHistory {
  history: HistoryEvent[];
  /** Failed sub-orchestrations, rewound in turn; their completions reach the parent as usual. */
  failedChildren: string[];
}

const retire = (e: HistoryEvent): GenericEvent => ({
  type: 'GenericEvent',
  eventId: e.eventId,
  timestamp: e.timestamp,
  data: `Rewound: ${e.type}`,
  rewound: e,
});

export function rewindHistory(history: readonly HistoryEvent[], reason: string | undefined, now: string): RewoundHistory {
  const failedTasks = new Set<number>();
  const childByTask = new Map<number, string>();
  for (const e of history) {
    if (e.type === 'TaskFailed') failedTasks.add(e.taskScheduledId);
    if (e.type === 'SubOrchestrationInstanceCreated') childByTask.set(e.eventId, e.instanceId);
  }
  const failedChildren: string[] = [];
  const rewritten = history.map((e): HistoryEvent => {
    switch (e.type) {
      case 'TaskScheduled':
        return failedTasks.has(e.eventId) ? retire(e) : e;
      case 'TaskFailed':
        return retire(e);
      case 'SubOrchestrationInstanceFailed': {
        // The child keeps its instance: it is rewound too and reports again.
        const child = childByTask.get(e.taskScheduledId);
        if (child) failedChildren.push(child);
        return retire(e);
      }
      case 'ExecutionCompleted':
        return e.orchestrationStatus === 'Failed' ? retire(e) : e;
      default:
        return e;
    }
  });
  rewritten.push(event('ExecutionRewound', now, { reason }));
  return { history: rewritten, failedChildren };
}
