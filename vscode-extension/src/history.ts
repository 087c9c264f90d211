/**
 * Turns DF's merged `historyEvents` view into episodes and paired items. Pure.
 *
 * The merged view has no OrchestratorStarted/Completed rows, so episode boundaries are inferred: every
 * message that wakes the orchestrator (ExecutionStarted, a task or sub-orchestration result, a fired timer,
 * a raised event, terminate/suspend/resume/rewind) starts an episode, and the rows the orchestrator wrote in
 * response (timers, still-pending tasks, sent events, completion) follow it in row order.
 *
 * A merged TaskCompleted row sits where the result arrived, but the call was made earlier; the item is placed
 * in the episode that made the call: the latest earlier episode that had started by the row's `ScheduledTime`.
 * With DF's second-precision times, calls made within the same second as a result may land one episode late;
 * our own server writes milliseconds.
 */

import { millisBetween } from './format.js';
import type { HistoryRow } from './wire.js';

export type TaskOutcome = 'completed' | 'failed' | 'pending';

export interface ActivityItem {
  kind: 'activity';
  name: string;
  scheduledTime: string;
  completedTime?: string;
  durationMs?: number;
  outcome: TaskOutcome;
  input?: unknown;
  result?: unknown;
  failure?: string;
  event: HistoryRow;
}

export interface SubOrchestrationItem extends Omit<ActivityItem, 'kind'> {
  kind: 'subOrchestration';
  instanceId?: string;
}

export interface TimerItem {
  kind: 'timer';
  createdTime: string;
  fireAt: string;
  firedTime?: string;
  /** Planned wait (FireAt - creation), known even while the timer is pending. */
  durationMs?: number;
  outcome: 'fired' | 'pending';
  event: HistoryRow;
}

export interface ExternalEventItem {
  kind: 'externalEvent';
  name: string;
  receivedTime: string;
  input?: unknown;
  /**
   * How long the orchestrator had been waiting. Waiting is not recorded in history, so it is measured from
   * the start of the previous episode (the last time the orchestrator ran before the event arrived).
   */
  waitedMs?: number;
  waitStartTime?: string;
  event: HistoryRow;
}

/** Everything else: start, completion, terminate, suspend, resume, rewind, sent events, continue-as-new. */
export interface LifecycleItem {
  kind: 'lifecycle';
  eventType: string;
  time: string;
  /** Reason, failure message or target, whatever explains the row in one line. */
  detail?: string;
  failed: boolean;
  event: HistoryRow;
}

export type HistoryItem = ActivityItem | SubOrchestrationItem | TimerItem | ExternalEventItem | LifecycleItem;

export interface Episode {
  /** 1-based, in history order. */
  index: number;
  startTime: string;
  /** What woke the orchestrator, e.g. "started", "SayHello completed", "event Approval". */
  trigger: string;
  items: HistoryItem[];
}

const TRIGGER_TYPES = new Set([
  'ExecutionStarted',
  'TaskCompleted',
  'TaskFailed',
  'SubOrchestrationInstanceCompleted',
  'SubOrchestrationInstanceFailed',
  'TimerFired',
  'EventRaised',
  'ExecutionTerminated',
  'ExecutionSuspended',
  'ExecutionResumed',
  'ExecutionRewound',
  'GenericEvent',
]);

export function groupIntoEpisodes(events: readonly HistoryRow[]): Episode[] {
  const episodes: Episode[] = [];
  // parsed episode start times, parallel to `episodes`, for the binary search of a completion's calling episode
  const starts: number[] = [];
  const timers = new PendingTimers();

  for (const event of events) {
    const previousCount = episodes.length;
    if (TRIGGER_TYPES.has(event.EventType) || episodes.length === 0) {
      episodes.push({ index: episodes.length + 1, startTime: event.Timestamp, trigger: describeTrigger(event), items: [] });
      starts.push(Date.parse(event.Timestamp));
    }
    const current = episodes[episodes.length - 1]!;

    switch (event.EventType) {
      case 'TaskCompleted':
      case 'TaskFailed':
        schedulingEpisode(episodes, starts, previousCount, current, event).items.push(taskItem('activity', event));
        break;
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        schedulingEpisode(episodes, starts, previousCount, current, event).items.push(taskItem('subOrchestration', event));
        break;
      case 'TaskScheduled':
        current.items.push(taskItem('activity', event));
        break;
      case 'SubOrchestrationInstanceCreated':
        current.items.push(taskItem('subOrchestration', event));
        break;
      case 'TimerCreated': {
        const timer: TimerItem = {
          kind: 'timer',
          createdTime: event.Timestamp,
          fireAt: text(event.FireAt) ?? event.Timestamp,
          durationMs: millisBetween(event.Timestamp, text(event.FireAt)),
          outcome: 'pending',
          event,
        };
        timers.add(timer);
        current.items.push(timer);
        break;
      }
      case 'TimerFired':
        fireTimer(timers, current, event);
        break;
      case 'EventRaised': {
        const waitStart = previousCount > 0 ? episodes[previousCount - 1]!.startTime : undefined;
        current.items.push({
          kind: 'externalEvent',
          name: text(event.Name) ?? '(unnamed)',
          receivedTime: event.Timestamp,
          input: event.Input,
          waitedMs: millisBetween(waitStart, event.Timestamp),
          waitStartTime: waitStart,
          event,
        });
        break;
      }
      default:
        current.items.push(lifecycleItem(event));
    }
  }

  for (const episode of episodes) sortByStartTime(episode.items);
  return episodes;
}

