/**
 * The CLI's `--store` on the file of a running Node host (a child process): 100 Approval
 * instances started and 100 events raised through the CLI, by several CLI runs at once (each
 * its own connection, some of them the real `durable` executable in processes of their own),
 * while the host runs. The host picks every start and event up without a restart, each
 * instance completes with its event's data, and the CLI claims nothing: the host stays the
 * file's owner.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { type HostProcess, startHost } from '../http/host-process.js';
import { runCli } from './helpers.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const INSTANCES = 100;
/** Of them, started and raised by the `durable` executable in processes of their own (the rest by the CLI's main() in this process). */
const BY_EXECUTABLE = 4;
const CONCURRENCY = 8;

let host: HostProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  if (host?.child.exitCode === null) host.child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Even instances are approved (`true`); odd ones get other data, which Approval rejects and the history keeps. */
const eventData = (i: number) => (i % 2 === 0 ? true : { n: i });

it('100 starts and 100 raised events through durable --store while the host runs: all complete with their data, none lost', async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-durable-cli-live-'));
  host = await startHost(dir);
  const file = join(dir, 'durable.sqlite');

  const durable = async (i: number, args: string[]) => {
    const full = [...args, '--store', file];
    if (i < BY_EXECUTABLE) {
      await run(process.execPath, ['cli/bin.mjs', ...full], { cwd: ROOT });
      return;
    }
    const result = await runCli(full, dir!);
    if (result.code !== 0) throw new Error(`durable ${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
  };
  const operate = async (i: number) => {
    const id = `approval-${i}`;
    await durable(i, ['start-new', '--function-name', 'Approval', '--id', id, '--input', '{"timeoutSeconds":3600}']);
    await durable(i, ['raise-event', '--id', id, '--event-name', 'Approval', '--event-data', JSON.stringify(eventData(i))]);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i: number; (i = next++) < INSTANCES; ) await operate(i);
    }),
  );
  const lastWrite = Date.now();

  const outputs = new Map<string, unknown>();
  const deadline = lastWrite + 15_000;
  for (let i = 0; i < INSTANCES; i++) {
    const id = `approval-${i}`;
    for (;;) {
      const status = (await (await fetch(`${host.api}/instances/${id}`)).json()) as { runtimeStatus: string; output: unknown };
      if (status.runtimeStatus === 'Completed' || Date.now() > deadline) {
        outputs.set(id, status.runtimeStatus === 'Completed' ? status.output : status.runtimeStatus);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const pickedUpMs = Date.now() - lastWrite;
  expect(Object.fromEntries(outputs)).toEqual(
    Object.fromEntries(Array.from({ length: INSTANCES }, (_, i) => [`approval-${i}`, i % 2 === 0 ? 'approved' : 'rejected'])),
  );

  const db = new Database(file, { readonly: true });
  try {
    for (let i = 0; i < INSTANCES; i++) {
      const raised = (db.prepare('SELECT event FROM history WHERE instance_id = ? ORDER BY seq').all(`approval-${i}`) as { event: string }[])
        .map((r) => JSON.parse(r.event) as { type: string; input?: string })
        .filter((e) => e.type === 'EventRaised');
      expect(raised.map((e) => e.input)).toEqual([JSON.stringify(eventData(i))]);
    }
    // The CLI claimed nothing: the host is still the file's first and only owner.
    expect(db.prepare('SELECT epoch, pid FROM owner').get()).toEqual({ epoch: 1, pid: host.child.pid });
  } finally {
    db.close();
  }
  console.log(`cli --store while the host runs: ${INSTANCES} starts and ${INSTANCES} events; all completed ${pickedUpMs} ms after the last CLI write`);
  host.child.kill('SIGTERM');
  expect((await host.exited).code).toBe(0);
}, 90_000);
