/**
 * What one instance panel shows, kept as data: the status, the history rows as they arrive page by page, the
 * table's filter and page, and each tab rendered from them. Pure: the panel controller feeds it and posts the
 * parts it renders. Converting rows is linear and done once per page; grouping and the diagrams are computed
 * once the whole history is in (and again only when it changes).
 */
import { groupIntoEpisodes } from '../history.js';
import type { HistoryPage } from '../server-api.js';
import { escapeHtml, renderTimelineSvg, TIMELINE_LEGEND, timelineBars } from '../timeline.js';
import type { HistoryRow, StatusPayload } from '../wire.js';
import { childInstances, renderChildrenHtml } from './children.js';
import {
  DEFAULT_PAGE_SIZE,
  eventTypes,
  filterRows,
  type HistoryFilter,
  type HistoryTableRow,
  renderHistoryPage,
  tableOrigin,
  toTableRows,
} from './history-table.js';
import { mergedRows } from './lossless.js';
import type { PanelParts } from './panel-html.js';
import { pendingWork, renderPendingHtml } from './pending.js';
import { resetOffered } from './reset.js';
import { renderSequenceSvg, sequenceLayout } from './sequence.js';

/** More bars than this make an unreadable chart and a slow page; the History tab has every row. */
export const MAX_TIMELINE_BARS = 1000;

export class InstanceView {
  /** The table's rows, one per row of the history as served (stored events, or a Durable Functions server's merged rows). */
  readonly events: HistoryRow[] = [];
  /** Whether the rows are one per stored event (the paged route, a bundle): positions are reset's event IDs. */
  private losslessRows = false;
  /** What the table's `+` column counts from, set by the first page. */
  private origin: number | undefined;
  /** Scheduling rows' names by event ID, for the completion rows of later pages. */
  private readonly scheduledNames = new Map<number, string>();
  private merged: HistoryRow[] | undefined;
  private rows: HistoryTableRow[] = [];
  private filtered: readonly HistoryTableRow[] = [];
  private filter: HistoryFilter = {};
  private page = 0;
  total = 0;
  /** The instance may be changed from the panel (a live connection with a writable token). */
  writable = false;

  constructor(
    public status: StatusPayload,
    readonly pageSize = DEFAULT_PAGE_SIZE,
  ) {}

  get complete(): boolean {
    return this.events.length >= this.total;
  }

  /** Starts over (a refresh found a changed instance). */
  reset(status: StatusPayload, total: number): void {
    this.status = status;
    this.events.length = 0;
    this.losslessRows = false;
    this.scheduledNames.clear();
    this.origin = undefined;
    this.merged = undefined;
    this.rows = [];
    this.filtered = [];
    this.total = total;
  }

  /** Appends the next page; its `from` must be the count already held. */
  addPage(page: HistoryPage): void {
    const { from, total } = page;
    if (from !== this.events.length) throw new RangeError(`History page from ${from} does not follow the ${this.events.length} rows held.`);
    this.origin ??= tableOrigin(page.events);
    const origin = this.origin;
    const events = page.events;
    if (from === 0) this.losslessRows = page.lossless;
    this.merged = undefined;
    const rows = toTableRows(this.losslessRows ? this.named(events) : events, from, origin);
    for (const event of events) this.events.push(event);
    for (const row of rows) this.rows.push(row);
    this.total = Math.max(total, this.events.length);
    this.filtered = filterRows(this.rows, this.filter);
  }

  /** Lossless completion rows name no activity; the table shows the name of the row they complete. */
  private named(events: readonly HistoryRow[]): readonly HistoryRow[] {
    return events.map((row) => {
      if (typeof row.EventId === 'number' && typeof row.Name === 'string') this.scheduledNames.set(row.EventId, row.Name);
      const name = typeof row.TaskScheduledId === 'number' && row.Name === undefined ? this.scheduledNames.get(row.TaskScheduledId) : undefined;
      return name === undefined ? row : { ...row, FunctionName: name };
    });
  }

  setFilter(filter: HistoryFilter): void {
    this.filter = filter;
    this.page = 0;
    this.filtered = filterRows(this.rows, filter);
  }

  setPage(page: number): void {
    this.page = Math.max(0, page);
  }

