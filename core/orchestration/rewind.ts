/**
 * Rewind as a pure history transform. The rows it takes back are retired into GenericEvents
 * that keep the original (as DTFx's rewind does), so the audit trail has no gaps; replay then
 * re-issues the work they recorded, with the same sequence numbers, and keeps every result
 * the orchestrator's later course does not depend on.
 *
 * Where it cuts: at the first failure the orchestrator did not go on from (one its code did not
 * catch, or a retry policy's last attempt). Everything decided after that failure reached the
 * orchestrator is a consequence of it: those actions are retired with their results. The failed
 * tasks themselves run again: an activity's scheduling row is retired so it is issued anew; a
 * sub-orchestration keeps its row and the child is rewound in place, reporting to the parent
 * again. Failures met before the cut were handled (a caught error, a retried attempt), so they
 * and what followed from them stay. Work decided before the cut that has no result was in
 * flight when the instance failed; a terminal instance drops the results that reach it, so that
 * work is issued again (its first result wins; a later duplicate is dropped as stale).
 * @module
 */
import { event, type GenericEvent, type HistoryEvent, type RuntimeStatus } from '../history.js';
import { type FailureMet, OrchestrationExecutor, type OrchestratorRegistry, replay } from './executor.js';

/** Where a rewind cuts a history. */
export interface RewindCut {
  /** Actions with this sequence number or later were decided after the failure: retired with their results. */
  from: number;
  /** The failed tasks to run again, by sequence number: their failure rows are retired. */
  failed: ReadonlySet<number>;
}

/** A sub-orchestration child as it is now. */
export interface ChildFacts {
  status: RuntimeStatus;
  /** The parent execution and task its current execution reports to. */
  reportsTo?: { executionId: string; taskScheduledId: number };
  /** JSON text: a Completed child's result. */
  output?: string;
}

export interface RewindFacts {
  /** The children `childrenToCheck` names, by instance ID; a missing one no longer exists. */
  children: ReadonlyMap<string, ChildFacts>;
  /** Events that reached the instance with the rewind (results that came after the failure, raised events), in order. */
  arrived: readonly HistoryEvent[];
  reason?: string;
  /** ISO time of the rewind. */
  now: string;
}

export interface RewoundHistory {
  history: HistoryEvent[];
  /** What the rewind's episode applies after replaying `history`: the arrivals it keeps, and results of children that finished meanwhile. */
  events: HistoryEvent[];
  /** Failed sub-orchestrations to rewind in turn; they report to the parent again. */
  failedChildren: string[];
}

type Scheduling = Extract<HistoryEvent, { type: 'TaskScheduled' | 'TimerCreated' | 'SubOrchestrationInstanceCreated' }>;

const isScheduling = (e: HistoryEvent): e is Scheduling =>
  e.type === 'TaskScheduled' || e.type === 'TimerCreated' || e.type === 'SubOrchestrationInstanceCreated';

/** The task a completion row closes, or undefined for any other row. */
function target(e: HistoryEvent): number | undefined {
  switch (e.type) {
    case 'TaskCompleted':
    case 'TaskFailed':
    case 'SubOrchestrationInstanceCompleted':
    case 'SubOrchestrationInstanceFailed':
      return e.taskScheduledId;
    case 'TimerFired':
      return e.timerId;
    default:
      return undefined;
  }
}

const isFailure = (e: HistoryEvent): boolean => e.type === 'TaskFailed' || e.type === 'SubOrchestrationInstanceFailed';

const retire = (e: HistoryEvent): GenericEvent => ({
  type: 'GenericEvent',
  eventId: e.eventId,
  timestamp: e.timestamp,
  data: `Rewound: ${e.type}`,
  rewound: e,
});

/** Sub-orchestrations in the history without a successful result: the children whose state a rewind needs. */
export function childrenToCheck(history: readonly HistoryEvent[]): string[] {
  const done = new Set<number>();
  for (const e of history) if (e.type === 'SubOrchestrationInstanceCompleted') done.add(e.taskScheduledId);
  return history.filter((e) => e.type === 'SubOrchestrationInstanceCreated' && !done.has(e.eventId)).map((e) => (e as { instanceId: string }).instanceId);
}

