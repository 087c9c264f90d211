/**
 * The `durable` CLI: Azure Functions Core Tools' `func durable` commands for edge-durable
 * task hubs, reached through a running host (`--endpoint`) or a local store file (`--store`),
 * plus suspend/resume/restart/wait, batch operations and the offline simulator.
 *
 * Exit codes: 0 ok, 1 the operation failed, 2 usage error, 3 not found.
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_TASK_HUB, validateTaskHubName } from '../core/limits.js';
import { type OptionSpecs, parseCommandLine, str } from './args.js';
import type { Backend } from './backend.js';
import { HttpBackend } from './backend-http.js';
import { StoreBackend } from './backend-store.js';
import { batch } from './batch.js';
import type { Command, Context } from './command.js';
import * as instance from './commands.js';
import { describeError, EXIT, usageError } from './errors.js';
import * as explore from './explore.js';
import { type CliIO, nodeIO } from './io.js';
import { replay, replayTest } from './replay.js';
import { serve } from './serve.js';
import { simulate } from './simulate.js';
import { openSqliteStore } from './stores.js';

export const COMMANDS: readonly Command[] = [
  instance.startNew,
  instance.getRuntimeStatus,
  instance.getHistory,
  instance.getInstances,
  instance.raiseEvent,
  instance.terminate,
  instance.rewind,
  instance.purgeHistory,
  instance.deleteTaskHub,
  instance.suspend,
  instance.resume,
  instance.restart,
  instance.reset,
  instance.wait,
  batch,
  instance.getTaskHubs,
  instance.getOrchestrators,
  explore.count,
  explore.exportHistory,
  simulate,
  replay,
  replayTest,
  serve,
];

const OUTPUT_OPTIONS: OptionSpecs = {
  json: { type: 'boolean', description: 'Machine-readable JSON on stdout (errors as JSON on stderr).' },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command.' },
};

const BACKEND_OPTIONS: OptionSpecs = {
  endpoint: { type: 'string', value: 'URL', description: "A running host's HTTP API, e.g. http://127.0.0.1:7071 (env DURABLE_ENDPOINT)." },
  token: { type: 'string', value: 'TOKEN', description: 'Bearer token for --endpoint (env DURABLE_TOKEN).' },
  store: { type: 'string', value: 'PATH', description: "The Node host's local store file instead of an endpoint (env DURABLE_STORE)." },
  'task-hub-name': { type: 'string', value: 'NAME', description: `Task hub (env DURABLE_TASK_HUB; default ${DEFAULT_TASK_HUB}).` },
};

function version(): string {
  // Set by the bundle build (esbuild.config.mjs); from source, read package.json.
  if (process.env.DURABLE_CLI_VERSION) return process.env.DURABLE_CLI_VERSION;
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      /* try the next layout (source or bundle) */
    }
  }
  return 'unknown';
}

