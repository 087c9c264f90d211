/**
 * The Pending tab: what an instance waits on now, computed from its history rows alone. In the merged view a
 * scheduling row stays unmerged exactly while its result has not arrived, so the in-flight activities and
 * sub-orchestrations are the TaskScheduled and SubOrchestrationInstanceCreated rows; a timer is pending while no
 * TimerFired row carries its FireAt. A wait for an external event leaves no row, so its name cannot be known:
 * a running instance with nothing else in flight is waiting for one (or for a timer it did not create yet). Pure.
 */

import { formatDuration } from '../format.js';
import { escapeHtml } from '../timeline.js';
import type { HistoryRow } from '../wire.js';

export interface PendingWork {
  activities: { name: string; since: string; position: number }[];
  subOrchestrations: { name: string; instanceId?: string; since: string; position: number }[];
  timers: { fireAt: string; createdTime: string; dueInMs: number; position: number }[];
  /** True when the instance is running but nothing above is in flight: only an external event can wake it. */
  awaitingExternalEvent: boolean;
  /** Names of the events received so far (the orchestrator may wait for one of them again). */
  receivedEvents: string[];
  /** The instance has finished: nothing can be pending. */
  finished: boolean;
}

const FINISHED = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

export function pendingWork(events: readonly HistoryRow[], runtimeStatus: string, now: number): PendingWork {
  const activities: PendingWork['activities'] = [];
  const subOrchestrations: PendingWork['subOrchestrations'] = [];
  const timers = new Map<number, { fireAt: string; createdTime: string; position: number }[]>();
  const received = new Set<string>();
  events.forEach((event, index) => {
    const position = index + 1;
    switch (event.EventType) {
      case 'TaskScheduled':
        activities.push({ name: text(event.Name) ?? '?', since: event.Timestamp, position });
        break;
      case 'SubOrchestrationInstanceCreated':
        subOrchestrations.push({ name: text(event.Name) ?? '?', instanceId: text(event.InstanceId), since: event.Timestamp, position });
        break;
      case 'TimerCreated': {
        const fireAt = text(event.FireAt) ?? event.Timestamp;
        const key = Date.parse(fireAt);
        const queue = timers.get(key) ?? [];
        queue.push({ fireAt, createdTime: event.Timestamp, position });
        timers.set(key, queue);
        break;
      }
      case 'TimerFired':
        timers.get(Date.parse(text(event.FireAt) ?? ''))?.shift();
        break;
      case 'EventRaised':
        received.add(text(event.Name) ?? '(unnamed)');
        break;
      default:
        break;
    }
  });
  const finished = FINISHED.has(runtimeStatus);
  const pendingTimers = [...timers.values()].flat().map((timer) => ({ ...timer, dueInMs: Date.parse(timer.fireAt) - now }));
  pendingTimers.sort((a, b) => a.dueInMs - b.dueInMs);
  if (finished) return { activities: [], subOrchestrations: [], timers: [], awaitingExternalEvent: false, receivedEvents: [...received], finished };
  const idle = activities.length === 0 && subOrchestrations.length === 0 && pendingTimers.length === 0;
  return {
    activities,
    subOrchestrations,
    timers: pendingTimers,
    awaitingExternalEvent: idle && (runtimeStatus === 'Running' || runtimeStatus === 'Suspended') && events.length > 0,
    receivedEvents: [...received],
    finished,
  };
}

export function renderPendingHtml(work: PendingWork): string {
  if (work.finished) return '<p class="empty">The instance has finished; nothing is pending.</p>';
  const sections: string[] = [];
  if (work.activities.length) {
    sections.push(
      `<h3>Activities in flight (${work.activities.length})</h3><ul>${work.activities
        .map((a) => `<li data-position="${a.position}"><b>${escapeHtml(a.name)}</b> since ${escapeHtml(a.since)}</li>`)
        .join('')}</ul>`,
    );
  }
  if (work.subOrchestrations.length) {
    sections.push(
      `<h3>Sub-orchestrations running (${work.subOrchestrations.length})</h3><ul>${work.subOrchestrations
        .map(
          (s) =>
            `<li data-position="${s.position}"><b>${escapeHtml(s.name)}</b> ${s.instanceId ? `<a href="#" data-action="openInstance" data-id="${escapeHtml(s.instanceId)}">${escapeHtml(s.instanceId)}</a>` : ''} since ${escapeHtml(s.since)}</li>`,
        )
        .join('')}</ul>`,
    );
  }
  if (work.timers.length) {
    sections.push(
      `<h3>Timers (${work.timers.length})</h3><ul>${work.timers
        .map(
          (t) =>
            `<li data-position="${t.position}">due ${escapeHtml(t.fireAt)} (${t.dueInMs >= 0 ? `in ${escapeHtml(formatDuration(t.dueInMs))}` : `${escapeHtml(formatDuration(-t.dueInMs))} overdue`})</li>`,
        )
        .join('')}</ul>`,
    );
  }
  if (work.awaitingExternalEvent) {
    const seen = work.receivedEvents.length ? ` Events received so far: ${work.receivedEvents.map((n) => `<code>${escapeHtml(n)}</code>`).join(', ')}.` : '';
    sections.push(
      `<h3>External event</h3><p class="awaiting">Nothing else is in flight, so the instance waits for an external event. History does not record which name it waits for.${seen}</p>`,
    );
  }
  return sections.length ? sections.join('') : '<p class="empty">Nothing is pending.</p>';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