/** The cuts to try, best first: at the first failure not handled, else (or failing that) at the first failure. */
export function rewindCuts(failures: readonly FailureMet[]): RewindCut[] {
  const at = (from: number): RewindCut => ({ from, failed: new Set(failures.filter((f) => f.sequence >= from).map((f) => f.taskScheduledId)) });
  const first = failures[0];
  if (!first) return [at(Number.POSITIVE_INFINITY)];
  const unhandled = failures.find((f) => !f.handled);
  return unhandled && unhandled !== first ? [at(unhandled.sequence), at(first.sequence)] : [at(first.sequence)];
}

/** Rewinds a Failed instance's history at `cut` (see the module comment). Rows already retired stay as they are. */
export function rewindHistory(history: readonly HistoryEvent[], cut: RewindCut, facts: RewindFacts): RewoundHistory {
  let executionId: string | undefined;
  const scheduled = new Map<number, Scheduling>();
  const results = new Map<number, HistoryEvent>();
  for (const e of history) {
    if (e.type === 'ExecutionStarted') executionId ??= e.orchestrationInstance.executionId;
    if (isScheduling(e)) scheduled.set(e.eventId, e);
    const id = target(e);
    if (id !== undefined) results.set(id, e);
  }
  const keptRow = (id: number) => id < cut.from && scheduled.has(id);
  // The first successful result that arrived with the rewind for each kept task; failures that arrived are run again.
  const arrivedResults = new Map<number, HistoryEvent>();
  for (const e of facts.arrived) {
    const id = target(e);
    if (id !== undefined && !isFailure(e) && keptRow(id) && !results.has(id) && !arrivedResults.has(id)) arrivedResults.set(id, e);
  }

  const retired = new Set<HistoryEvent>();
  const events: HistoryEvent[] = [];
  const failedChildren: string[] = [];
  for (const [id, row] of scheduled) {
    const recorded = results.get(id);
    if (id >= cut.from) {
      retired.add(row);
      if (recorded) retired.add(recorded);
      continue;
    }
    if (recorded && !(isFailure(recorded) && cut.failed.has(id))) continue;
    if (recorded) retired.add(recorded);
    if (arrivedResults.has(id)) continue;
    // No result to keep: the task failed, or was in flight when the instance failed.
    if (row.type !== 'SubOrchestrationInstanceCreated') {
      retired.add(row);
      continue;
    }
    const child = facts.children.get(row.instanceId);
    const ours = child?.reportsTo?.executionId === executionId && child?.reportsTo?.taskScheduledId === id;
    if (!child || !ours || child.status === 'Terminated') retired.add(row);
    else if (child.status === 'Failed') failedChildren.push(row.instanceId);
    else if (child.status === 'Completed') events.push(event('SubOrchestrationInstanceCompleted', facts.now, { taskScheduledId: id, result: child.output }));
    // Otherwise the child still runs: its result will come.
  }
  for (const e of facts.arrived) {
    const id = target(e);
    if (id === undefined || arrivedResults.get(id) === e) events.push(e);
  }
  const rewritten = history.map((e) => (retired.has(e) || (e.type === 'ExecutionCompleted' && e.orchestrationStatus === 'Failed') ? retire(e) : e));
  rewritten.push(event('ExecutionRewound', facts.now, { reason: facts.reason }));
  return { history: rewritten, events, failedChildren };
}

/**
 * Plans a rewind with the orchestrator's code: replays the history to see which failures it
 * met and handled, cuts there, and checks that the rewound history replays without failing
 * again (a handled failure the code rethrew later would); if it does, cuts at the first failure.
 */
export function planRewind(registry: OrchestratorRegistry, instanceId: string, history: readonly HistoryEvent[], facts: RewindFacts): RewoundHistory {
  const executor = new OrchestrationExecutor(registry, instanceId);
  executor.replay(history);
  const cuts = rewindCuts(executor.failuresMet);
  let rewound: RewoundHistory | undefined;
  for (const cut of cuts) {
    rewound = rewindHistory(history, cut, facts);
    if (replay(registry, instanceId, rewound.history, []).outcome?.status !== 'Failed') return rewound;
  }
  return rewound!;
}
