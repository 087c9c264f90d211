/**
 * The instance timeline: a Gantt chart of activities, sub-orchestrations, timers and external-event waits, as
 * plain HTML + SVG. No script and no external resource, so the webview runs with a strict CSP; the only
 * stylesheet carries the nonce. Pure: the caller supplies the nonce, the CSP source and "now".
 */

import { formatDuration } from './format.js';
import { type Episode, itemStartTime } from './history.js';
import type { StatusPayload } from './wire.js';

export type BarKind = 'activity' | 'subOrchestration' | 'timer' | 'externalEvent';
export type BarOutcome = 'completed' | 'failed' | 'pending';

export interface TimelineBar {
  label: string;
  kind: BarKind;
  /** Epoch milliseconds. A pending bar ends at "now". */
  start: number;
  end: number;
  outcome: BarOutcome;
  /** Shown as the bar's tooltip. */
  detail: string;
  episode: number;
}

export function timelineBars(episodes: readonly Episode[], now: number): TimelineBar[] {
  const bars: TimelineBar[] = [];
  for (const episode of episodes) {
    for (const item of episode.items) {
      const start = Date.parse(itemStartTime(item));
      if (Number.isNaN(start)) continue;
      switch (item.kind) {
        case 'activity':
        case 'subOrchestration': {
          const end = item.completedTime ? Date.parse(item.completedTime) : now;
          const what = item.kind === 'activity' ? 'activity' : `sub-orchestration${item.instanceId ? ` ${item.instanceId}` : ''}`;
          const took = item.outcome === 'pending' ? 'running' : formatDuration(end - start);
          bars.push({
            label: item.name,
            kind: item.kind,
            start,
            end,
            outcome: item.outcome,
            detail: `${item.name} (${what}): ${item.outcome}, ${took}${item.failure ? ` — ${item.failure}` : ''}`,
            episode: episode.index,
          });
          break;
        }
        case 'timer': {
          const end = item.firedTime ? Date.parse(item.firedTime) : Math.max(now, start);
          bars.push({
            label: 'timer',
            kind: 'timer',
            start,
            end,
            outcome: item.outcome === 'fired' ? 'completed' : 'pending',
            detail: `timer until ${item.fireAt}: ${item.outcome}`,
            episode: episode.index,
          });
          break;
        }
        case 'externalEvent': {
          const end = Date.parse(item.receivedTime);
          bars.push({
            label: `event ${item.name}`,
            kind: 'externalEvent',
            start,
            end,
            outcome: 'completed',
            detail: `waited ${formatDuration(end - start)} for event ${item.name}`,
            episode: episode.index,
          });
          break;
        }
        case 'lifecycle':
          break;
      }
    }
  }
  return bars;
}

export interface TimelineDocument {
  instance: Pick<StatusPayload, 'instanceId' | 'name' | 'runtimeStatus' | 'createdTime' | 'lastUpdatedTime'>;
  bars: readonly TimelineBar[];
  nonce: string;
  /** `webview.cspSource`. */
  cspSource: string;
  now: number;
}

const LABEL_WIDTH = 240;
const CHART_WIDTH = 720;
const ROW_HEIGHT = 24;
const AXIS_HEIGHT = 28;
const TICKS = 5;

