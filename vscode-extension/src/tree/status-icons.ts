/** One codicon and colour per runtime status, so the status reads at a glance in the tree. */
import * as vscode from 'vscode';
import { statusStyle } from '../status-style.js';
import type { RuntimeStatus } from '../wire.js';

export function statusIcon(status: RuntimeStatus | string): vscode.ThemeIcon {
  const style = statusStyle(status);
  return style ? new vscode.ThemeIcon(style.codicon, new vscode.ThemeColor(style.color)) : new vscode.ThemeIcon('question');
}
