/** One codicon and colour per runtime status, so the status reads at a glance in the tree. */
import * as vscode from 'vscode';
import type { RuntimeStatus } from '../wire.js';

const ICONS: Record<RuntimeStatus, [icon: string, color: string]> = {
  Pending: ['clock', 'charts.yellow'],
  Running: ['play-circle', 'charts.blue'],
  Suspended: ['debug-pause', 'charts.orange'],
  ContinuedAsNew: ['debug-restart', 'charts.purple'],
  Completed: ['pass', 'charts.green'],
  Failed: ['error', 'charts.red'],
  Terminated: ['circle-slash', 'disabledForeground'],
};

export function statusIcon(status: RuntimeStatus | string): vscode.ThemeIcon {
  const entry = ICONS[status as RuntimeStatus];
  return entry ? new vscode.ThemeIcon(entry[0], new vscode.ThemeColor(entry[1])) : new vscode.ThemeIcon('question');
}
