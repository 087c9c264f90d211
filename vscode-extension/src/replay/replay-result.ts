/**
 * What `durable replay --json` and `durable replay-test --json` print, read into the model the panel shows:
 * clean, or the divergence as two columns (the recorded step | the code's step) at a history position, with
 * the line of the code's call. Pure.
 */
import type { Divergence, ReplayStep } from '../../../core/errors.js';

/** One result as the CLI prints it (cli/replay.ts ReplayResult). */
export interface CliReplayResult {
  instanceId: string;
  name: string;
  source?: string;
  report: { ok: true; events: number } | { ok: false; events: number; divergence: Divergence; message: string };
}

export interface SourceLink {
  /** A file system path (a `file://` URL is turned into its path). */
  file: string;
  /** 1-based, as the engine reports it. */
  line: number;
  column: number;
}

export type ReplayOutcome =
  | { kind: 'clean'; instanceId: string; name: string; events: number; appModule: string }
  | {
      kind: 'diverged';
      instanceId: string;
      name: string;
      events: number;
      appModule: string;
      position: number;
      recorded: string;
      current: string;
      location?: SourceLink;
      message: string;
    };

/** The CLI failed before replaying (bad module, unreadable bundle, no orchestrator of that name). */
export class ReplayRunError extends Error {
  override readonly name = 'ReplayRunError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message} ${hint}` : message);
  }
}

/** `TaskScheduled 'Charge' input "x"`, or the text for a missing side. */
export function describeStep(step: ReplayStep | undefined, none: string): string {
  if (!step) return none;
  return `${step.type}${step.name === undefined ? '' : ` '${step.name}'`}${step.input === undefined ? '' : ` input ${step.input}`}`;
}

export function sourceLink(location: { file: string; line: number; column: number }): SourceLink {
  const file = location.file.startsWith('file://') ? decodeURIComponent(location.file.slice('file://'.length)) : location.file;
  return { file, line: location.line, column: location.column };
}

export function toOutcome(result: CliReplayResult, appModule: string): ReplayOutcome {
  const { report } = result;
  const base = { instanceId: result.instanceId, name: result.name, events: report.events, appModule };
  if (report.ok) return { kind: 'clean', ...base };
  const d = report.divergence;
  return {
    kind: 'diverged',
    ...base,
    position: d.position,
    recorded: describeStep(d.recorded, '(the history ends here)'),
    current: describeStep(d.current, '(no step)'),
    location: d.location ? sourceLink(d.location) : undefined,
    message: report.message,
  };
}

const isResult = (value: unknown): value is CliReplayResult =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CliReplayResult).instanceId === 'string' &&
  typeof (value as CliReplayResult).report?.ok === 'boolean';

/**
 * The results of one CLI run from its exit code and output: stdout holds a result, `{ results }` or
 * `{ results, unreadable }`; a failure before any replay is `{ error }` on stderr.
 */
export function parseCliOutput(
  exitCode: number | null,
  stdout: string,
  stderr: string,
): { results: CliReplayResult[]; unreadable: { source: string; problem: string }[] } {
  const parsed = parseJson(stdout);
  if (parsed !== undefined && (exitCode === 0 || exitCode === 1)) {
    if (isResult(parsed)) return { results: [parsed], unreadable: [] };
    const list = parsed as { results?: unknown; unreadable?: unknown };
    if (Array.isArray(list.results) && list.results.every(isResult)) {
      return { results: list.results, unreadable: Array.isArray(list.unreadable) ? (list.unreadable as { source: string; problem: string }[]) : [] };
    }
  }
  const error = (parseJson(lastLine(stderr)) as { error?: { message?: string; hint?: string } } | undefined)?.error;
  if (error?.message) throw new ReplayRunError(error.message, error.hint);
  const tail = stderr.trim().split('\n').slice(-6).join('\n');
  throw new ReplayRunError(`durable replay exited with ${exitCode ?? 'a signal'}${tail ? `: ${tail}` : ' and printed no result.'}`);
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

function parseJson(text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The one-line summary of an outcome (notifications, the hub's list). */
export function outcomeSummary(outcome: ReplayOutcome): string {
  if (outcome.kind === 'clean') return `${outcome.instanceId} replays cleanly (${outcome.events} events) against ${outcome.appModule}`;
  const at = outcome.location ? ` at ${baseName(outcome.location.file)}:${outcome.location.line}` : '';
  return `${outcome.instanceId} diverges at history position ${outcome.position}: recorded ${outcome.recorded}, code now ${outcome.current}${at}`;
}

export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** `file:line:column` as the panel's link carries it (the file may hold colons: the last two fields are numbers). */
export function encodeLink(link: SourceLink): string {
  return `${link.file}:${link.line}:${link.column}`;
}

export function decodeLink(text: string): SourceLink | undefined {
  const match = /^(.+):(\d+):(\d+)$/.exec(text);
  return match ? { file: match[1]!, line: Number(match[2]), column: Number(match[3]) } : undefined;
}
