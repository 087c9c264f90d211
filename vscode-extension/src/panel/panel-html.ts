/**
 * The instance panel's page: header, payloads, action buttons and five tabs. The extension renders every part as
 * HTML (pure functions) and the page's one nonce'd script only swaps parts in, switches tabs, zooms and forwards
 * clicks as messages; the CSP allows nothing else (no network, no inline handlers).
 */
import { formatAge } from '../format.js';
import { REPLAY_CSS } from '../replay/replay-html.js';
import { cssColor, statusStyle } from '../status-style.js';
import { escapeHtml, TIMELINE_CSS } from '../timeline.js';
import type { StatusPayload } from '../wire.js';
import type { PanelAction } from './actions.js';
import { type PayloadField, renderPayload } from './payload.js';

export const TABS = ['history', 'timeline', 'sequence', 'children', 'pending'] as const;
export type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = { history: 'History', timeline: 'Timeline', sequence: 'Sequence', children: 'Children', pending: 'Pending' };

/** The parts the page is made of; an update message carries any subset of them. */
export type PanelPart = 'header' | 'actions' | 'payloads' | 'replay' | 'historyTable' | Tab;
export type PanelParts = Partial<Record<PanelPart, string>>;

export interface HeaderView {
  status: StatusPayload;
  now: number;
  /** "Local › default" or "Offline: bundle.json". */
  where: string;
  parent?: { instanceId: string };
}

export function renderHeader(view: HeaderView): string {
  const { status, now } = view;
  const style = statusStyle(status.runtimeStatus);
  const icon = style ? statusGlyph(style.codicon, cssColor(style.color)) : '';
  const custom =
    status.customStatus === null || status.customStatus === undefined
      ? ''
      : `<div class="custom">Custom status: <code>${escapeHtml(typeof status.customStatus === 'string' ? status.customStatus : JSON.stringify(status.customStatus))}</code></div>`;
  const parent = view.parent
    ? `<div class="parent">Parent: <a href="#" data-action="openInstance" data-id="${escapeHtml(view.parent.instanceId)}">${escapeHtml(view.parent.instanceId)}</a></div>`
    : '';
  return [
    `<h1><span class="name">${escapeHtml(status.name)}</span> <span class="status" data-status="${escapeHtml(status.runtimeStatus)}" data-codicon="${style?.codicon ?? ''}">${icon}${escapeHtml(status.runtimeStatus)}</span></h1>`,
    `<div class="id">ID <code>${escapeHtml(status.instanceId)}</code> <button data-action="copyId">Copy</button> <span class="where">${escapeHtml(view.where)}</span></div>`,
    `<div class="times">Created <time title="${escapeHtml(status.createdTime)}">${escapeHtml(status.createdTime)}</time> (${escapeHtml(formatAge(status.createdTime, now))}) · Updated <time title="${escapeHtml(status.lastUpdatedTime)}">${escapeHtml(status.lastUpdatedTime)}</time> (${escapeHtml(formatAge(status.lastUpdatedTime, now))})</div>`,
    custom,
    parent,
  ].join('');
}

export function renderActions(actions: readonly PanelAction[], extra: { offline: boolean }): string {
  const buttons = actions.map((action) => `<button class="action" data-action="run" data-id="${escapeHtml(action.id)}">${escapeHtml(action.label)}</button>`);
  const always = [
    `<button data-action="refresh">Refresh</button>`,
    extra.offline ? '' : `<button data-action="export">Export History…</button>`,
    `<button data-action="goToCode">Go to Orchestrator Code</button>`,
  ];
  return [...buttons, ...always].join(' ');
}

export function renderPayloads(status: Pick<StatusPayload, 'input' | 'output'>): string {
  const fields: [PayloadField, string, unknown][] = [
    ['input', 'Input', status.input],
    ['output', 'Output', status.output],
  ];
  return fields.map(([field, label, value]) => renderPayload(field, label, value)).join('');
}

/** The inline glyph of a status codicon: webviews have no codicon font, so each is a small SVG of the same shape. */
function statusGlyph(codicon: string, color: string): string {
  const shapes: Record<string, string> = {
    pass: '<circle cx="8" cy="8" r="6.5"/><path d="M5 8.2 7.2 10.4 11 6"/>',
    error: '<circle cx="8" cy="8" r="6.5"/><path d="M5.5 5.5 10.5 10.5M10.5 5.5 5.5 10.5"/>',
    clock: '<circle cx="8" cy="8" r="6.5"/><path d="M8 4.5V8l2.5 1.5"/>',
    'play-circle': '<circle cx="8" cy="8" r="6.5"/><path d="M6.5 5.2 10.8 8 6.5 10.8z"/>',
    'debug-pause': '<path d="M5.5 3.5v9M10.5 3.5v9"/>',
    'debug-restart': '<path d="M12.5 8A4.5 4.5 0 1 1 8 3.5h3M9.5 1.5 11 3.5 9.5 5.5"/>',
    'circle-slash': '<circle cx="8" cy="8" r="6.5"/><path d="M3.4 12.6 12.6 3.4"/>',
  };
  return `<svg class="glyph" width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="${color}" stroke-width="1.5" aria-hidden="true">${shapes[codicon] ?? ''}</svg>`;
}

