/**
 * The hub overview: per-status counts ("3 running · 1 failed") and a histogram of instance creation over time,
 * stacked and coloured by runtime status, as static SVG (no script). Pure.
 */
import { formatDuration } from '../format.js';
import { cssColor, STATUS_STYLE } from '../status-style.js';
import { escapeHtml, niceStep } from '../timeline.js';
import { RUNTIME_STATUSES, type RuntimeStatus, STATUSES_IN_LIFECYCLE_ORDER, type StatusPayload } from '../wire.js';

export type StatusCounts = Record<RuntimeStatus, number>;

/** "3 running · 1 failed": the non-zero statuses in lifecycle order; "empty" when there are none. */
export function describeCounts(counts: Partial<StatusCounts>): string {
  const parts = STATUSES_IN_LIFECYCLE_ORDER.filter((status) => (counts[status] ?? 0) > 0).map((status) => `${counts[status]} ${label(status)}`);
  return parts.length ? parts.join(' · ') : 'no instances';
}

function label(status: RuntimeStatus): string {
  return status === 'ContinuedAsNew' ? 'continued as new' : status.toLowerCase();
}

export interface Histogram {
  /** Epoch ms of the first bucket's start. */
  start: number;
  bucketMs: number;
  buckets: StatusCounts[];
}

/** Buckets of a round width (1, 2 or 5 × a power of ten ms) so that about `target` of them span the creation times. Linear in the instances. */
export function creationHistogram(instances: readonly Pick<StatusPayload, 'createdTime' | 'runtimeStatus'>[], target = 40): Histogram {
  const times = instances.map((i) => Date.parse(i.createdTime)).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return { start: 0, bucketMs: 1, buckets: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const t of times) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const bucketMs = Math.max(niceStep((max - min + 1) / target), 1000);
  const start = Math.floor(min / bucketMs) * bucketMs;
  const count = Math.floor((max - start) / bucketMs) + 1;
  const buckets = Array.from({ length: count }, () => Object.fromEntries(RUNTIME_STATUSES.map((s) => [s, 0])) as StatusCounts);
  for (const instance of instances) {
    const t = Date.parse(instance.createdTime);
    if (Number.isNaN(t)) continue;
    const bucket = buckets[Math.floor((t - start) / bucketMs)];
    if (bucket && instance.runtimeStatus in bucket) bucket[instance.runtimeStatus]++;
  }
  return { start, bucketMs, buckets };
}

export interface HubOverviewDocument {
  taskHub: string;
  where: string;
  filter: string;
  counts: StatusCounts;
  histogram: Histogram;
  /** Instances in the histogram, and whether the list was cut short. */
  sampled: number;
  truncated: boolean;
  nonce: string;
  cspSource: string;
}

const WIDTH = 900;
const HEIGHT = 260;
const LEFT = 40;
const BOTTOM = 40;

export function renderHistogramSvg(histogram: Histogram): string {
  const { buckets } = histogram;
  if (buckets.length === 0) return '<p class="empty">No instances match.</p>';
  const totals = buckets.map((b) => RUNTIME_STATUSES.reduce((sum, s) => sum + b[s], 0));
  const peak = Math.max(...totals, 1);
  const barWidth = (WIDTH - LEFT) / buckets.length;
  const scale = (HEIGHT - BOTTOM - 10) / peak;
  const bars = buckets.map((bucket, i) => {
    let y = HEIGHT - BOTTOM;
    const from = new Date(histogram.start + i * histogram.bucketMs).toISOString();
    const segments = STATUSES_IN_LIFECYCLE_ORDER.filter((s) => bucket[s] > 0).map((status) => {
      const h = bucket[status] * scale;
      y -= h;
      return `<rect class="seg" data-status="${status}" x="${(LEFT + i * barWidth + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(barWidth - 2, 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${cssColor(STATUS_STYLE[status].color)}"><title>${escapeHtml(`${from}: ${bucket[status]} ${label(status)}`)}</title></rect>`;
    });
    return `<g class="bucket" data-total="${totals[i]}">${segments.join('')}</g>`;
  });
  const axis = [0, Math.floor(buckets.length / 2), buckets.length - 1].map((i) => {
    const at = LEFT + i * barWidth;
    return `<text x="${at.toFixed(1)}" y="${HEIGHT - BOTTOM + 16}">${escapeHtml(new Date(histogram.start + i * histogram.bucketMs).toISOString().slice(0, 19).replace('T', ' '))}</text>`;
  });
  return `<svg class="histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="Instances created over time by status">
<line class="base" x1="${LEFT}" y1="${HEIGHT - BOTTOM}" x2="${WIDTH}" y2="${HEIGHT - BOTTOM}"/>
<text x="0" y="16">${peak}</text>
${bars.join('\n')}
${axis.join('\n')}
<text x="${LEFT}" y="${HEIGHT - 6}">one bar = ${escapeHtml(formatDuration(histogram.bucketMs))}</text>
</svg>`;
}

export function renderHubOverviewHtml(doc: HubOverviewDocument): string {
  const { nonce, cspSource } = doc;
  const legend = STATUSES_IN_LIFECYCLE_ORDER.map(
    (status) =>
      `<li data-status="${status}"><svg width="10" height="10"><rect width="10" height="10" fill="${cssColor(STATUS_STYLE[status].color)}"/></svg> ${status}: <b>${doc.counts[status] ?? 0}</b></li>`,
  ).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; img-src ${cspSource} data:;">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Task hub ${escapeHtml(doc.taskHub)}</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 8px 16px; }
  h1 { font-size: 1.2em; margin: 0 0 4px; }
  .meta { opacity: 0.8; }
  ul.counts { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 16px; }
  svg.histogram text { fill: var(--vscode-foreground); font-size: 11px; }
  svg.histogram .base { stroke: var(--vscode-editorWidget-border, #888); }
  .empty, .note { opacity: 0.7; }
</style>
</head>
<body>
<h1>Task hub ${escapeHtml(doc.taskHub)}</h1>
<div class="meta">${escapeHtml(doc.where)} · ${escapeHtml(describeCounts(doc.counts))}</div>
<ul class="counts">${legend}</ul>
<h2>Instances created over time${doc.filter ? ` (filter: ${escapeHtml(doc.filter)})` : ''}</h2>
${renderHistogramSvg(doc.histogram)}
<p class="note">${doc.sampled.toLocaleString('en-US')} instances${doc.truncated ? ', the newest only: the filter matches more' : ''}.</p>
</body>
</html>`;
}
