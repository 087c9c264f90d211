/**
 * The History tab: wire history rows → table rows (one per row, its 1-based position as the ID the API's reset
 * takes), filters by event type and text, and one page of the table as HTML. Pure and linear in the rows: a
 * 10,000-row history is converted once and only the page on screen becomes HTML.
 */
import { formatClock, formatDuration, previewJson } from '../format.js';
import { failureMessage } from '../history.js';
import { escapeHtml } from '../timeline.js';
import type { HistoryRow } from '../wire.js';

export interface HistoryTableRow {
  /** 1-based position in the instance's history as the API returns it. */
  position: number;
  eventType: string;
  time: string;
  /** Milliseconds since the earliest row of the first page (a stored event may carry a time a little before the one above it). */
  offsetMs: number;
  name?: string;
  /** One line: target instance, timer due time, input or result preview. */
  summary: string;
  failure?: { message: string; stack?: string };
  /** Lower-case text the text filter searches. */
  haystack: string;
}

export interface HistoryFilter {
  /** Event types to keep; empty or absent keeps all. */
  types?: readonly string[];
  /** Case-insensitive substring of type, name, summary or failure. */
  text?: string;
}

export const DEFAULT_PAGE_SIZE = 200;

/** `offset`: the 0-based position of `events[0]` in the whole history (pages arrive one at a time); `origin`: the first page's (see `tableOrigin`). */
export function toTableRows(events: readonly HistoryRow[], offset = 0, origin?: number): HistoryTableRow[] {
  const start = origin ?? tableOrigin(events);
  const rows = new Array<HistoryTableRow>(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const name = text(event.FunctionName) ?? text(event.Name);
    const summary = summarize(event);
    const failure = failureOf(event);
    rows[i] = {
      position: offset + i + 1,
      eventType: event.EventType,
      time: event.Timestamp,
      offsetMs: Date.parse(event.Timestamp) - start,
      name,
      summary,
      failure,
      haystack: [event.EventType, name ?? '', summary, failure?.message ?? ''].join('\n').toLowerCase(),
    };
  }
  return rows;
}

/** The time the `+` column counts from: the earliest timestamp of the rows (NaN without rows). */
export function tableOrigin(events: readonly HistoryRow[]): number {
  let origin = Number.NaN;
  for (const event of events) {
    const at = Date.parse(event.Timestamp);
    if (Number.isFinite(at) && !(at >= origin)) origin = at;
  }
  return origin;
}

export function filterRows(rows: readonly HistoryTableRow[], filter: HistoryFilter): readonly HistoryTableRow[] {
  const types = filter.types?.length ? new Set(filter.types) : undefined;
  const needle = filter.text?.trim().toLowerCase();
  if (!types && !needle) return rows;
  return rows.filter((row) => (!types || types.has(row.eventType)) && (!needle || row.haystack.includes(needle)));
}

/** The distinct event types, in order of first appearance, for the type filter. */
export function eventTypes(rows: readonly HistoryTableRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) seen.add(row.eventType);
  return [...seen];
}

export interface HistoryPageView {
  rows: readonly HistoryTableRow[];
  /** 0-based page. */
  page: number;
  pageSize: number;
  /** Rows in the whole history (before filtering), as the server counts them. */
  total: number;
  /** Rows fetched so far; fewer than `total` while pages are still arriving. */
  loaded: number;
  filtered: boolean;
  /** Each row gets "Reset to here…" and "Fork from here…" (a live, writable instance with a lossless history). */
  rowActions?: boolean;
}