export interface PanelPage {
  title: string;
  parts: PanelParts;
  nonce: string;
  cspSource: string;
  /** The tab shown first. */
  tab?: Tab;
}

export function renderPanelHtml(page: PanelPage): string {
  const { nonce, cspSource, parts } = page;
  const selected = page.tab ?? 'history';
  const tabButtons = TABS.map(
    (tab) =>
      `<button role="tab" class="tab${tab === selected ? ' selected' : ''}" data-action="tab" data-tab="${tab}" aria-selected="${tab === selected}">${TAB_LABELS[tab]}</button>`,
  ).join('');
  const tabPanes = TABS.map(
    (tab) =>
      `<section role="tabpanel" class="pane${tab === selected ? ' selected' : ''}" id="pane-${tab}" data-part="${tab}">${parts[tab] ?? '<p class="empty">Loading…</p>'}</section>`,
  ).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src ${cspSource} data:;">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(page.title)}</title>
<style nonce="${nonce}">${PANEL_CSS}${TIMELINE_CSS}${REPLAY_CSS}</style>
</head>
<body>
<header id="header" data-part="header">${parts.header ?? ''}</header>
<div id="actions" class="actions" data-part="actions">${parts.actions ?? ''}</div>
<div id="payloads" class="payloads" data-part="payloads">${parts.payloads ?? ''}</div>
<div id="replay" data-part="replay">${parts.replay ?? ''}</div>
<nav class="tabs" role="tablist">${tabButtons}</nav>
${tabPanes}
<div id="hover" class="hover" aria-live="polite"></div>
<script nonce="${nonce}">${PANEL_SCRIPT}</script>
</body>
</html>`;
}

const PANEL_CSS = `
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 8px 16px; }
  h1 { font-size: 1.25em; margin: 0 0 4px; display: flex; gap: 12px; align-items: center; }
  .status { display: inline-flex; gap: 4px; align-items: center; font-weight: normal; font-size: 0.9em; }
  .id, .times, .custom, .parent, .where { opacity: 0.9; margin: 2px 0; }
  .where { opacity: 0.7; margin-left: 8px; }
  button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 3px 8px; cursor: pointer; }
  button.action { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
  button:disabled { opacity: 0.4; cursor: default; }
  .actions { margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px; }
  .payloads { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  .payload h3 { font-size: 1em; margin: 4px 0; }
  .payload .size { opacity: 0.6; font-weight: normal; }
  .json { font-family: var(--vscode-editor-font-family); font-size: 12px; max-height: 240px; overflow: auto; }
  .json ul { list-style: none; margin: 0; padding-left: 16px; }
  .json details { display: inline; }
  .j-key { color: var(--vscode-symbolIcon-propertyForeground, inherit); }
  .j-string { color: var(--vscode-debugTokenExpression-string, #ce9178); }
  .j-number, .j-boolean { color: var(--vscode-debugTokenExpression-number, #b5cea8); }
  .tabs { margin-top: 12px; border-bottom: 1px solid var(--vscode-panel-border, #8884); display: flex; gap: 2px; }
  .tab { background: transparent; color: var(--vscode-foreground); border-bottom: 2px solid transparent; }
  .tab.selected { border-bottom-color: var(--vscode-focusBorder); }
  .pane { display: none; padding-top: 8px; overflow: auto; }
  .pane.selected { display: block; }
  .filters { display: flex; gap: 8px; margin-bottom: 6px; }
  .pager { display: flex; gap: 4px; align-items: center; margin: 4px 0; }
  .range { margin: 0 8px; opacity: 0.8; }
  table.history { border-collapse: collapse; width: 100%; font-size: 12px; }
  table.history th, table.history td { text-align: left; padding: 2px 6px; border-bottom: 1px solid var(--vscode-editorWidget-border, #8882); vertical-align: top; }
  table.history td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.failed td { color: var(--vscode-errorForeground); }
  td.row-actions { white-space: nowrap; }
  td.row-actions button { padding: 0 4px; font-size: 11px; opacity: 0.6; }
  tr:hover td.row-actions button { opacity: 1; }
  details.failure pre { white-space: pre-wrap; font-size: 11px; }
  .zoom { margin-bottom: 6px; }
  svg.sequence text { fill: var(--vscode-foreground); font-size: 11px; }
  svg.sequence .participant rect { fill: var(--vscode-editorWidget-background, #8882); stroke: var(--vscode-editorWidget-border, #888); }
  svg.sequence .lifeline { stroke: var(--vscode-editorWidget-border, #888); stroke-dasharray: 4 3; }
  svg.sequence .msg line, svg.sequence .msg path { stroke: var(--vscode-foreground); fill: none; }
  svg.sequence .msg.reply line { stroke-dasharray: 5 3; }
  svg.sequence .msg.failed line { stroke: var(--vscode-charts-red, #f14c4c); }
  svg.sequence .msg.failed text { fill: var(--vscode-charts-red, #f14c4c); }
  svg.sequence .msg.pending line { stroke: var(--vscode-charts-yellow, #cca700); stroke-dasharray: 2 2; }
  svg.sequence .msg.signal line { stroke: var(--vscode-charts-green, #89d185); }
  svg.sequence marker path { fill: var(--vscode-foreground); }
  ul.children { list-style: none; padding-left: 12px; }
  .child .outcome { opacity: 0.7; }
  .child.failed .outcome { color: var(--vscode-errorForeground); }
  .expand { padding: 0 4px; }
  .empty, .note { opacity: 0.7; }
  .hover { position: fixed; bottom: 0; left: 0; right: 0; padding: 4px 16px; background: var(--vscode-editorHoverWidget-background); border-top: 1px solid var(--vscode-editorHoverWidget-border); font-size: 12px; }
  .hover:empty { display: none; }
  .message { color: var(--vscode-errorForeground); }`;

/** Runs in the webview. Plain ES2019, no imports; every element it touches is found by id or data attribute. */
const PANEL_SCRIPT = `
(function () {
  const vscode = acquireVsCodeApi();
  const state = vscode.getState() || {};
  let zoom = state.zoom || 1;
  function select(tab) {
    document.querySelectorAll('.tab').forEach(function (b) { const on = b.dataset.tab === tab; b.classList.toggle('selected', on); b.setAttribute('aria-selected', String(on)); });
    document.querySelectorAll('.pane').forEach(function (p) { p.classList.toggle('selected', p.id === 'pane-' + tab); });
    vscode.setState(Object.assign(vscode.getState() || {}, { tab: tab }));
    vscode.postMessage({ type: 'tab', tab: tab });
  }
  function applyZoom() {
    document.querySelectorAll('#pane-timeline svg.timeline').forEach(function (svg) { svg.setAttribute('width', (zoom * 100) + '%'); });
    const label = document.getElementById('zoom-level');
    if (label) label.textContent = Math.round(zoom * 100) + '%';
  }
  if (state.tab) select(state.tab);
  let filterTimer;
  function sendFilter() {
    const type = document.getElementById('history-type');
    const text = document.getElementById('history-text');
    vscode.postMessage({ type: 'historyFilter', types: type && type.value ? [type.value] : [], text: text ? text.value : '' });
  }
  document.addEventListener('input', function (e) {
    if (e.target && (e.target.id === 'history-text' || e.target.id === 'history-type')) { clearTimeout(filterTimer); filterTimer = setTimeout(sendFilter, 200); }
  });
  document.addEventListener('click', function (e) {
    const el = e.target && e.target.closest ? e.target.closest('[data-action]') : null;
    if (!el) return;
    e.preventDefault();
    const action = el.dataset.action;
    if (action === 'tab') return select(el.dataset.tab);
    if (action === 'zoomIn') { zoom = Math.min(zoom * 2, 64); vscode.setState(Object.assign(vscode.getState() || {}, { zoom: zoom })); return applyZoom(); }
    if (action === 'zoomOut') { zoom = Math.max(zoom / 2, 1); vscode.setState(Object.assign(vscode.getState() || {}, { zoom: zoom })); return applyZoom(); }
    if (action === 'zoomReset') { zoom = 1; vscode.setState(Object.assign(vscode.getState() || {}, { zoom: zoom })); return applyZoom(); }
    if (action === 'expandChild') {
      const host = el.parentElement && el.parentElement.querySelector('.grandchildren');
      if (host && host.childElementCount) { host.textContent = ''; el.textContent = '▸'; return; }
      el.textContent = '▾';
    }
    vscode.postMessage({ type: action, id: el.dataset.id, field: el.dataset.field, page: el.dataset.page === undefined ? undefined : Number(el.dataset.page) });
  });
  document.addEventListener('mouseover', function (e) {
    const g = e.target && e.target.closest ? e.target.closest('g.row, g.msg') : null;
    const hover = document.getElementById('hover');
    if (!hover) return;
    const title = g && g.querySelector('title');
    hover.textContent = title ? title.textContent : '';
  });
  window.addEventListener('message', function (event) {
    const message = event.data;
    if (message.type === 'update') {
      Object.keys(message.parts).forEach(function (part) {
        const host = document.querySelector('[data-part="' + part + '"]');
        if (host) host.innerHTML = message.parts[part];
      });
      applyZoom();
    } else if (message.type === 'children') {
      const item = document.querySelector('li.child[data-id="' + CSS.escape(message.id) + '"] > .grandchildren');
      if (item) item.innerHTML = message.html;
    }
  });
  applyZoom();
  vscode.postMessage({ type: 'ready' });
})();`;
