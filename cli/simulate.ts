/**
 * `durable simulate <app module> <orchestrator>`: runs the app's orchestrator in the offline
 * simulator (virtual clock, deterministic IDs) and prints the history tree and final status.
 * @module
 */
import { Simulation } from '../core/simulator/index.js';
import { toStatusPayload } from '../core/wire/payloads.js';
import { flag, integer, jsonValue, list, parseDuration, str } from './args.js';
import type { Command } from './command.js';
import { failedError, notFoundError, usageError } from './errors.js';
import { loadApp } from './load-app.js';

/** `NAME[=JSON][@WHEN]`: WHEN is a delay from the start (30m, 1h30m, 2d) or an ISO time. */
export function parseEventSpec(spec: string, start: number): { name: string; data: unknown; at: number } {
  let body = spec;
  let at = start;
  const i = spec.lastIndexOf('@');
  if (i > 0) {
    const when = spec.slice(i + 1);
    const delay = parseDuration(when);
    const absolute = delay === undefined && /^\d{4}-\d{2}-\d{2}/.test(when) ? Date.parse(when) : Number.NaN;
    if (delay !== undefined) {
      at = start + delay;
      body = spec.slice(0, i);
    } else if (Number.isFinite(absolute)) {
      at = absolute;
      body = spec.slice(0, i);
    }
  }
  const eq = body.indexOf('=');
  const name = (eq < 0 ? body : body.slice(0, eq)).trim();
  if (!name) throw usageError(`--event '${spec}' has no event name.`, 'Use NAME[=JSON][@WHEN], e.g. --event Approval=true@30m.');
  let data: unknown;
  if (eq >= 0) {
    try {
      data = JSON.parse(body.slice(eq + 1));
    } catch {
      throw usageError(`--event '${spec}': the data is not valid JSON.`, 'Use NAME=JSON, e.g. --event Approval=true or --event Note=\'"hello"\'.');
    }
  }
  return { name, data, at };
}

/** `NAME` (every attempt) or `NAME@2` / `NAME@1,3`. */
export function parseFaultSpec(spec: string): { name: string; attempts?: number[] } {
  const [name, attempts] = spec.split('@') as [string, string | undefined];
  if (!name) throw usageError(`--fail-activity '${spec}' has no activity name.`, 'Use NAME or NAME@ATTEMPT[,ATTEMPT...], e.g. --fail-activity Flaky@1.');
  if (attempts === undefined) return { name };
  const numbers = attempts.split(',').map((a) => Number(a));
  if (!numbers.length || numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw usageError(`--fail-activity '${spec}': attempts must be whole numbers of at least 1, e.g. Flaky@1,2.`);
  }
  return { name, attempts: numbers };
}