function optionLines(specs: OptionSpecs): string[] {
  const rows = Object.entries(specs).map(
    ([name, spec]) => [`${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.description] as const,
  );
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, text]) => (left.length > width ? `  ${left}\n  ${' '.repeat(width)}  ${text}` : `  ${left.padEnd(width)}  ${text}`));
}

export function commandHelp(command: Command): string {
  const lines = [
    `Usage: durable ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''}${command.backend ? ' [common options]' : ''}`,
    '',
    command.summary,
  ];
  if (command.description) lines.push('', command.description);
  if (command.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const p of command.positionals) lines.push(`  <${p.name}>${p.rest ? '...' : ''}  ${p.description}`);
  }
  if (Object.keys(command.options).length) lines.push('', 'Options:', ...optionLines(command.options));
  lines.push(
    '',
    command.backend ? 'Common options:' : 'Output options:',
    ...optionLines(command.backend ? { ...BACKEND_OPTIONS, ...OUTPUT_OPTIONS } : OUTPUT_OPTIONS),
  );
  lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: durable <command> [options]',
    '',
    'Manage edge-durable orchestration instances (the commands of `func durable`), through a',
    "running host (--endpoint URL) or the Node host's local store file (--store PATH);",
    'simulate an app offline, or serve it over HTTP (durable serve ./app.ts).',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options:',
    ...optionLines({ ...BACKEND_OPTIONS, ...OUTPUT_OPTIONS }),
    '',
    'Exit codes: 0 ok, 1 the operation failed, 2 usage error, 3 not found.',
    "Run `durable <command> --help` for a command's options and examples.",
    '',
  ].join('\n');
}

function closest(name: string): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) {
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
    return d[a.length]![b.length]!;
  };
  const best = COMMANDS.map((c) => ({ name: c.name, d: distance(name, c.name) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

async function openBackend(values: Record<string, unknown>, io: CliIO): Promise<Backend> {
  const get = (name: string) => str(values as never, name);
  const taskHub = get('task-hub-name') ?? io.env.DURABLE_TASK_HUB ?? DEFAULT_TASK_HUB;
  try {
    validateTaskHubName(taskHub);
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const endpointFlag = get('endpoint');
  const storeFlag = get('store');
  if (endpointFlag !== undefined && storeFlag !== undefined) throw usageError('Pass either --endpoint or --store, not both.');
  const endpoint = endpointFlag ?? (storeFlag === undefined ? io.env.DURABLE_ENDPOINT || undefined : undefined);
  const store = storeFlag ?? (endpointFlag === undefined ? io.env.DURABLE_STORE || undefined : undefined);
  if (endpoint !== undefined && store !== undefined) {
    throw usageError('Both DURABLE_ENDPOINT and DURABLE_STORE are set.', 'Choose one with --endpoint URL or --store PATH.');
  }
  if (endpoint !== undefined) {
    try {
      return new HttpBackend({ endpoint, token: get('token') ?? io.env.DURABLE_TOKEN, taskHub, fetch: io.fetch });
    } catch (error) {
      throw usageError(error instanceof Error ? error.message : String(error));
    }
  }
  if (store !== undefined) {
    const path = resolve(io.cwd, store);
    const storage = await (io.openStore ?? openSqliteStore)(path);
    return new StoreBackend(storage, taskHub, `local store '${store}', task hub '${taskHub}'`);
  }
  throw usageError(
    "Where is the task hub? Pass --endpoint URL (or set DURABLE_ENDPOINT) for a running host, or --store PATH (or DURABLE_STORE) for the host's local store file.",
    'The Node host listens on http://127.0.0.1:7071 and keeps its store in .data/durable.sqlite by default.',
  );
}

/** Runs one command line; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO = nodeIO()): Promise<number> {
  const [name, ...args] = argv;
  let json = args.includes('--json');
  let backend: Backend | undefined;
  try {
    if (name === undefined) {
      io.stderr(globalHelp());
      return EXIT.usage;
    }
    if (name === '--help' || name === '-h') {
      io.stdout(globalHelp());
      return EXIT.ok;
    }
    if (name === 'help') {
      const target = args[0] === undefined ? undefined : COMMANDS.find((c) => c.name === args[0]);
      if (args[0] !== undefined && !target) throw usageError(`Unknown command '${args[0]}'.`, 'Run durable --help for the list.');
      io.stdout(target ? commandHelp(target) : globalHelp());
      return EXIT.ok;
    }
    if (name === '--version' || name === '-v') {
      io.stdout(`durable (edge-durable) ${version()}\n`);
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const guess = closest(name);
      throw usageError(`Unknown command '${name}'.`, `${guess ? `Did you mean '${guess}'? ` : ''}Run durable --help for the list of commands.`);
    }
    const terminator = args.indexOf('--');
    const before = terminator < 0 ? args : args.slice(0, terminator);
    if (before.includes('--help') || before.includes('-h')) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    const specs = { ...command.options, ...(command.backend ? BACKEND_OPTIONS : {}), ...OUTPUT_OPTIONS };
    const maxPositionals = command.positionals?.at(-1)?.rest ? Number.POSITIVE_INFINITY : (command.positionals?.length ?? 0);
    const { values, positionals } = parseCommandLine(command.name, args, specs, maxPositionals);
    json = values.json === true;
    const context: Context = {
      io,
      command: command.name,
      values,
      positionals,
      json,
      backend: async () => (backend ??= await openBackend(values, io)),
      out: (text) => io.stdout(text),
      err: (text) => io.stderr(text),
      print: (data, text) => io.stdout(json ? `${JSON.stringify(data, null, 2)}\n` : text()),
    };
    return (await command.run(context)) ?? EXIT.ok;
  } catch (error) {
    const { exitCode, message, hint } = describeError(error);
    if (json) io.stderr(`${JSON.stringify({ error: { exitCode, message, hint } })}\n`);
    else io.stderr(`error: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
    return exitCode;
  } finally {
    await backend?.close().catch(() => undefined);
  }
}