/** The time an item begins, used for ordering within an episode and for the timeline. */
export function itemStartTime(item: HistoryItem): string {
  switch (item.kind) {
    case 'activity':
    case 'subOrchestration':
      return item.scheduledTime;
    case 'timer':
      return item.createdTime;
    case 'externalEvent':
      return item.waitStartTime ?? item.receivedTime;
    case 'lifecycle':
      return item.time;
  }
}

/** A failure message from whichever field the row carries: FailureDetails (DTFx), Reason/Details, or a string Result. */
export function failureMessage(event: HistoryRow): string | undefined {
  const details = event.FailureDetails;
  if (details && typeof details === 'object') {
    // PascalCase from DTFx; camelCase from edge-durable (its FailureDetails object keeps the core's field names)
    const fields = details as { ErrorType?: unknown; ErrorMessage?: unknown; errorType?: unknown; errorMessage?: unknown };
    const ErrorType = fields.ErrorType ?? fields.errorType;
    const ErrorMessage = fields.ErrorMessage ?? fields.errorMessage;
    if (typeof ErrorMessage === 'string' && ErrorMessage) {
      return typeof ErrorType === 'string' && ErrorType ? `${ErrorType}: ${ErrorMessage}` : ErrorMessage;
    }
  }
  const reason = text(event.Reason);
  const extra = text(event.Details);
  if (reason) return extra && extra !== reason ? `${reason} (${extra})` : reason;
  if (extra) return extra;
  if (typeof event.Result === 'string' && event.Result) return event.Result;
  return undefined;
}

/**
 * The episode that made the call: the latest of the first `count` episodes that had started by the row's
 * `ScheduledTime`. Rows come in commit order with non-decreasing timestamps, so `starts` is sorted and a binary
 * search finds it: a fan-out of thousands of calls completes in O(n log n), not O(n²).
 */
function schedulingEpisode(episodes: Episode[], starts: number[], count: number, current: Episode, event: HistoryRow): Episode {
  if (count === 0) return current;
  const scheduled = Date.parse(text(event.ScheduledTime) ?? '');
  if (Number.isNaN(scheduled)) return episodes[count - 1]!;
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (starts[middle]! <= scheduled) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return episodes[Math.max(found, 0)]!; // clock skew: the call cannot predate the first episode
}

function taskItem(kind: 'activity' | 'subOrchestration', event: HistoryRow): ActivityItem | SubOrchestrationItem {
  const pending = event.EventType === 'TaskScheduled' || event.EventType === 'SubOrchestrationInstanceCreated';
  const failed = event.EventType === 'TaskFailed' || event.EventType === 'SubOrchestrationInstanceFailed';
  // pending rows are unmerged: the call's own row, with `Name` and its own timestamp
  const scheduledTime = pending ? event.Timestamp : (text(event.ScheduledTime) ?? event.Timestamp);
  const item: ActivityItem = {
    kind: 'activity',
    name: text(pending ? event.Name : event.FunctionName) ?? text(event.Name) ?? '(unknown)',
    scheduledTime,
    outcome: pending ? 'pending' : failed ? 'failed' : 'completed',
    input: event.Input,
    event,
  };
  if (!pending) {
    item.completedTime = event.Timestamp;
    item.durationMs = millisBetween(scheduledTime, event.Timestamp);
    if (failed) item.failure = failureMessage(event) ?? 'failed';
    else item.result = event.Result;
  }
  if (kind === 'activity') return item;
  const instanceId = text(event.InstanceId);
  return { ...item, kind: 'subOrchestration', instanceId: instanceId || undefined };
}