export const simulate: Command = {
  name: 'simulate',
  summary: 'Run an orchestrator offline on a virtual clock and print its history tree.',
  synopsis: '<app module> <orchestrator> [--input JSON|@FILE] [--event NAME[=JSON][@WHEN]]... [--fail-activity NAME[@N]]... [--crash-after-commit N]...',
  description:
    'The module must export a DurableApp (default export or `app`; TypeScript modules are loaded through tsx). Timers fire as soon as nothing else can run, so a 30-day timer takes milliseconds; IDs and times are deterministic, so the same arguments print the same tree. Exit 0 when the orchestration completes, 1 when it fails, is terminated, or is left waiting.',
  positionals: [
    { name: 'app module', description: 'Path of the module exporting the app.' },
    { name: 'orchestrator', description: 'Name of the orchestrator to run.' },
  ],
  options: {
    input: { type: 'string', value: 'JSON|@FILE', description: 'Input: inline JSON, @file, or @- for stdin.' },
    id: { type: 'string', value: 'ID', description: 'Instance ID (default: deterministic from the seed).' },
    start: { type: 'string', value: 'TIME', description: 'Virtual start time (ISO 8601; default 2026-01-01T00:00:00Z).' },
    seed: { type: 'string', value: 'N', description: 'Seed of the generated IDs (default 0).' },
    event: {
      type: 'string',
      multiple: true,
      value: 'NAME[=JSON][@WHEN]',
      description: 'Raise an event at a virtual time: WHEN is a delay from the start (30m, 1h30m, 2d) or an ISO time; default right away. Repeatable.',
    },
    'fail-activity': {
      type: 'string',
      multiple: true,
      value: 'NAME[@N,...]',
      description: 'Make an activity fail on these attempts (every attempt without @). Repeatable.',
    },
    'crash-after-commit': {
      type: 'string',
      multiple: true,
      value: 'N',
      description: 'Crash the worker right after durable write N (it restarts once its leases lapse). Repeatable.',
    },
    until: { type: 'string', value: 'WHEN', description: 'Stop at this virtual time (delay from the start, or ISO) even if timers remain.' },
    strict: { type: 'boolean', description: 'No replay cache: replay every episode from history (surfaces non-determinism).' },
    ascii: { type: 'boolean', description: 'Draw the tree with ASCII characters.' },
  },
  backend: false,
  examples: [
    'durable simulate ./app.ts HelloSequence',
    'durable simulate ./app.ts Approval --input \'{"timeoutSeconds":3600}\' --event Approval=true@30m',
    'durable simulate ./app.ts FlakyActivity --input \'{"failTimes":0}\' --fail-activity Flaky@1 --crash-after-commit 2',
  ],
  async run(ctx) {
    const [modulePath, orchestrator] = ctx.positionals;
    if (!modulePath || !orchestrator)
      throw usageError('simulate needs the app module and the orchestrator name.', 'For example: durable simulate ./app.ts HelloSequence');
    const startText = str(ctx.values, 'start');
    const start = startText === undefined ? Date.parse('2026-01-01T00:00:00Z') : Date.parse(startText);
    if (!Number.isFinite(start)) throw usageError(`--start '${startText}' is not a time.`, 'Use ISO 8601, e.g. 2026-01-01T00:00:00Z.');
    const input = await jsonValue(ctx.values, 'input', ctx.io);
    const seedText = str(ctx.values, 'seed');
    const seed = seedText === undefined ? 0 : integer(ctx.values, 'seed', { min: 0, max: 2 ** 32 - 1 })!;
    const events = list(ctx.values, 'event').map((e) => parseEventSpec(e, start));
    const faults = list(ctx.values, 'fail-activity').map(parseFaultSpec);
    const crashes = list(ctx.values, 'crash-after-commit').map((c) => {
      const n = Number(c);
      if (!Number.isInteger(n) || n < 1) throw usageError(`--crash-after-commit '${c}' must be a whole number of at least 1.`);
      return n;
    });
    const untilText = str(ctx.values, 'until');
    let until: number | undefined;
    if (untilText !== undefined) {
      const delay = parseDuration(untilText);
      until = delay !== undefined ? start + delay : Date.parse(untilText);
      if (!Number.isFinite(until)) throw usageError(`--until '${untilText}' is neither a delay (30m, 2d) nor an ISO time.`);
    }

    const app = await loadApp(ctx, modulePath);
    if (!app.getOrchestrator(orchestrator)) {
      throw notFoundError(`The app registers no orchestrator named '${orchestrator}'.`, `Registered: ${app.orchestratorNames.join(', ') || '(none)'}.`);
    }
    const sim = new Simulation(app, { start, seed, ...(flag(ctx.values, 'strict') ? { replayCache: false } : {}) });
    for (const f of faults) sim.failActivity(f.name, f.attempts ? { attempts: f.attempts } : {});
    if (crashes.length) sim.crashAfterCommit(...crashes);
    const wallStart = performance.now();
    const id = await sim.startNew(orchestrator, { input, ...(str(ctx.values, 'id') !== undefined ? { instanceId: str(ctx.values, 'id')! } : {}) });
    for (const e of events) await sim.raiseEvent(id, e.name, e.data, { at: new Date(e.at) });
    await sim.runUntilIdle(until === undefined ? {} : { until: new Date(until) });
    const wallMs = Math.round(performance.now() - wallStart);
    const status = (await sim.getStatus(id))!;

    if (ctx.json) {
      ctx.out(
        `${JSON.stringify(
          {
            instanceId: id,
            status: toStatusPayload(status),
            failureDetails: status.failureDetails ?? null,
            history: await sim.getHistory(id),
            log: sim.log,
            virtualStart: new Date(start).toISOString(),
            virtualEnd: sim.now().toISOString(),
            durableWrites: sim.commits,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      ctx.out(await sim.formatHistoryTree(id, { ascii: flag(ctx.values, 'ascii') }));
      ctx.out(`\nSimulated ${new Date(start).toISOString()} → ${sim.now().toISOString()} in ${wallMs} ms (${sim.commits} durable writes).\n`);
      if (sim.log.length) {
        ctx.out('Simulation log:\n');
        for (const entry of sim.log) ctx.out(`  ${entry.time}  ${entry.message}\n`);
      }
    }
    if (status.runtimeStatus === 'Completed') return;
    if (status.runtimeStatus === 'Failed' || status.runtimeStatus === 'Terminated') throw failedError(`The orchestration ended ${status.runtimeStatus}.`);
    throw failedError(
      `The orchestration is still ${status.runtimeStatus}: nothing more can happen in the simulation.`,
      'It waits for something that never comes; raise it with --event NAME[=JSON][@WHEN].',
    );
  },
};