/** One page of the table, with its pager. Only this page's rows become HTML. */
export function renderHistoryPage(view: HistoryPageView): string {
  const pages = Math.max(1, Math.ceil(view.rows.length / view.pageSize));
  const page = Math.min(Math.max(view.page, 0), pages - 1);
  const first = page * view.pageSize;
  const slice = view.rows.slice(first, first + view.pageSize);
  const body = slice.map((row) => renderRow(row, view.rowActions === true)).join('');
  const loading = view.loaded < view.total ? ` · loading ${view.loaded.toLocaleString('en-US')} of ${view.total.toLocaleString('en-US')}…` : '';
  const of = view.filtered
    ? `${view.rows.length.toLocaleString('en-US')} matching of ${view.total.toLocaleString('en-US')}`
    : view.total.toLocaleString('en-US');
  const range = slice.length ? `Rows ${(first + 1).toLocaleString('en-US')}–${(first + slice.length).toLocaleString('en-US')} of ${of}` : `No rows of ${of}`;
  const pager = [
    `<div class="pager" data-page="${page}" data-pages="${pages}">`,
    `<button data-action="historyPage" data-page="0"${page === 0 ? ' disabled' : ''}>« First</button>`,
    `<button data-action="historyPage" data-page="${page - 1}"${page === 0 ? ' disabled' : ''}>‹ Previous</button>`,
    `<span class="range">${range}${loading}</span>`,
    `<button data-action="historyPage" data-page="${page + 1}"${page >= pages - 1 ? ' disabled' : ''}>Next ›</button>`,
    `<button data-action="historyPage" data-page="${pages - 1}"${page >= pages - 1 ? ' disabled' : ''}>Last »</button>`,
    `</div>`,
  ].join('');
  return `${pager}<table class="history"><thead><tr><th>#</th><th>Time (UTC)</th><th>+</th><th>Event</th><th>Name</th><th>Details</th>${view.rowActions ? '<th></th>' : ''}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderRow(row: HistoryTableRow, actions: boolean): string {
  const failure = row.failure
    ? `<details class="failure"><summary>${escapeHtml(row.failure.message)}</summary>${row.failure.stack ? `<pre>${escapeHtml(row.failure.stack)}</pre>` : ''}</details>`
    : '';
  return [
    `<tr class="${row.failure ? 'failed' : ''}" data-position="${row.position}">`,
    `<td class="num">${row.position}</td>`,
    `<td title="${escapeHtml(row.time)}">${escapeHtml(formatClock(row.time))}</td>`,
    `<td class="num">${Number.isFinite(row.offsetMs) ? escapeHtml(formatDuration(row.offsetMs)) : ''}</td>`,
    `<td>${escapeHtml(row.eventType)}</td>`,
    `<td>${escapeHtml(row.name ?? '')}</td>`,
    `<td>${escapeHtml(row.summary)}${failure}</td>`,
    actions
      ? `<td class="row-actions"><button data-action="resetHere" data-id="${row.position}" title="Reset the instance to this row">Reset to here…</button> <button data-action="forkHere" data-id="${row.position}" title="Fork a new instance from this row">Fork from here…</button></td>`
      : '',
    `</tr>`,
  ].join('');
}

function summarize(event: HistoryRow): string {
  const parts: string[] = [];
  const instanceId = text(event.InstanceId);
  if (instanceId) parts.push(`instance ${instanceId}`);
  const fireAt = text(event.FireAt);
  if (fireAt) parts.push(`fire at ${fireAt}`);
  const status = text(event.OrchestrationStatus);
  if (status) parts.push(status);
  const scheduled = text(event.ScheduledTime);
  if (scheduled) {
    const took = Date.parse(event.Timestamp) - Date.parse(scheduled);
    if (Number.isFinite(took)) parts.push(`took ${formatDuration(took)}`);
  }
  if (event.Input !== undefined && event.Input !== null) parts.push(`input ${previewJson(event.Input, 80)}`);
  if (event.Result !== undefined && event.Result !== null) parts.push(`result ${previewJson(event.Result, 80)}`);
  return parts.join(' · ');
}

function failureOf(event: HistoryRow): HistoryTableRow['failure'] {
  const failed =
    event.EventType === 'TaskFailed' ||
    event.EventType === 'SubOrchestrationInstanceFailed' ||
    event.EventType === 'ExecutionFailed' ||
    (event.EventType === 'ExecutionCompleted' && event.OrchestrationStatus === 'Failed');
  if (!failed) return undefined;
  const details = (event.FailureDetails ?? {}) as { stackTrace?: unknown; StackTrace?: unknown };
  const stack = text(details.stackTrace) ?? text(details.StackTrace) ?? text(event.Details);
  return { message: failureMessage(event) ?? 'failed', stack };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
