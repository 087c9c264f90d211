/** Markdown tooltips for history nodes: a title, a small table of times, then JSON blocks. */
import * as vscode from 'vscode';
import { previewJson } from '../format.js';

export function detailsTooltip(
  title: string,
  rows: [label: string, value: string | undefined][],
  blocks: [label: string, value: unknown][] = [],
): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(title);
  md.appendMarkdown('\n\n');
  for (const [label, value] of rows) {
    if (value === undefined || value === '') continue;
    md.appendText(`${label}: ${value}`);
    md.appendMarkdown('  \n');
  }
  for (const [label, value] of blocks) {
    if (value === undefined || value === null) continue;
    md.appendMarkdown(`\n${label}:\n`);
    md.appendCodeblock(previewJson(value, 500), 'json');
  }
  return md;
}