/** Timers created and not yet fired, by FireAt (milliseconds), oldest first within one FireAt; O(1) per timer. */
class PendingTimers {
  private readonly byFireAt = new Map<number, TimerItem[]>();
  private readonly all = new Set<TimerItem>();

  add(timer: TimerItem): void {
    const key = Date.parse(timer.fireAt);
    const queue = this.byFireAt.get(key);
    if (queue) queue.push(timer);
    else this.byFireAt.set(key, [timer]);
    this.all.add(timer);
  }

  /** The oldest pending timer with this FireAt; without a FireAt, the oldest pending timer. */
  take(fireAt: string | undefined): TimerItem | undefined {
    let timer: TimerItem | undefined;
    if (fireAt === undefined) {
      timer = this.all.values().next().value;
      if (timer) this.byFireAt.get(Date.parse(timer.fireAt))?.shift();
    } else {
      timer = this.byFireAt.get(Date.parse(fireAt))?.shift();
    }
    if (timer) this.all.delete(timer);
    return timer;
  }
}

/** TimerId is removed from the HTTP view, so a fired timer is matched to its creation by FireAt, oldest first. */
function fireTimer(timers: PendingTimers, current: Episode, event: HistoryRow): void {
  const fireAt = text(event.FireAt);
  const timer = timers.take(fireAt);
  if (timer) {
    timer.outcome = 'fired';
    timer.firedTime = event.Timestamp;
    return;
  }
  // a TimerFired without its TimerCreated (truncated history): show it where it happened
  current.items.push({ kind: 'timer', createdTime: event.Timestamp, fireAt: fireAt ?? event.Timestamp, firedTime: event.Timestamp, outcome: 'fired', event });
}

function lifecycleItem(event: HistoryRow): LifecycleItem {
  const status = text(event.OrchestrationStatus);
  const failed = event.EventType === 'ExecutionCompleted' ? status === 'Failed' : event.EventType === 'ExecutionFailed';
  let detail: string | undefined;
  switch (event.EventType) {
    case 'ExecutionStarted':
      detail = text(event.FunctionName) ?? text(event.Name);
      break;
    case 'ExecutionCompleted':
      detail = failed ? failureMessage(event) : status;
      break;
    case 'ExecutionTerminated':
    case 'ExecutionSuspended':
    case 'ExecutionResumed':
    case 'ExecutionRewound':
      // DF stores the reason of terminate/suspend/resume in `Input`, and of rewind in `Reason`
      detail = text(event.Reason) ?? text(event.Input);
      break;
    case 'EventSent':
      detail = [text(event.Name), text(event.InstanceId)].filter(Boolean).join(' → ');
      break;
    default:
      detail = failureMessage(event);
  }
  return { kind: 'lifecycle', eventType: event.EventType, time: event.Timestamp, detail: detail || undefined, failed, event };
}

function describeTrigger(event: HistoryRow): string {
  const name = text(event.FunctionName) ?? text(event.Name);
  switch (event.EventType) {
    case 'ExecutionStarted':
      return 'started';
    case 'TaskCompleted':
      return `${name ?? 'activity'} completed`;
    case 'TaskFailed':
      return `${name ?? 'activity'} failed`;
    case 'SubOrchestrationInstanceCompleted':
      return `${name ?? 'sub-orchestration'} completed`;
    case 'SubOrchestrationInstanceFailed':
      return `${name ?? 'sub-orchestration'} failed`;
    case 'TimerFired':
      return 'timer fired';
    case 'EventRaised':
      return `event ${name ?? ''}`.trim();
    case 'ExecutionTerminated':
      return 'terminated';
    case 'ExecutionSuspended':
      return 'suspended';
    case 'ExecutionResumed':
      return 'resumed';
    case 'ExecutionRewound':
      return 'rewound';
    case 'GenericEvent':
      return 'generic event';
    default:
      return event.EventType;
  }
}

function sortByStartTime(items: HistoryItem[]): void {
  const keyed = items.map((item, position) => ({ item, position, time: Date.parse(itemStartTime(item)) }));
  keyed.sort((a, b) => a.time - b.time || a.position - b.position);
  for (const [i, entry] of keyed.entries()) items[i] = entry.item;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
