/** The replay result as the instance panel shows it (its `replay` part). Pure. */
import { escapeHtml } from '../timeline.js';
import { baseName, encodeLink, type ReplayOutcome } from './replay-result.js';

export const REPLAY_CSS = `
  .replay { margin: 8px 0; padding: 6px 10px; border-left: 3px solid var(--vscode-charts-green, #89d185); background: var(--vscode-editorWidget-background, #8881); }
  .replay.diverged { border-left-color: var(--vscode-errorForeground, #f14c4c); }
  .replay h2 { font-size: 1em; margin: 2px 0 6px; }
  table.replay-diff { border-collapse: collapse; font-size: 12px; width: 100%; }
  table.replay-diff th, table.replay-diff td { text-align: left; padding: 3px 8px; border: 1px solid var(--vscode-editorWidget-border, #8883); vertical-align: top; }
  table.replay-diff td.recorded { background: var(--vscode-diffEditor-removedTextBackground, #f001); }
  table.replay-diff td.current { background: var(--vscode-diffEditor-insertedTextBackground, #0f01); }
  .replay .why { opacity: 0.8; font-size: 12px; }`;

export function renderReplayOutcome(outcome: ReplayOutcome): string {
  if (outcome.kind === 'clean') {
    return `<section class="replay clean" data-outcome="clean"><h2>Check against code</h2><p class="replay-summary">${escapeHtml(
      `Replays cleanly (${outcome.events} events) against ${outcome.appModule}`,
    )}</p></section>`;
  }
  const link = outcome.location
    ? `<a href="#" class="replay-location" data-action="openReplayLocation" data-id="${escapeHtml(encodeLink(outcome.location))}" title="${escapeHtml(outcome.location.file)}">${escapeHtml(`${baseName(outcome.location.file)}:${outcome.location.line}:${outcome.location.column}`)}</a>`
    : '<span class="note">no line: the engine issued this step, not the code</span>';
  return [
    `<section class="replay diverged" data-outcome="diverged"><h2>Check against code</h2>`,
    `<p class="replay-summary">${escapeHtml(`Diverges at history position ${outcome.position} of ${outcome.events} against ${outcome.appModule}`)}</p>`,
    `<table class="replay-diff"><thead><tr><th>Position</th><th>Recorded step</th><th>Code's step</th><th>Code</th></tr></thead>`,
    `<tbody><tr><td class="position">${outcome.position}</td><td class="recorded">${escapeHtml(outcome.recorded)}</td><td class="current">${escapeHtml(outcome.current)}</td><td>${link}</td></tr></tbody></table>`,
    `<p class="why">${escapeHtml(outcome.message)}</p>`,
    `</section>`,
  ].join('');
}

/** While the CLI runs, and when it could not replay. */
export function renderReplayNote(text: string, failed = false): string {
  return `<section class="replay${failed ? ' diverged' : ''}" data-outcome="${failed ? 'error' : 'running'}"><h2>Check against code</h2><p class="${failed ? 'message' : 'note'}">${escapeHtml(text)}</p></section>`;
}
