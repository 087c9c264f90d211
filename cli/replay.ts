/**
 * `durable replay` and `durable replay-test`: today's orchestrator code replayed over recorded
 * histories, with no side effects, to find the edits that would break instances in flight.
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DurableApp } from '../core/app.js';
import { isDurableError } from '../core/errors.js';
import type { HistoryEvent } from '../core/history.js';
import { checkReplay, type ReplayReport } from '../core/orchestration/replay-check.js';
import { formatLocation } from '../core/orchestration/source-location.js';
import { parseBundle } from '../core/wire/bundle.js';
import { fromHistoryRows } from '../core/wire/history-rows.js';
import { date, flag, statuses, str } from './args.js';
import { type Backend, historyEvents, listAll } from './backend.js';
import type { Command, Context } from './command.js';
import { notFoundInHub } from './commands.js';
import { CliError, EXIT, usageError } from './errors.js';
import { loadApp } from './load-app.js';
import { createdAfter, createdBefore, instanceIdPrefix, runtimeStatus } from './options.js';

/** One replayed history: which instance, and what the replay found. */
export interface ReplayResult {
  instanceId: string;
  name: string;
  /** Where the history came from: a bundle's file name, else absent. */
  source?: string;
  report: ReplayReport;
}

function replayOne(app: DurableApp, modulePath: string, instanceId: string, history: readonly HistoryEvent[], source?: string): ReplayResult {
  const name = history.find((e) => e.type === 'ExecutionStarted')?.name ?? '';
  try {
    return { instanceId, name, source, report: checkReplay(app, instanceId, history) };
  } catch (error) {
    if (isDurableError(error, 'UnknownOrchestrator')) {
      throw usageError(
        `The history of '${instanceId}' is of orchestrator '${name}', which the app module '${modulePath}' does not register (it has ${app.orchestratorNames.map((n) => `'${n}'`).join(', ') || 'none'}).`,
        'Pass the app module that registers it, or check the instance ID.',
      );
    }
    throw error;
  }
}

const quoted = (step: { type: string; name?: string; input?: string } | undefined, none: string) =>
  step ? `${step.type}${step.name === undefined ? '' : ` '${step.name}'`}${step.input === undefined ? '' : ` input ${step.input}`}` : none;

/** Human-readable lines for one result. */
export function describeResult(result: ReplayResult): string {
  const what = result.source ?? `${result.name} ${result.instanceId}`;
  const { report } = result;
  if (report.ok) return `${what}: replays cleanly (${report.events} events)\n`;
  const d = report.divergence;
  return (
    `${what}: diverges at history position ${d.position}\n` +
    `  recorded:  ${quoted(d.recorded, '(the history ends here)')}\n` +
    `  code now:  ${quoted(d.current, '(no step)')}\n` +
    (d.location ? `  at:        ${formatLocation(d.location)}\n` : '')
  );
}

async function historyOf(backend: Backend, instanceId: string): Promise<HistoryEvent[]> {
  if (!(await backend.getStatus(instanceId, { showInput: false }))) throw notFoundInHub(backend, instanceId);
  return historyEvents(backend, instanceId);
}

async function readBundle(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(`Cannot read the bundle '${file}': ${(error as Error).message}.`);
  }
  try {
    return parseBundle(text);
  } catch (error) {
    if (isDurableError(error, 'BundleFormat')) throw usageError(`'${file}' is not a history bundle this version reads: ${error.message}`);
    throw error;
  }
}

function summary(results: ReplayResult[]): string {
  const diverging = results.filter((r) => !r.report.ok).length;
  return `${results.length} replayed: ${results.length - diverging} replay cleanly, ${diverging} diverge.\n`;
}

