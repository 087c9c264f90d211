/** One codicon and theme colour per runtime status, shared by the tree and the webviews. Pure. */
import type { RuntimeStatus } from './wire.js';

export const STATUS_STYLE: Readonly<Record<RuntimeStatus, { codicon: string; color: string }>> = {
  Pending: { codicon: 'clock', color: 'charts.yellow' },
  Running: { codicon: 'play-circle', color: 'charts.blue' },
  Suspended: { codicon: 'debug-pause', color: 'charts.orange' },
  ContinuedAsNew: { codicon: 'debug-restart', color: 'charts.purple' },
  Completed: { codicon: 'pass', color: 'charts.green' },
  Failed: { codicon: 'error', color: 'charts.red' },
  Terminated: { codicon: 'circle-slash', color: 'disabledForeground' },
};

export function statusStyle(status: string): { codicon: string; color: string } | undefined {
  return STATUS_STYLE[status as RuntimeStatus];
}

/** The theme colour as a CSS variable, e.g. `charts.green` → `var(--vscode-charts-green)`. */
export function cssColor(themeColor: string): string {
  return `var(--vscode-${themeColor.replace(/\./g, '-')})`;
}
