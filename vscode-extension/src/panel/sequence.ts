/**
 * The Sequence tab: the orchestrator's exchanges with activities, sub-orchestrations, timers and the outside
 * world (start, raised and sent events, terminate/suspend/resume) as a UML-style sequence diagram in SVG.
 * Pure: rows → layout (participants and messages with coordinates) → SVG markup; nothing is fetched.
 */
import { formatClock } from '../format.js';
import { failureMessage } from '../history.js';
import { escapeHtml } from '../timeline.js';
import type { HistoryRow } from '../wire.js';

export type ParticipantKind = 'client' | 'orchestrator' | 'activity' | 'subOrchestration' | 'timer';

export interface Participant {
  id: string;
  label: string;
  kind: ParticipantKind;
  /** Centre of the lifeline. */
  x: number;
}

export type MessageStyle = 'call' | 'reply' | 'failed' | 'pending' | 'signal' | 'self';

export interface SequenceMessage {
  from: string;
  to: string;
  label: string;
  style: MessageStyle;
  /** ISO time the message happened. */
  time: string;
  y: number;
  /** 1-based history row it came from. */
  position: number;
}

export interface SequenceLayout {
  participants: Participant[];
  messages: SequenceMessage[];
  width: number;
  height: number;
  /** Messages left out past `maxMessages`. */
  omitted: number;
}

const CLIENT = 'client';
const ORCHESTRATOR = 'orchestrator';
const TIMERS = 'timers';
const COLUMN = 170;
const HEAD = 44;
const ROW = 26;
const MARGIN = 90;

interface Draft {
  from: string;
  to: string;
  label: string;
  style: MessageStyle;
  time: string;
  at: number;
  position: number;
  order: number;
}

/** Messages in time order; a completion row contributes its call (at ScheduledTime) and its reply. */
export function sequenceLayout(events: readonly HistoryRow[], options: { orchestrator?: string; maxMessages?: number } = {}): SequenceLayout {
  const participants = new Map<string, Omit<Participant, 'x'>>();
  const touch = (id: string, label: string, kind: ParticipantKind) => {
    if (!participants.has(id)) participants.set(id, { id, label, kind });
    return id;
  };
  touch(CLIENT, 'client', 'client');
  touch(ORCHESTRATOR, options.orchestrator ?? 'orchestrator', 'orchestrator');

  const drafts: Draft[] = [];
  const add = (from: string, to: string, label: string, style: MessageStyle, time: string, position: number) =>
    drafts.push({ from, to, label, style, time, at: Date.parse(time), position, order: drafts.length });

  events.forEach((event, index) => {
    const position = index + 1;
    const time = event.Timestamp;
    const name = text(event.FunctionName) ?? text(event.Name) ?? '?';
    switch (event.EventType) {
      case 'ExecutionStarted':
        add(CLIENT, ORCHESTRATOR, `start ${name}`, 'call', time, position);
        break;
      case 'ExecutionCompleted': {
        const status = text(event.OrchestrationStatus) ?? 'completed';
        add(
          ORCHESTRATOR,
          CLIENT,
          status === 'Failed' ? `failed: ${failureMessage(event) ?? ''}` : status,
          status === 'Failed' ? 'failed' : 'reply',
          time,
          position,
        );
        break;
      }
      case 'ExecutionTerminated':
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
      case 'ExecutionRewound':
        add(CLIENT, ORCHESTRATOR, event.EventType.replace('Execution', '').toLowerCase(), 'signal', time, position);
        break;
      case 'TaskScheduled':
        add(ORCHESTRATOR, touch(`activity:${name}`, name, 'activity'), `call ${name}`, 'pending', time, position);
        break;
      case 'TaskCompleted':
      case 'TaskFailed': {
        const target = touch(`activity:${name}`, name, 'activity');
        add(ORCHESTRATOR, target, `call ${name}`, 'call', text(event.ScheduledTime) ?? time, position);
        const failed = event.EventType === 'TaskFailed';
        add(target, ORCHESTRATOR, failed ? `failed: ${failureMessage(event) ?? ''}` : 'result', failed ? 'failed' : 'reply', time, position);
        break;
      }
      case 'SubOrchestrationInstanceCreated': {
        const target = touch(`sub:${name}`, name, 'subOrchestration');
        add(ORCHESTRATOR, target, `start ${text(event.InstanceId) ?? name}`, 'pending', time, position);
        break;
      }
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed': {
        const target = touch(`sub:${name}`, name, 'subOrchestration');
        add(ORCHESTRATOR, target, `start ${text(event.InstanceId) ?? name}`, 'call', text(event.ScheduledTime) ?? time, position);
        const failed = event.EventType === 'SubOrchestrationInstanceFailed';
        add(target, ORCHESTRATOR, failed ? `failed: ${failureMessage(event) ?? ''}` : 'result', failed ? 'failed' : 'reply', time, position);
        break;
      }
      case 'TimerCreated':
        add(ORCHESTRATOR, touch(TIMERS, 'timers', 'timer'), `timer until ${formatClock(text(event.FireAt) ?? time)}`, 'call', time, position);
        break;
      case 'TimerFired':
        add(touch(TIMERS, 'timers', 'timer'), ORCHESTRATOR, 'fired', 'reply', time, position);
        break;
      case 'EventRaised':
        add(CLIENT, ORCHESTRATOR, `event ${name}`, 'signal', time, position);
        break;
      case 'EventSent':
        add(ORCHESTRATOR, CLIENT, `send ${name} → ${text(event.InstanceId) ?? '?'}`, 'signal', time, position);
        break;
      case 'ContinueAsNew':
        add(ORCHESTRATOR, ORCHESTRATOR, 'continue as new', 'self', time, position);
        break;
      default:
        break;
    }
  });

  drafts.sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? 0 : a.at - b.at) || a.order - b.order);
  const max = options.maxMessages ?? 500;
  const kept = drafts.slice(0, max);
  const laidOut: Participant[] = [...participants.values()].map((p, i) => ({ ...p, x: MARGIN + i * COLUMN }));
  const messages = kept.map((draft, i) => ({
    from: draft.from,
    to: draft.to,
    label: draft.label,
    style: draft.style,
    time: draft.time,
    position: draft.position,
    y: HEAD + 20 + i * ROW,
  }));
  return {
    participants: laidOut,
    messages,
    width: MARGIN * 2 + Math.max(laidOut.length - 1, 0) * COLUMN,
    height: HEAD + 40 + messages.length * ROW,
    omitted: drafts.length - kept.length,
  };
}