  historyTableHtml(): string {
    return renderHistoryPage({
      rows: this.filtered,
      page: this.page,
      pageSize: this.pageSize,
      total: this.total,
      loaded: this.events.length,
      filtered: Boolean(this.filter.types?.length || this.filter.text?.trim()),
      rowActions: this.rowActions,
    });
  }

  /** The filter bar and the table; the bar is rendered once per load so typing in it is never interrupted. */
  historyHtml(): string {
    const options = eventTypes(this.rows)
      .map((type) => `<option value="${escapeHtml(type)}"${this.filter.types?.includes(type) ? ' selected' : ''}>${escapeHtml(type)}</option>`)
      .join('');
    return `<div class="filters"><select id="history-type" aria-label="Event type"><option value="">All event types</option>${options}</select><input id="history-text" type="search" placeholder="Filter rows by text" aria-label="Filter text" value="${escapeHtml(this.filter.text ?? '')}"></div><div data-part="historyTable">${this.historyTableHtml()}</div>`;
  }

  /** Whether each row offers reset and fork from it: a writable instance whose status allows reset and whose rows are its stored events. */
  get rowActions(): boolean {
    return this.writable && this.losslessRows && resetOffered(this.status.runtimeStatus);
  }

  /** How the row at a 1-based position reads in the table ("TaskCompleted Work"), for the confirmation. */
  rowLabel(position: number): string | undefined {
    const row = this.rows[position - 1];
    return row ? [row.eventType, row.name].filter(Boolean).join(' ') : undefined;
  }

  /** Whether the rows are one per stored event, so that a row's position is reset's `eventId`. */
  get lossless(): boolean {
    return this.losslessRows;
  }

  /** Durable Functions' merged rows of the whole history: what the episode, diagram and pending views read. */
  mergedRows(): readonly HistoryRow[] {
    if (!this.losslessRows) return this.events;
    this.merged ??= mergedRows(this.events);
    return this.merged;
  }

  /** The parent instance named by the history itself, if any. */
  parentFromHistory(): string | undefined {
    return parentInstanceId(this.events, this.status.instanceId);
  }

  timelineHtml(now: number): string {
    const bars = timelineBars(groupIntoEpisodes(this.mergedRows()), now);
    const shown = bars.slice(0, MAX_TIMELINE_BARS);
    const { svg } = renderTimelineSvg(this.status, shown);
    const note =
      bars.length > shown.length ? `<p class="note">The first ${shown.length.toLocaleString('en-US')} of ${bars.length.toLocaleString('en-US')} bars.</p>` : '';
    return `<div class="zoom"><button data-action="zoomOut">−</button> <span id="zoom-level">100%</span> <button data-action="zoomIn">+</button> <button data-action="zoomReset">Reset zoom</button> <span class="note">Time axis relative to creation; hover a bar for details.</span></div>${note}${svg}${TIMELINE_LEGEND}`;
  }

  sequenceHtml(): string {
    return renderSequenceSvg(sequenceLayout(this.mergedRows(), { orchestrator: this.status.name }));
  }

  childrenHtml(): string {
    return renderChildrenHtml(childInstances(this.mergedRows()));
  }

  pendingHtml(now: number): string {
    return renderPendingHtml(pendingWork(this.mergedRows(), this.status.runtimeStatus, now));
  }

  /** Every tab; the diagrams only once the history is complete (a partial history would draw a wrong picture). */
  tabs(now: number): PanelParts {
    if (!this.complete) return { history: this.historyHtml() };
    return {
      history: this.historyHtml(),
      timeline: this.timelineHtml(now),
      sequence: this.sequenceHtml(),
      children: this.childrenHtml(),
      pending: this.pendingHtml(now),
    };
  }
}

/** The parent of a sub-orchestration from Durable Functions rows: named by the ExecutionStarted row when the server sends it, else by the engine's default child ID (`{parent}:{4 hex digits}`). */
export function parentInstanceId(events: readonly HistoryRow[], instanceId: string): string | undefined {
  const started = events.find((event) => event.EventType === 'ExecutionStarted');
  const parent = started?.ParentInstance as { OrchestrationInstance?: { InstanceId?: unknown }; instanceId?: unknown } | undefined;
  const named = parent?.OrchestrationInstance?.InstanceId ?? parent?.instanceId ?? started?.ParentInstanceId;
  if (typeof named === 'string' && named) return named;
  const match = /^(.+):[0-9a-f]{4}$/.exec(instanceId);
  return match?.[1];
}