/** The chart alone: an SVG with a relative time axis (0 = creation), one row per bar, each with its hover details. */
export function renderTimelineSvg(instance: TimelineDocument['instance'], bars: readonly TimelineBar[]): { svg: string; span: number } {
  const origin = Math.min(Date.parse(instance.createdTime) || Infinity, ...bars.map((bar) => bar.start));
  const finish = Math.max(Date.parse(instance.lastUpdatedTime) || -Infinity, ...bars.map((bar) => bar.end), Number.isFinite(origin) ? origin + 1 : 1);
  const span = Math.max(finish - origin, 1);
  const x = (time: number) => LABEL_WIDTH + ((time - origin) / span) * CHART_WIDTH;
  const height = AXIS_HEIGHT + Math.max(bars.length, 1) * ROW_HEIGHT + 8;

  const step = niceStep(span / TICKS);
  const ticks = Array.from({ length: Math.floor(span / step) + 1 }, (_, i) => {
    const at = (LABEL_WIDTH + ((i * step) / span) * CHART_WIDTH).toFixed(1);
    return `<line class="tick" x1="${at}" y1="${AXIS_HEIGHT - 6}" x2="${at}" y2="${height}"/><text class="axis" x="${at}" y="${AXIS_HEIGHT - 10}" text-anchor="middle">${escapeHtml(formatDuration(i * step))}</text>`;
  });
  const rows = bars.map((bar, i) => {
    const y = AXIS_HEIGHT + i * ROW_HEIGHT;
    const left = x(bar.start);
    const width = Math.max(x(bar.end) - left, 2);
    return [
      `<g class="row" data-kind="${bar.kind}" data-outcome="${bar.outcome}">`,
      `<title>${escapeHtml(bar.detail)}</title>`,
      `<text class="label" x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(truncate(bar.label, 32))}</text>`,
      `<rect class="bar ${bar.kind} ${bar.outcome}" x="${left.toFixed(1)}" y="${y + 4}" width="${width.toFixed(1)}" height="${ROW_HEIGHT - 8}" rx="3"/>`,
      `<text class="duration" x="${(left + width + 4).toFixed(1)}" y="${y + 16}">${escapeHtml(bar.outcome === 'pending' ? 'pending' : formatDuration(bar.end - bar.start))}</text>`,
      `</g>`,
    ].join('');
  });
  const empty = bars.length ? '' : `<text class="label" x="${LABEL_WIDTH}" y="${AXIS_HEIGHT + 16}">No activities, timers or sub-orchestrations yet.</text>`;
  const svg = `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${LABEL_WIDTH + CHART_WIDTH + 80} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="Timeline of ${escapeHtml(instance.instanceId)}">
${ticks.join('\n')}
${rows.join('\n')}
${empty}
</svg>`;
  return { svg, span };
}

/** The bar colours, shared by the standalone timeline and the instance panel. */
export const TIMELINE_CSS = `
  svg.timeline text { fill: var(--vscode-foreground); font-size: 12px; }
  .axis { opacity: 0.7; font-size: 11px; }
  .tick { stroke: var(--vscode-editorWidget-border, #8884); stroke-width: 1; }
  .bar.activity { fill: var(--vscode-charts-blue, #3794ff); }
  .bar.subOrchestration { fill: var(--vscode-charts-purple, #b180d7); }
  .bar.timer { fill: var(--vscode-charts-yellow, #cca700); }
  .bar.externalEvent { fill: var(--vscode-charts-green, #89d185); }
  .bar.failed { fill: var(--vscode-charts-red, #f14c4c); }
  .bar.pending { fill-opacity: 0.45; stroke: var(--vscode-foreground); stroke-dasharray: 3 2; }
  .duration { opacity: 0.8; font-size: 11px; }
  .legend span { margin-right: 12px; }`;

export const TIMELINE_LEGEND =
  '<div class="legend">Legend: <span>blue = activity</span><span>purple = sub-orchestration</span><span>yellow = timer</span><span>green = external event wait</span><span>red = failed</span><span>dashed = pending</span></div>';

export function renderTimelineHtml(doc: TimelineDocument): string {
  const { instance, bars, nonce, cspSource } = doc;
  const { svg, span } = renderTimelineSvg(instance, bars);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; img-src ${cspSource} data:;">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Timeline ${escapeHtml(instance.instanceId)}</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 8px 16px; }
  h1 { font-size: 1.2em; margin: 0 0 4px; }
  .meta { opacity: 0.8; margin-bottom: 12px; }
  svg { max-width: ${LABEL_WIDTH + CHART_WIDTH + 80}px; }${TIMELINE_CSS}
</style>
</head>
<body>
<h1>${escapeHtml(instance.instanceId)}</h1>
<div class="meta">${escapeHtml(instance.name)} · ${escapeHtml(instance.runtimeStatus)} · created ${escapeHtml(instance.createdTime)} · ${bars.length} bar${bars.length === 1 ? '' : 's'} over ${escapeHtml(formatDuration(span))}</div>
${svg}
${TIMELINE_LEGEND}
</body>
</html>`;
}

/** A round axis step (1, 2 or 5 times a power of ten milliseconds) close to `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const scaled = rough / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