export function renderSequenceSvg(layout: SequenceLayout): string {
  const x = new Map(layout.participants.map((p) => [p.id, p.x]));
  const heads = layout.participants.map(
    (p) =>
      `<g class="participant ${p.kind}"><rect x="${p.x - 75}" y="6" width="150" height="26" rx="4"/><text x="${p.x}" y="24" text-anchor="middle">${escapeHtml(truncate(p.label, 22))}</text><title>${escapeHtml(p.label)}</title><line class="lifeline" x1="${p.x}" y1="32" x2="${p.x}" y2="${layout.height - 4}"/></g>`,
  );
  const arrows = layout.messages.map((m) => {
    const x1 = x.get(m.from) ?? 0;
    const x2 = x.get(m.to) ?? 0;
    const title = `<title>#${m.position} ${escapeHtml(m.time)}: ${escapeHtml(m.label)}</title>`;
    if (m.style === 'self') {
      return `<g class="msg self" data-position="${m.position}">${title}<path d="M${x1} ${m.y - 8} h30 v12 h-30" marker-end="url(#arrow)"/><text x="${x1 + 36}" y="${m.y}">${escapeHtml(truncate(m.label, 40))}</text></g>`;
    }
    const mid = (x1 + x2) / 2;
    return `<g class="msg ${m.style}" data-position="${m.position}">${title}<line x1="${x1}" y1="${m.y}" x2="${x2}" y2="${m.y}" marker-end="url(#arrow)"/><text x="${mid}" y="${m.y - 5}" text-anchor="middle">${escapeHtml(truncate(m.label, 40))}</text></g>`;
  });
  const omitted = layout.omitted
    ? `<p class="note">${layout.omitted.toLocaleString('en-US')} later messages are not drawn; the History tab lists every row.</p>`
    : '';
  return `<svg class="sequence" xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="Sequence diagram">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>
${heads.join('\n')}
${arrows.join('\n')}
</svg>${omitted}`;
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
