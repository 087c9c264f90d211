/** The Node host's own behaviour: workers per task hub, resuming work after a restart, owning its data directory, auth defaults, shutdown. */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { type NodeServer, type NodeServerOptions, startNodeServer } from '../../edge-worker/node/server.js';
import { registerSamples } from '../../samples/index.js';

const PATH = '/runtime/webhooks/durabletask';
const dirs: string[] = [];
const servers: NodeServer[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'edge-durable-node-'));
  dirs.push(d);
  return d;
};
const app = registerSamples();
const start = async (options: Partial<NodeServerOptions>) => {
  const s = await startNodeServer({ app, port: 0, log: () => undefined, ...options });
  servers.push(s);
  return s;
};

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until(url: string, status: string, timeoutMs = 15_000): Promise<{ runtimeStatus: string; output: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url);
    const body = res.status === 404 ? undefined : ((await res.json()) as { runtimeStatus: string; output: unknown });
    if (body?.runtimeStatus === status) return body;
    if (Date.now() > deadline) throw new Error(`still ${body?.runtimeStatus ?? 'missing'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Node host', () => {
  it('work accepted while no worker ran is done after a restart on the same data dir', async () => {
    const dataDir = tempDir();
    const apiOnly = await start({ dataDir, runWorkers: false });
    const res = await fetch(`${apiOnly.url}${PATH}/orchestrators/HelloSequence/resume-me?taskHub=Later`, { method: 'POST' });
    expect(res.status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    expect(((await (await fetch(`${apiOnly.url}${PATH}/instances/resume-me?taskHub=Later`)).json()) as { runtimeStatus: string }).runtimeStatus).toBe(
      'Pending',
    );
    await apiOnly.close();
    servers.splice(servers.indexOf(apiOnly), 1);

    const host = await start({ dataDir });
    const done = await until(`${host.url}${PATH}/instances/resume-me?taskHub=Later`, 'Completed');
    expect(done.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('serves many requests that wait for their instances at once without a listener-leak warning', async () => {
    const host = await start({ dataDir: tempDir() });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          fetch(`${host.url}${PATH}/orchestrators/Approval/wait-${i}?timeout=5&pollingInterval=1`, { method: 'POST', body: '{"timeoutSeconds":0.2}' }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(24).fill(200));
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('runs a worker for each task hub a request writes to', async () => {
    const host = await start({ dataDir: tempDir() });
    for (const hub of ['HubA', 'HubB']) {
      const res = await fetch(`${host.url}${PATH}/orchestrators/HelloSequence?taskHub=${hub}&timeout=20&pollingInterval=0.05`, { method: 'POST' });
      expect(res.status).toBe(200);
    }
    expect(await (await fetch(`${host.url}${PATH}/taskhubs`)).json()).toEqual(['HubA', 'HubB']);
  });

  it('owns its data directory: a second host on it is refused, naming the first; an API-only host may share it', async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir });
    const refused = startNodeServer({ app, port: 0, dataDir, log: () => undefined });
    await expect(refused).rejects.toMatchObject({ name: 'StoreInUseError', code: 'StoreInUse' });
    await expect(refused).rejects.toThrow(new RegExp(`durable\\.sqlite: The store is owned by process ${process.pid} on host '[^']+' \\(owner since \\d{4}-`));
    // The refused host wrote nothing: the first still owns the file and runs work started through an API-only host on it.
    const apiOnly = await start({ dataDir, runWorkers: false });
    expect((await fetch(`${apiOnly.url}${PATH}/orchestrators/HelloSequence/shared`, { method: 'POST' })).status).toBe(202);
    expect((await until(`${first.url}${PATH}/instances/shared`, 'Completed')).output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('takes over at once from a dead owner whatever its recorded process and host (the lock it held is free)', async () => {
    // As a container restarted on the same volume leaves it: another host name, or this very process ID, with a fresh heartbeat.
    for (const dead of [
      { pid: 4242, hostname: 'another-container' },
      { pid: process.pid, hostname: hostname() },
    ]) {
      const dataDir = tempDir();
      const file = new SqliteStorage(new Database(join(dataDir, 'durable.sqlite')));
      file.claimOwnership({ ...dead, isAlive: () => false });
      await file.close();
      const lines: string[] = [];
      await start({ dataDir, log: (l) => lines.push(l) });
      expect(lines.join('\n')).toContain(`from process ${dead.pid} on '${dead.hostname}'`);
    }
  });

  it('a clean stop gives the file up: the next host takes it without a takeover', async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir });
    await first.close();
    const lines: string[] = [];
    await start({ dataDir, log: (l) => lines.push(l) });
    expect(lines.join('\n')).not.toMatch(/Took over/);
  });

  it('anonymous only on loopback, and says so; a token is required on other hosts', async () => {
    const lines: string[] = [];
    await start({ dataDir: tempDir(), log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/Auth: NONE.*loopback only/);
    await expect(startNodeServer({ app, port: 0, host: '0.0.0.0', dataDir: tempDir(), log: () => undefined })).rejects.toThrow(
      /Refusing to serve 0\.0\.0\.0 without a token/,
    );
    const withToken = await start({ port: 0, host: '0.0.0.0', dataDir: tempDir(), adminToken: 't0ken' });
    const url = withToken.url.replace('0.0.0.0', '127.0.0.1');
    expect((await fetch(`${url}${PATH}/instances`)).status).toBe(401);
    expect((await fetch(`${url}${PATH}/instances`, { headers: { authorization: 'Bearer t0ken' } })).status).toBe(200);
  });

  it('close() ends open long-polls, stops the workers, and is idempotent', async () => {
    const host = await start({ dataDir: tempDir() });
    const waiting = fetch(`${host.url}${PATH}/orchestrators/Approval?timeout=60&pollingInterval=1`, { method: 'POST' }).then(
      (r) => r.status,
      () => 'closed',
    );
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await Promise.all([host.close(), host.close()]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await waiting).toBe('closed');
  });
});

describe('Node host startup failures', () => {
  it('a taken port fails the start and leaves the data directory free', async () => {
    const first = await start({ dataDir: tempDir() });
    const dataDir = tempDir();
    await expect(startNodeServer({ app, port: first.port, dataDir, log: () => undefined })).rejects.toThrow(/EADDRINUSE/);
    // The failed host released its database: another can open it.
    await start({ dataDir });
  });
});
