/** `durable replay` and `durable replay-test`: recorded histories against edited orchestrator code, from a store and from bundles. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../core/index.js';
import { createBundle } from '../../core/wire/bundle.js';
import { toHistoryRows } from '../../core/wire/history-rows.js';
import { toStatusPayload } from '../../core/wire/payloads.js';
import { app as recorded } from '../fixtures/replay/order.js';
import { endpointTarget, runCli, storeTarget, type Target } from './helpers.js';

const FIXTURES = resolve('test/fixtures/replay');
const SAMPLES = resolve('test/cli/fixtures/samples-app.ts');
const cwd = process.cwd();
const lineOf = (name: string, text: string) =>
  readFileSync(join(FIXTURES, `${name}.ts`), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

let target: Target;
const ids = { done: 'order-done', waiting: 'order-waiting', parked: ['parked-1', 'parked-2'] };

async function writeBundle(dir: string, file: string, instanceId: string, history?: HistoryEvent[]) {
  const status = await target.client.getStatus(instanceId, { showInput: true });
  const bundle = createBundle({
    exportedAt: new Date().toISOString(),
    source: { taskHub: target.client.taskHubName },
    instance: toStatusPayload(status!),
    history: toHistoryRows(history ?? (await target.client.getHistory(instanceId)), { showHistoryOutput: true }),
  });
  writeFileSync(join(dir, file), JSON.stringify(bundle));
}

beforeAll(async () => {
  target = await storeTarget(recorded);
  await target.client.startNew('Order', { instanceId: ids.done, input: 'book' });
  await target.client.startNew('Order', { instanceId: ids.waiting, input: 'pen' });
  for (const id of ids.parked) await target.client.startNew('Parked', { instanceId: id });
  await target.waitFor(ids.waiting, 'Running');
  await target.client.raiseEvent(ids.done, 'Approval', 'alice');
  await target.waitFor(ids.done);
});
afterAll(() => target.close());

describe('durable replay', () => {
  it('replays a recorded history cleanly with the code that recorded it: exit 0', async () => {
    const r = await target.run(['replay', `${FIXTURES}/order.ts`, '--id', ids.done]);
    const events = (await target.client.getHistory(ids.done)).length;
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Order ${ids.done}: replays cleanly (${events} events)\n`);
    expect(r.code).toBe(0);
  });

  it('shows the first divergence of an edited orchestrator: position, recorded step, new step, line; exit 1', async () => {
    const r = await target.run(['replay', `${FIXTURES}/renamed.ts`, '--id', ids.done]);
    expect(r.code).toBe(1);
    const position = (await target.client.getHistory(ids.done)).findIndex((e) => e.type === 'TaskScheduled');
    expect(r.stdout).toContain(`Order ${ids.done}: diverges at history position ${position}\n`);
    expect(r.stdout).toContain(`  recorded:  TaskScheduled 'Reserve' input "book"\n`);
    expect(r.stdout).toContain(`  code now:  ScheduleTask 'Hold' input "book"\n`);
    expect(r.stdout).toMatch(new RegExp(`  at: +\\S*${FIXTURES}/renamed\\.ts:${lineOf('renamed', "callActivity('Hold'")}:\\d+\\n`));
    const json = (await target.run(['replay', `${FIXTURES}/renamed.ts`, '--id', ids.done, '--json'])).json();
    expect(json).toMatchObject({ instanceId: ids.done, report: { ok: false, divergence: { position, current: { name: 'Hold' } } } });
  });

  it('--all checks every matching instance and sums up: two parked instances replay, the edited Order does not', async () => {
    const r = await target.run(['replay', `${FIXTURES}/no-timer.ts`, '--all', '--runtime-status', 'Running']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Parked ${ids.parked[0]}: replays cleanly`);
    expect(r.stdout).toContain(`Parked ${ids.parked[1]}: replays cleanly`);
    expect(r.stdout).toContain(`Order ${ids.waiting}: diverges at history position`);
    expect(r.stdout).toContain('  recorded:  TimerCreated');
    expect(r.stdout).not.toContain(ids.done);
    expect(r.stdout).toMatch(/3 replayed: 2 replay cleanly, 1 diverge\.\n$/);
  });

  it('replays a bundle file with no store or endpoint', async () => {
    const dir = join(target.dir, 'one');
    mkdirSync(dir);
    await writeBundle(dir, 'done.json', ids.done);
    const r = await runCli(['replay', `${FIXTURES}/event-renamed.ts`, '--bundle', join(dir, 'done.json')], cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  recorded:  EventRaised 'Approval' input "alice"\n  code now:  WaitForExternalEvent 'Approved'\n`);
  });

  it('refuses bad input with a clear message and a usage or not-found exit', async () => {
    const missingModule = await target.run(['replay', `${FIXTURES}/nope.ts`, '--id', ids.done]);
    expect(missingModule.code).toBe(2);
    expect(missingModule.stderr).toContain(`Cannot load the app module '${FIXTURES}/nope.ts'`);
    const noInstance = await target.run(['replay', `${FIXTURES}/order.ts`, '--id', 'nobody']);
    expect(noInstance.code).toBe(3);
    expect(noInstance.stderr).toContain("No orchestration instance with ID 'nobody'");
    const otherOrchestrator = await target.run(['replay', SAMPLES, '--id', ids.done]);
    expect(otherOrchestrator.code).toBe(2);
    expect(otherOrchestrator.stderr).toContain(`is of orchestrator 'Order', which the app module '${SAMPLES}' does not register`);
    const dir = join(target.dir, 'future');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ format: 'edge-durable/history-bundle', version: 99, instance: {}, history: [] }));
    const future = await runCli(['replay', `${FIXTURES}/order.ts`, '--bundle', join(dir, 'b.json')], cwd);
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('is not a history bundle this version reads');
    expect((await target.run(['replay', `${FIXTURES}/order.ts`])).code).toBe(2);
  });
});

describe('durable replay-test', () => {
  it('prints one line per bundle and fails when one diverges', async () => {
    const dir = join(target.dir, 'corpus');
    mkdirSync(dir);
    await writeBundle(dir, 'a-done.json', ids.done);
    await writeBundle(dir, 'b-waiting.json', ids.waiting);
    await writeBundle(dir, 'c-parked.json', ids.parked[0]!);
    const clean = await runCli(['replay-test', dir, `${FIXTURES}/order.ts`], cwd);
    expect(clean.code).toBe(0);
    expect(clean.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^a-done\.json: replays cleanly \(\d+ events\)$/),
      expect.stringMatching(/^b-waiting\.json: replays cleanly/),
      expect.stringMatching(/^c-parked\.json: replays cleanly/),
      '3 replayed: 3 replay cleanly, 0 diverge.',
    ]);
    const edited = await runCli(['replay-test', dir, `${FIXTURES}/extra-step.ts`], cwd);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain('a-done.json: diverges at history position');
    expect(edited.stdout).toContain("  code now:  ScheduleTask 'Ship'");
    expect(edited.stdout).toContain('b-waiting.json: replays cleanly');
    expect(edited.stdout).toContain('3 replayed: 2 replay cleanly, 1 diverge.');
  });
});

describe('durable replay through an endpoint', () => {
  it('reads the history over HTTP, page by page, and finds the same divergence', async () => {
    const endpoint = await endpointTarget(recorded);
    try {
      const id = await endpoint.client.startNew('Order', { input: 'cup' });
      await endpoint.waitFor(id, 'Running');
      await endpoint.client.raiseEvent(id, 'Approval', 'bob');
      await endpoint.waitFor(id);
      const events = (await endpoint.client.getHistory(id)).length;
      const clean = await endpoint.run(['replay', `${FIXTURES}/order.ts`, '--id', id]);
      expect(clean.stdout).toBe(`Order ${id}: replays cleanly (${events} events)\n`);
      const edited = await endpoint.run(['replay', `${FIXTURES}/reordered.ts`, '--id', id]);
      expect(edited.code).toBe(1);
      expect(edited.stdout).toContain(`  recorded:  TaskScheduled 'Reserve' input "cup"\n  code now:  ScheduleTask 'Charge' input "nobody"\n`);
    } finally {
      await endpoint.close();
    }
  });
});
