/**
 * The Node host as `npm start` runs it: the package.json `start` script (build steps joined
 * with `&&` run first, then the last command, which serves), a curl-like client (fetch), and a
 * restart on the same data directory that still serves the completed instance (SQLite).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const PATH_ENV = `${join(ROOT, 'node_modules/.bin')}${delimiter}${process.env.PATH}`;
const START = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
const STEPS = START.split('&&').map((s) => s.trim());
/** The command that serves: the last step of the script. */
const SERVE = STEPS.at(-1)!;

/** Runs the script's build steps, as npm would before it serves. */
function buildSteps(): void {
  for (const step of STEPS.slice(0, -1)) {
    const result = spawnSync('sh', ['-c', step], { cwd: ROOT, env: { ...process.env, PATH: PATH_ENV }, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`'${step}' failed:\n${result.stdout}${result.stderr}`);
  }
}

interface Started {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts the host and resolves once it printed its URL. */
async function start(dataDir: string): Promise<Started> {
  // `exec` so that signals reach node itself.
  const child = spawn('sh', ['-c', `exec ${SERVE}`], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DURABLE_DATA_DIR: dataDir, DURABLE_TOKEN: '', DURABLE_READ_TOKEN: '', PATH: PATH_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${code}):\n${output}`));
    });
  });
  return { child, base, output: () => output, exited };
}

async function stop(server: Started): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

describe('npm start: the Node host in a child process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'edge-durable-start-'));
  const running: Started[] = [];
  beforeAll(() => buildSteps(), 60_000);
  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts HelloSequence, reads it Completed, and still reads it after a restart on the same data dir', async () => {
    const first = await start(dataDir);
    running.push(first);
    expect(first.output()).toMatch(/anonymous access is allowed, from loopback only/);
    expect(first.output()).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/runtime\/webhooks\/durabletask\/orchestrators\/HelloSequence/);

    // curl -s -X POST $base/orchestrators/HelloSequence
    const started = await fetch(`${first.base}/orchestrators/HelloSequence`, { method: 'POST' });
    expect(started.status).toBe(202);
    const { id, statusQueryGetUri } = (await started.json()) as { id: string; statusQueryGetUri: string };
    // curl -s "$statusQueryGetUri" until it is done
    let status: { runtimeStatus: string; output: unknown } | undefined;
    for (let i = 0; i < 200 && status?.runtimeStatus !== 'Completed'; i++) {
      if (i) await new Promise((r) => setTimeout(r, 50));
      status = (await (await fetch(statusQueryGetUri)).json()) as typeof status;
    }
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });

    expect(await stop(first)).toBe(0);
    expect(first.output()).toMatch(/SIGTERM: shutting down/);
    expect(first.output()).toMatch(/Stopped\./);

    const second = await start(dataDir);
    running.push(second);
    const again = await fetch(`${second.base}/instances/${id}?showHistory=true`);
    expect(again.status).toBe(200);
    const body = (await again.json()) as { runtimeStatus: string; output: unknown; historyEvents: { EventType: string }[] };
    expect(body.runtimeStatus).toBe('Completed');
    expect(body.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    expect(body.historyEvents.at(-1)?.EventType).toBe('ExecutionCompleted');
    const list = (await (await fetch(`${second.base}/instances?runtimeStatus=Completed`)).json()) as { instanceId: string }[];
    expect(list.map((s) => s.instanceId)).toContain(id);
    expect(await stop(second)).toBe(0);
  }, 90_000);

  it('refuses to serve a non-loopback host without a token', async () => {
    const child = spawn('sh', ['-c', `exec ${SERVE}`], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '0.0.0.0', DURABLE_DATA_DIR: dataDir, DURABLE_TOKEN: '', PATH: PATH_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/Refusing to serve 0\.0\.0\.0 without a token/);
  }, 60_000);
});