export const replay: Command = {
  name: 'replay',
  summary: "Replay recorded histories through the app's orchestrator code, with no side effects, and show the first divergence.",
  synopsis: '<app module> (--id ID | --bundle FILE | --all [--runtime-status STATUS...] [filters])',
  description:
    'Activities do not run: their results come from the history. For each history it prints "replays cleanly (N events)" or the first divergence: the history position, the recorded step, the step the code takes now, and the line of the code that takes it. Exit 0 when every history replays cleanly, 1 when one diverges.',
  positionals: [{ name: 'app module', description: 'Path of the module exporting the app (TypeScript through tsx).' }],
  options: {
    id: { type: 'string', value: 'ID', description: 'The instance whose history to replay.' },
    bundle: { type: 'string', value: 'FILE', description: 'A history bundle (durable export) instead of a task hub.' },
    all: { type: 'boolean', description: 'Every instance of the hub that matches the filters.' },
    'runtime-status': runtimeStatus,
    'created-after': createdAfter,
    'created-before': createdBefore,
    'instance-id-prefix': instanceIdPrefix,
  },
  backend: true,
  examples: [
    'durable replay ./src/app.ts --id order-42 --endpoint http://127.0.0.1:7071',
    'durable replay ./src/app.ts --all --runtime-status Running Pending --store ./durable.db',
    'durable replay ./src/app.ts --bundle ./histories/order-42.json',
  ],
  async run(ctx) {
    const [modulePath] = ctx.positionals as [string];
    const id = str(ctx.values, 'id');
    const bundle = str(ctx.values, 'bundle');
    const all = flag(ctx.values, 'all');
    if ([id, bundle, all || undefined].filter((x) => x !== undefined).length !== 1) {
      throw usageError(
        'Say which histories to replay: one of --id ID, --bundle FILE or --all.',
        'e.g. durable replay ./app.ts --id order-42 --store ./durable.db',
      );
    }
    const app = await loadApp(ctx, modulePath);
    const results = await collect(ctx, app, modulePath, { id, bundle, all });
    ctx.print(results.length === 1 ? results[0] : { results }, () => results.map(describeResult).join('') + (all ? summary(results) : ''));
    return results.every((r) => r.report.ok) ? undefined : EXIT.failed;
  },
};

async function collect(ctx: Context, app: DurableApp, modulePath: string, which: { id?: string; bundle?: string; all: boolean }): Promise<ReplayResult[]> {
  if (which.bundle) {
    const file = resolve(ctx.io.cwd, which.bundle);
    const b = await readBundle(file);
    return [replayOne(app, modulePath, b.instance.instanceId, fromHistoryRows(b.history), which.bundle)];
  }
  const backend = await ctx.backend();
  if (which.id) return [replayOne(app, modulePath, which.id, await historyOf(backend, which.id))];
  const instances = await listAll(backend, {
    runtimeStatus: statuses(ctx.values),
    createdTimeFrom: date(ctx.values, 'created-after'),
    createdTimeTo: date(ctx.values, 'created-before'),
    instanceIdPrefix: str(ctx.values, 'instance-id-prefix'),
    showInput: false,
  });
  const results: ReplayResult[] = [];
  for (const instance of instances) results.push(replayOne(app, modulePath, instance.instanceId, await historyEvents(backend, instance.instanceId)));
  return results;
}

export const replayTest: Command = {
  name: 'replay-test',
  summary: 'Check every history bundle in a directory against the app (a determinism test for CI).',
  synopsis: '<dir> <app module>',
  description:
    'One line per bundle (*.json, in name order); exit 1 when any diverges. Keep a bundle of each orchestrator shape you run in production (durable export) and run this before deploying an edit.',
  positionals: [
    { name: 'dir', description: 'Directory of history bundles.' },
    { name: 'app module', description: 'Path of the module exporting the app.' },
  ],
  options: {},
  backend: false,
  examples: ['durable replay-test ./test/histories ./src/app.ts'],
  async run(ctx) {
    const [dir, modulePath] = ctx.positionals as [string, string];
    const folder = resolve(ctx.io.cwd, dir);
    let files: string[];
    try {
      files = (await readdir(folder)).filter((f) => f.endsWith('.json')).sort();
    } catch (error) {
      throw usageError(`Cannot read the directory '${dir}': ${(error as Error).message}.`);
    }
    if (files.length === 0) throw usageError(`'${dir}' holds no history bundles (*.json).`, 'Write some with durable export --id ID --out DIR/NAME.json.');
    const app = await loadApp(ctx, modulePath);
    const results: ReplayResult[] = [];
    const unreadable: { source: string; problem: string }[] = [];
    for (const file of files) {
      try {
        const b = await readBundle(join(folder, file));
        results.push(replayOne(app, modulePath, b.instance.instanceId, fromHistoryRows(b.history), file));
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        unreadable.push({ source: file, problem: error.message });
      }
    }
    ctx.print({ results, unreadable }, () =>
      [...results.map(describeResult), ...unreadable.map((u) => `${u.source}: cannot be replayed: ${u.problem}\n`), summary(results)].join(''),
    );
    return unreadable.length === 0 && results.every((r) => r.report.ok) ? undefined : EXIT.failed;
  },
};
