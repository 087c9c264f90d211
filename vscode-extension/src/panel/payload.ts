/**
 * Input, output and custom status in the panel: a collapsible JSON tree (`<details>` per object and array, so no
 * script is needed to fold it) with a copy button; a payload over LARGE_PAYLOAD_BYTES is not rendered but offered
 * in an editor, where VS Code handles any size. Pure.
 */
import { escapeHtml } from '../timeline.js';

export const LARGE_PAYLOAD_BYTES = 50_000;

export type PayloadField = 'input' | 'output' | 'customStatus';

export function payloadSize(value: unknown): number {
  if (value === undefined) return 0;
  try {
    return new TextEncoder().encode(JSON.stringify(value) ?? '').length;
  } catch {
    return 0;
  }
}

export function renderPayload(field: PayloadField, label: string, value: unknown): string {
  if (value === undefined || value === null) return `<section class="payload" data-field="${field}"><h3>${label}</h3><p class="empty">none</p></section>`;
  const size = payloadSize(value);
  const actions = `<button data-action="copyPayload" data-field="${field}">Copy</button> <button data-action="openPayload" data-field="${field}">Open in Editor</button>`;
  const body =
    size > LARGE_PAYLOAD_BYTES
      ? `<p class="large">${escapeHtml(label)} is ${(size / 1000).toFixed(0)} kB, too large to show here; open it in an editor.</p>`
      : `<div class="json">${jsonTree(value, 0)}</div>`;
  return `<section class="payload" data-field="${field}"><h3>${label} <span class="size">${formatBytes(size)}</span> ${actions}</h3>${body}</section>`;
}

/** Objects and arrays fold; the first two levels start open. */
export function jsonTree(value: unknown, depth: number): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="j-punct">[]</span>';
    const items = value.map((item, i) => `<li><span class="j-key">${i}</span>: ${jsonTree(item, depth + 1)}</li>`).join('');
    return `<details${depth < 2 ? ' open' : ''}><summary>Array(${value.length})</summary><ul>${items}</ul></details>`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '<span class="j-punct">{}</span>';
    const items = entries.map(([key, item]) => `<li><span class="j-key">${escapeHtml(JSON.stringify(key))}</span>: ${jsonTree(item, depth + 1)}</li>`).join('');
    return `<details${depth < 2 ? ' open' : ''}><summary>{${entries.length} key${entries.length === 1 ? '' : 's'}}</summary><ul>${items}</ul></details>`;
  }
  const kind = value === null ? 'null' : typeof value;
  return `<span class="j-${kind}">${escapeHtml(JSON.stringify(value) ?? String(value))}</span>`;
}

function formatBytes(bytes: number): string {
  return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`;
}
