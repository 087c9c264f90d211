/**
 * Runs the CLI in-process against a target: a live endpoint (the Node host on a port) or a
 * local store file (SQLite, with a test "host" worker driven on demand).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CliIO } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { type DurableApp, DurableClient, type RuntimeStatus, type Storage, Worker } from '../../core/index.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { registerSamples } from '../../samples/index.js';
import { startTestEndpoint } from './endpoint.js';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

export interface Target {
  kind: 'endpoint' | 'store';
  dir: string;
  /** Runs `durable <args> <connection options>`. */
  run(args: string[], io?: Partial<CliIO>): Promise<Result>;
  /** Runs `durable <args>` with no connection options added. */
  bare(args: string[], io?: Partial<CliIO>): Promise<Result>;
  /** The host side of the task hub (seeding and assertions). */
  client: DurableClient;
  /** Lets the host run until the instance satisfies `until` (default: any terminal status). */
  waitFor(instanceId: string, until?: RuntimeStatus | ((s: RuntimeStatus) => boolean)): Promise<RuntimeStatus>;
  /** Lets the host process what is due (store target; the endpoint's host runs on its own). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function testIO(dir: string, overrides: Partial<CliIO> = {}): { io: CliIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => {
      out.push(t);
    },
    stderr: (t) => {
      err.push(t);
    },
    env: {},
    cwd: dir,
    stdinIsTTY: false,
    stderrIsTTY: false,
    readFile: async (p) => (await import('node:fs/promises')).readFile(p, 'utf8'),
    writeFile: async (p, text) => (await import('node:fs/promises')).writeFile(p, text, 'utf8'),
    readStdin: async () => '',
    confirm: async () => false,
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    ...overrides,
  };
  return { io, out, err };
}

export async function runCli(args: string[], dir: string, overrides: Partial<CliIO> = {}): Promise<Result> {
  const { io, out, err } = testIO(dir, overrides);
  const code = await main(args, io);
  const stdout = out.join('');
  return { code, stdout, stderr: err.join(''), json: () => JSON.parse(stdout) };
}

const TERMINAL: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];
const matcher = (until?: RuntimeStatus | ((s: RuntimeStatus) => boolean)) =>
  until === undefined ? (s: RuntimeStatus) => TERMINAL.includes(s) : typeof until === 'string' ? (s: RuntimeStatus) => s === until : until;

export async function endpointTarget(app: DurableApp = registerSamples()): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-cli-'));
  const endpoint = await startTestEndpoint(app);
  const client = new DurableClient({ storage: endpoint.storage, app });
  const target: Target = {
    kind: 'endpoint',
    dir,
    client,
    run: (args, io) => runCli([...args, '--endpoint', endpoint.url, '--token', endpoint.token], dir, io),
    bare: (args, io) => runCli(args, dir, io),
    async waitFor(instanceId, until) {
      const done = matcher(until);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const status = (await client.getStatus(instanceId))?.runtimeStatus;
        if (status && done(status)) return status;
        if (Date.now() > deadline) throw new Error(`Instance ${instanceId} is ${status ?? 'missing'}; it did not get there in 10 s.`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    settle: async () => undefined,
    async close() {
      await endpoint.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return target;
}

export async function storeTarget(app: DurableApp = registerSamples()): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-cli-'));
  const file = join(dir, 'durable.sqlite');
  // The host's connection: it creates the file, and its worker runs what the CLI queues.
  const storage: Storage = new SqliteStorage(new Database(file));
  const client = new DurableClient({ storage, app });
  const worker = new Worker(app, storage.taskHub(client.taskHubName), {
    onError: (e) => {
      throw e;
    },
  });
  const settle = () => worker.runUntilIdle();
  const target: Target = {
    kind: 'store',
    dir,
    client,
    settle,
    run: (args, io) => runCli([...args, '--store', file], dir, io),
    bare: (args, io) => runCli(args, dir, io),
    async waitFor(instanceId, until) {
      const done = matcher(until);
      for (let i = 0; i < 50; i++) {
        await settle();
        const status = (await client.getStatus(instanceId))?.runtimeStatus;
        if (status && done(status)) return status;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`Instance ${instanceId} is ${(await client.getStatus(instanceId))?.runtimeStatus ?? 'missing'} after the host ran.`);
    },
    async close() {
      await storage.close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return target;
}
