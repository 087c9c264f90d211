/**
 * Reset as a pure history transform: an execution taken back to one row of its history (as
 * Temporal's reset, DBOS's fork). The rows up to and including it are kept, the rest dropped,
 * and the orchestrator runs on from there under a new execution (and, for a fork, a new
 * instance). Every row is a valid point; `resetCut` says what is kept for each:
 * - a row before the ExecutionStarted keeps the ExecutionStarted (the orchestrator runs from its start);
 * - the ExecutionCompleted row, or a row after it, keeps the rows just before the completion
 *   (and before the ExecutionTerminated that caused it): the last episode runs again;
 * - an OrchestratorStarted keeps the episodes before it;
 * - a row inside an episode keeps that episode's rows up to it, closed by an OrchestratorCompleted:
 *   the results and events up to the row stay, the decisions after it are made again.
 * Work the kept rows scheduled without a result in them is retired (a GenericEvent keeping the
 * original) so that replay issues it again with the same sequence number; timers issued again
 * are re-based on the reset's time by `rebaseTimers`. Events raised after the kept rows are
 * handed back to be delivered again, in their order.
 * @module
 */
import type { EventRaised, ExecutionReset, ExecutionStarted, GenericEvent, HistoryEvent } from '../history.js';
import type { OrchestratorAction } from './executor.js';

export interface ResetTarget {
  /** The execution that continues: the same instance (with a new execution ID) or the fork. */
  instanceId: string;
  executionId: string;
  /** A fork is a new instance: it reports to no parent. */
  fork: boolean;
  /** The reset order as it came, recorded after the kept rows. */
  order: ExecutionReset;
  /** ISO time of the reset. */
  now: string;
}

export interface ResetHistory {
  history: HistoryEvent[];
  /** Events raised after the row, to deliver again as new messages in this order (none if the order says not to). */
  redeliver: EventRaised[];
}

const retire = (e: HistoryEvent): GenericEvent => ({ type: 'GenericEvent', eventId: e.eventId, timestamp: e.timestamp, data: `Reset: ${e.type}`, rewound: e });

/** Whether `position` names a row of a history of `length` rows (1-based). */
export function resetPositionValid(position: number, length: number): boolean {
  return Number.isInteger(position) && position >= 1 && position <= length;
}

/** What a reset to `position` keeps of `past` (see the module comment). */
export interface ResetCut {
  /** How many rows of `past` are kept: the kept rows are `past.slice(0, rows)`. */
  rows: number;
  /** Whether the last kept row is inside an episode, which the reset closes with an OrchestratorCompleted. */
  close: boolean;
}

/**
 * The rows a reset to `position` (1-based, valid by `resetPositionValid`) keeps, or undefined when
 * the history has no ExecutionStarted to keep (no reset applies).
 */
export function resetCut(past: readonly HistoryEvent[], position: number): ResetCut | undefined {
  const started = past.findIndex((e) => e.type === 'ExecutionStarted');
  if (started < 0) return undefined;
  let last = Math.max(position - 1, started);
  const completed = past.findIndex((e) => e.type === 'ExecutionCompleted');
  if (completed >= 0) {
    // The completion begins at the termination that caused it, if any (in the completing episode).
    let completion = completed;
    for (let i = completed - 1; i > started && past[i]!.type !== 'OrchestratorStarted'; i--) if (past[i]!.type === 'ExecutionTerminated') completion = i;
    last = Math.min(last, completion - 1);
  }
  if (past[last]!.type === 'OrchestratorStarted') last--;
  let open = false;
  for (let i = 0; i <= last; i++) {
    const { type } = past[i]!;
    if (type === 'OrchestratorStarted') open = true;
    else if (type === 'OrchestratorCompleted') open = false;
  }
  return { rows: last + 1, close: open };
}

export function resetHistory(past: readonly HistoryEvent[], target: ResetTarget): ResetHistory {
  const { order } = target;
  const cut = resetCut(past, order.position) ?? { rows: order.position, close: false };
  const kept = past.slice(0, cut.rows);
  const results = new Set<number>();
  for (const e of kept) {
    if (e.type === 'TaskCompleted' || e.type === 'TaskFailed' || e.type === 'SubOrchestrationInstanceCompleted' || e.type === 'SubOrchestrationInstanceFailed')
      results.add(e.taskScheduledId);
    if (e.type === 'TimerFired') results.add(e.timerId);
  }
  const history = kept.map((e): HistoryEvent => {
    switch (e.type) {
      case 'ExecutionStarted':
        return restarted(e, target);
      case 'TaskScheduled':
      case 'TimerCreated':
      case 'SubOrchestrationInstanceCreated':
        return results.has(e.eventId) ? e : retire(e);
      default:
        return e;
    }
  });
  if (cut.close) history.push({ type: 'OrchestratorCompleted', eventId: -1, timestamp: kept[kept.length - 1]!.timestamp });
  history.push({ ...order, timestamp: target.now });
  const redeliver = order.reapplyEvents === false ? [] : past.slice(cut.rows).filter((e): e is EventRaised => e.type === 'EventRaised');
  return { history, redeliver };
}

/** The kept ExecutionStarted under the new execution; Math.random keeps its source's seed so the kept rows replay alike. */
function restarted(e: ExecutionStarted, target: ResetTarget): ExecutionStarted {
  const { instanceId, executionId } = e.orchestrationInstance;
  const row: ExecutionStarted = {
    type: 'ExecutionStarted',
    eventId: e.eventId,
    timestamp: e.timestamp,
    name: e.name,
    input: e.input,
    orchestrationInstance: { instanceId: target.instanceId, executionId: target.executionId },
    parentInstance: target.fork ? undefined : e.parentInstance,
    randomSeed: e.randomSeed ?? `${instanceId}/${executionId}`,
  };
  return row;
}

/**
 * Re-bases the timers the code created while replaying the kept rows (before `now`): each fires
 * after the delay it had when it was created, counted from `now`. `issuedAt` is the orchestration
 * time (epoch ms) at which the code created the timer (`OrchestrationExecutor.timerIssuedAt`).
 */
export function rebaseTimers(actions: OrchestratorAction[], issuedAt: (id: number) => number | undefined, now: number): void {
  for (const [i, action] of actions.entries()) {
    if (action.type !== 'CreateTimer') continue;
    const at = issuedAt(action.id);
    if (at === undefined || at >= now) continue;
    actions[i] = { ...action, fireAt: new Date(now + (Date.parse(action.fireAt) - at)).toISOString() };
  }
}
