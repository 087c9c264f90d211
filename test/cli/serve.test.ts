/**
 * `durable serve`: the Node host with the user's app, until stopped; and its refusals, each
 * before anything starts (no port bound, no data directory created).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { importPeer, MissingPeerError } from '../../edge-worker/node/peer.js';
import { runCli, testIO } from './helpers.js';

const cwd = process.cwd();
const APP = 'test/cli/fixtures/samples-app.ts';
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'durable-serve-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function waitFor<T>(read: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('durable serve', () => {
  it('serves the app until stopped, then closes cleanly (exit 0) and keeps its data', async () => {
    const dataDir = join(tempDir(), 'state');
    const stop = new AbortController();
    const { io, out, err } = testIO(cwd, { stopSignal: stop.signal });
    const exit = main(['serve', APP, '--port', '0', '--data-dir', dataDir], io);
    const base = await waitFor(() => /listening on (http:\/\/\S+)/.exec(out.join(''))?.[1], `the URL (stderr: ${err.join('')})`);
    expect(out.join('')).toContain(`Storage: SQLite at ${join(dataDir, 'durable.sqlite')}`);
    expect(out.join('')).toMatch(/Auth: NONE/);

    const started = await fetch(`${base}/orchestrators/HelloSequence`, { method: 'POST' });
    expect(started.status).toBe(202);
    const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
    const done = await waitFor(async () => {
      const s = (await (await fetch(statusQueryGetUri)).json()) as { runtimeStatus: string; output: unknown };
      return s.runtimeStatus === 'Completed' ? s : undefined;
    }, 'Completed');
    expect(done.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

    stop.abort();
    expect(await exit).toBe(0);
    expect(out.join('')).toMatch(/shutting down[\s\S]*Stopped\.\n$/);
    await expect(fetch(`${base}/instances`)).rejects.toThrow();
    expect(existsSync(join(dataDir, 'durable.sqlite'))).toBe(true);
  });

  it('an app module without an app: usage error (2), nothing created', async () => {
    const dataDir = join(tempDir(), 'state');
    const r = await runCli(['serve', 'test/cli/helpers.ts', '--port', '0', '--data-dir', dataDir], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: 'test/cli/helpers.ts' exports no DurableApp.");
    expect(r.stderr).toContain('hint: Export it as the default export or as `app`');
    expect(existsSync(dataDir)).toBe(false);
    expect((await runCli(['serve'], cwd)).stderr).toContain('serve needs the app module.');
  });

  it('a name registered twice: usage error (2) naming both registrations and the fix, nothing created', async () => {
    const dataDir = join(tempDir(), 'state');
    const r = await runCli(['serve', 'test/cli/fixtures/duplicate-app.ts', '--port', '0', '--data-dir', dataDir], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "error: The app module 'test/cli/fixtures/duplicate-app.ts' cannot register its orchestrations: Orchestrator 'Hello' is already registered (first as function hello, again as function helloAgain)",
    );
    expect(r.stderr).toContain('rename one of the two or remove the second registration');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a port in use: exit 1, "port N is in use; pass --port or stop the other process", nothing created', async () => {
    const taken: Server = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      const dataDir = join(tempDir(), 'state');
      const r = await runCli(['serve', APP, '--port', String(port), '--data-dir', dataDir], cwd);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: port ${port} is in use; pass --port or stop the other process.`);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('a data directory another host runs on: exit 1, naming that host, and the running host is undisturbed', async () => {
    const dataDir = join(tempDir(), 'state');
    const stop = new AbortController();
    const { io, out } = testIO(cwd, { stopSignal: stop.signal });
    const first = main(['serve', APP, '--port', '0', '--data-dir', dataDir], io);
    const base = await waitFor(() => /listening on (http:\/\/\S+)/.exec(out.join(''))?.[1], 'the URL');
    try {
      const r = await runCli(['serve', APP, '--port', '0', '--data-dir', dataDir], cwd);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: ${join(dataDir, 'durable.sqlite')}: The store is owned by process ${process.pid} on host '`);
      expect(r.stderr).toContain('Stop the other host first, or pass another --data-dir.');
      expect((await fetch(`${base}/orchestrators/HelloSequence`, { method: 'POST' })).status).toBe(202);
    } finally {
      stop.abort();
    }
    expect(await first).toBe(0);
  });

  it('bad options are usage errors (2): the port, from the flag or PORT', async () => {
    const dataDir = join(tempDir(), 'state');
    const flag = await runCli(['serve', APP, '--port', '70000', '--data-dir', dataDir], cwd);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--port must be an integer from 0 to 65535; got '70000'.");
    const env = await runCli(['serve', APP, '--data-dir', dataDir], cwd, { env: { PORT: 'x' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("PORT must be an integer from 0 to 65535; got 'x'.");
    const exposed = await runCli(['serve', APP, '--port', '0', '--host', '0.0.0.0', '--data-dir', dataDir], cwd);
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toContain('Refusing to serve 0.0.0.0 without a token');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a missing optional peer is reported by name with its install command', async () => {
    const name = 'edge-durable-test-absent-peer';
    const error = await importPeer(name, 'edge-durable/node', () => import(name)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPeerError);
    expect((error as Error).message).toBe(`edge-durable/node needs the package '${name}': npm install ${name}`);
    // Only "this package is missing" is translated; other failures pass through.
    const broken = new Error('native module did not self-register');
    await expect(importPeer(name, 'x', () => Promise.reject(broken))).rejects.toBe(broken);
  });

  it('the executable serves until SIGTERM and exits 0', async () => {
    const dataDir = join(tempDir(), 'state');
    const child = spawn(process.execPath, ['cli/bin.mjs', 'serve', APP, '--port', '0', '--data-dir', dataDir], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], 'the URL', 40_000);
      expect((await fetch(`${base}/instances`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toMatch(/SIGTERM: shutting down[\s\S]*Stopped\./);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
