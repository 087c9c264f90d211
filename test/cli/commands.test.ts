/**
 * Every `durable` command against a live endpoint (the Node host) and against a local
 * store file (SQLite), with the error paths: unknown ID → 3, bad input → 2, wrong state → 1.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle } from '../../core/wire/bundle.js';
import { endpointTarget, storeTarget, type Target } from './helpers.js';

describe.each([
  ['endpoint', endpointTarget],
  ['store', storeTarget],
] as const)('durable against a %s', (kind, create) => {
  let t: Target;
  beforeAll(async () => {
    t = await create();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('start-new', () => {
    it('starts an instance with --id and --input, and it runs on the host', async () => {
      const r = await t.run(['start-new', '--function-name', 'FanOutFanIn', '--input', '4', '--id', 'fan-1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("Started 'FanOutFanIn' as instance 'fan-1'");
      if (kind === 'store') expect(r.stdout).toMatch(/queued in the local store; it takes effect when a host/);
      else expect(r.stdout).toContain('/runtime/webhooks/durabletask/instances/fan-1');
      expect(await t.waitFor('fan-1')).toBe('Completed');
      expect((await t.client.getStatus('fan-1'))?.output).toBe(1 + 4 + 9 + 16);
    });

    it('reads --input from @file and prints JSON with --json', async () => {
      writeFileSync(join(t.dir, 'input.json'), JSON.stringify({ timeoutSeconds: 7200 }));
      const r = await t.run(['start-new', '--function-name', 'Approval', '--input', '@input.json', '--id', 'file-input', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json()).toMatchObject({ id: 'file-input', name: 'Approval', queued: kind === 'store' });
      // A store has no host running: the instance waits, Pending, for one.
      if (kind === 'store') expect(r.json().runtimeStatus).toBe('Pending');
      await t.waitFor('file-input', 'Running');
      expect((await t.client.getStatus('file-input'))?.input).toEqual({ timeoutSeconds: 7200 });
    });

    it('generates an ID when --id is absent', async () => {
      const r = await t.run(['start-new', '--function-name', 'HelloSequence', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json().id).toMatch(/^[0-9a-f]{32}$/);
    });

    it('rejects bad input with exit 2 and says how to fix it', async () => {
      const noName = await t.run(['start-new', '--input', '1']);
      expect(noName.code).toBe(2);
      expect(noName.stderr).toContain('--function-name is required');
      const badJson = await t.run(['start-new', '--function-name', 'HelloSequence', '--input', 'Tokyo']);
      expect(badJson.code).toBe(2);
      expect(badJson.stderr).toMatch(/--input is not valid JSON[\s\S]*a string needs quotes/);
      const missingFile = await t.run(['start-new', '--function-name', 'HelloSequence', '--input', '@nope.json']);
      expect(missingFile.code).toBe(2);
      expect(missingFile.stderr).toContain("Cannot read file 'nope.json' for --input: no such file");
      const badId = await t.run(['start-new', '--function-name', 'HelloSequence', '--id', 'a/b']);
      expect(badId.code).toBe(2);
      const unknownOption = await t.run(['start-new', '--function', 'HelloSequence']);
      expect(unknownOption.code).toBe(2);
      expect(unknownOption.stderr).toMatch(/Unknown option '--function'[\s\S]*durable start-new --help/);
    });

    it('refuses an ID that is already running (exit 1)', async () => {
      await t.client.startNew('Approval', { instanceId: 'busy' });
      const r = await t.run(['start-new', '--function-name', 'HelloSequence', '--id', 'busy']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/already exists and is (Pending|Running)/);
    });

    if (kind === 'endpoint') {
      it('reports an orchestrator the host does not register as not found (exit 3)', async () => {
        const r = await t.run(['start-new', '--function-name', 'NoSuchOrchestrator']);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/No orchestrator named 'NoSuchOrchestrator'.*HelloSequence/);
      });
    }
  });

  describe('get-runtime-status', () => {
    beforeAll(async () => {
      await t.client.startNew('HelloSequence', { instanceId: 'status-1', input: { note: 'hi' } });
      await t.waitFor('status-1');
    });

    it('shows the status, with input and output only when asked', async () => {
      const plain = await t.run(['get-runtime-status', '--id', 'status-1']);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toMatch(/Runtime status:\s+Completed/);
      expect(plain.stdout).toContain('(hidden; pass --show-output)');
      const shown = await t.run(['get-runtime-status', '--id', 'status-1', '--show-input', 'true', '--show-output']);
      expect(shown.stdout).toContain('{"note":"hi"}');
      expect(shown.stdout).toContain('["Hello Tokyo!","Hello Seattle!","Hello London!"]');
    });

    it('prints the status payload with --json', async () => {
      const r = await t.run(['get-runtime-status', '--id', 'status-1', '--show-output', '--json']);
      expect(r.json()).toMatchObject({
        name: 'HelloSequence',
        instanceId: 'status-1',
        runtimeStatus: 'Completed',
        output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      });
      expect(r.json()).not.toHaveProperty('input');
    });

    it('exits 3 for an unknown ID and 2 for a malformed or missing one', async () => {
      const missing = await t.run(['get-runtime-status', '--id', 'nobody']);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toMatch(/No orchestration instance with ID 'nobody' exists[\s\S]*hint:/);
      expect((await t.run(['get-runtime-status', '--id', '@entity'])).code).toBe(2);
      expect((await t.run(['get-runtime-status'])).code).toBe(2);
    });

    it('reports errors as JSON on stderr with --json', async () => {
      const r = await t.run(['get-runtime-status', '--id', 'nobody', '--json']);
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 3, message: expect.stringContaining('nobody') } });
    });
  });

  describe('get-history', () => {
    it('lists every history row, numbered, oldest first, read a page at a time', async () => {
      await t.client.startNew('HelloSequence', { instanceId: 'history-1' });
      await t.waitFor('history-1');
      const stored = await t.client.getHistory('history-1');
      const r = await t.run(['get-history', '--id', 'history-1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(/^#\s+TIMESTAMP\s+EVENT\s+NAME\s+DETAILS$/);
      expect(r.stdout).toMatch(/\n2\s+\S+\s+ExecutionStarted\s+HelloSequence/);
      expect(r.stdout).toMatch(/TaskScheduled\s+SayHello\s+id 0 · input "Tokyo"/);
      expect(r.stdout).toMatch(/TaskCompleted\s+for id 0 · result "Hello Tokyo!"/);
      const rows = (await t.run(['get-history', '--id', 'history-1', '--json'])).json<{ EventType: string }[]>();
      expect(rows.map((e) => e.EventType)).toEqual(stored.map((e) => e.type));
    });

    it('--from and --top show one page and say how to get the next', async () => {
      const stored = await t.client.getHistory('history-1');
      const r = await t.run(['get-history', '--id', 'history-1', '--from', '2', '--top', '3']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^#/);
      expect(r.stdout).toMatch(/\n3\s/);
      expect(r.stdout).toContain(`(rows 3-5 of ${stored.length}; --from 5 for more)`);
      const page = (await t.run(['get-history', '--id', 'history-1', '--from', '2', '--top', '3', '--json'])).json<{ EventType: string }[]>();
      expect(page.map((e) => e.EventType)).toEqual(stored.slice(2, 5).map((e) => e.type));
      const past = await t.run(['get-history', '--id', 'history-1', '--from', String(stored.length)]);
      expect(past.stdout).toContain(`has ${stored.length} history rows; none from row ${stored.length}`);
      const bad = await t.run(['get-history', '--id', 'history-1', '--top', '0']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--top');
      expect(bad.stderr).toContain('from 1 to 1000');
    });

    it('exits 3 for an unknown ID', async () => {
      expect((await t.run(['get-history', '--id', 'nobody'])).code).toBe(3);
      expect((await t.run(['get-history', '--id', 'nobody', '--top', '5'])).code).toBe(3);
    });
  });

  describe('count', () => {
    it('prints every status with its count, in a created-time range', async () => {
      const counted = await t.client.countInstances();
      const r = await t.run(['count']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(/^STATUS\s+COUNT$/);
      expect(r.stdout).toMatch(new RegExp(`Completed\\s+${counted.Completed}\\n`));
      expect(r.stdout).toMatch(/Suspended\s+\d+\n/);
      const json = (await t.run(['count', '--json'])).json<Record<string, number>>();
      expect(Object.keys(json).sort()).toEqual(['Completed', 'ContinuedAsNew', 'Failed', 'Pending', 'Running', 'Suspended', 'Terminated']);
      expect(json.Completed).toBeGreaterThan(0);
      const none = (await t.run(['count', '--created-from', '2999-01-01T00:00:00Z', '--json'])).json<Record<string, number>>();
      expect(Object.values(none)).toEqual([0, 0, 0, 0, 0, 0, 0]);
      expect((await t.run(['count', '--created-to', 'tomorrow'])).code).toBe(2);
    });
  });

  describe('export', () => {
    it('writes a history bundle of the instance, with --children its sub-orchestrations', async () => {
      await t.client.startNew('ParentChild', { instanceId: 'export-1' });
      await t.waitFor('export-1');
      const r = await t.run(['export', '--id', 'export-1', '--children', '--out', 'export-1.json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/Exported 2 instances \(\d+ history rows\) to .*export-1\.json/);
      const bundle = parseBundle(readFileSync(join(t.dir, 'export-1.json'), 'utf8'));
      expect(bundle).toMatchObject({
        format: 'edge-durable/history-bundle',
        version: 1,
        source: { taskHub: t.client.taskHubName, backend: kind === 'endpoint' ? 'http' : 'sqlite' },
      });
      expect(bundle.instance).toMatchObject({ instanceId: 'export-1', name: 'ParentChild', runtimeStatus: 'Completed' });
      expect(bundle.history.map((row) => row.EventType)).toEqual((await t.client.getHistory('export-1')).map((e) => e.type));
      expect(bundle.children).toHaveLength(1);
      expect(bundle.children![0]!.instance).toMatchObject({ name: 'HelloSequence', runtimeStatus: 'Completed' });
      const plain = await t.run(['export', '--id', 'export-1']);
      expect(parseBundle(plain.stdout).children).toBeUndefined();
    });

    it('exits 3 for an unknown ID and writes nothing', async () => {
      const r = await t.run(['export', '--id', 'nobody', '--out', 'nobody.json']);
      expect(r.code).toBe(3);
      expect(existsSync(join(t.dir, 'nobody.json'))).toBe(false);
    });
  });

  describe('get-instances', () => {
    beforeAll(async () => {
      for (const id of ['list-a', 'list-b', 'list-c']) await t.client.startNew('HelloSequence', { instanceId: id });
      await t.client.startNew('Approval', { instanceId: 'list-wait' });
      for (const id of ['list-a', 'list-b', 'list-c']) await t.waitFor(id);
      await t.waitFor('list-wait', 'Running');
    });

    it('filters by status (space- or comma-separated, any case) and prefix', async () => {
      const r = await t.run(['get-instances', '--instance-id-prefix', 'list-', '--runtime-status', 'completed', 'Running', '--top', '100']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(/^INSTANCE ID\s+NAME\s+STATUS\s+CREATED\s+LAST UPDATED$/);
      for (const id of ['list-a', 'list-b', 'list-c', 'list-wait']) expect(r.stdout).toContain(id);
      const running = await t.run(['get-instances', '--instance-id-prefix', 'list-', '--runtime-status', 'Running,Pending', '--json']);
      expect(running.json().instances.map((s: { instanceId: string }) => s.instanceId)).toEqual(['list-wait']);
    });

    it('pages with --top and --continuation-token', async () => {
      const first = await t.run(['get-instances', '--instance-id-prefix', 'list-', '--top', '2']);
      const token = /Continuation token for next set of results: (\S+)/.exec(first.stdout)?.[1];
      expect(token).toBeDefined();
      const second = await t.run(['get-instances', '--instance-id-prefix', 'list-', '--top', '2', '--continuation-token', token!, '--json']);
      expect(second.code, second.stderr).toBe(0);
      const all = [...first.stdout.matchAll(/^(list-\S+)/gm)].map((m) => m[1]).concat(second.json().instances.map((s: { instanceId: string }) => s.instanceId));
      expect(all.sort()).toEqual(['list-a', 'list-b', 'list-c', 'list-wait']);
    });

    it('filters by creation time', async () => {
      const future = await t.run(['get-instances', '--created-after', '2999-01-01']);
      expect(future.stdout).toBe('No instances match.\n');
      const past = await t.run(['get-instances', '--created-before', '2000-01-01T00:00Z', '--json']);
      expect(past.json().instances).toEqual([]);
    });

    it('rejects bad dates, statuses and page sizes with exit 2', async () => {
      const date = await t.run(['get-instances', '--created-after', '2026-13-01']);
      expect(date.code).toBe(2);
      expect(date.stderr).toMatch(/--created-after '2026-13-01' is not a date[\s\S]*ISO 8601/);
      expect((await t.run(['get-instances', '--created-before', 'yesterday'])).code).toBe(2);
      expect((await t.run(['get-instances', '--runtime-status', 'Done'])).code).toBe(2);
      expect((await t.run(['get-instances', '--top', '0'])).code).toBe(2);
      const reversed = await t.run(['get-instances', '--created-after', '2026-02-01', '--created-before', '2026-01-01']);
      expect(reversed.code).toBe(2);
    });
  });

  describe('raise-event', () => {
    it('delivers an event; the instance completes', async () => {
      await t.client.startNew('Approval', { instanceId: 'approve-1' });
      await t.waitFor('approve-1', 'Running');
      const r = await t.run(['raise-event', '--id', 'approve-1', '--event-name', 'Approval', '--event-data', 'true']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("Raised event 'Approval' to instance 'approve-1'");
      await t.waitFor('approve-1');
      expect((await t.client.getStatus('approve-1'))?.output).toBe('approved');
    });

    it('reads --event-data from @file', async () => {
      writeFileSync(join(t.dir, 'no.json'), 'false');
      await t.client.startNew('Approval', { instanceId: 'approve-2' });
      const r = await t.run(['raise-event', '--id', 'approve-2', '--event-name', 'Approval', '--event-data', '@no.json']);
      expect(r.code, r.stderr).toBe(0);
      await t.waitFor('approve-2');
      expect((await t.client.getStatus('approve-2'))?.output).toBe('rejected');
    });

    it('exits 3 for an unknown ID, 1 for a finished instance, 2 for bad data or no name', async () => {
      expect((await t.run(['raise-event', '--id', 'nobody', '--event-name', 'Approval'])).code).toBe(3);
      await t.client.startNew('HelloSequence', { instanceId: 'done-1' });
      await t.waitFor('done-1');
      const finished = await t.run(['raise-event', '--id', 'done-1', '--event-name', 'Approval', '--event-data', 'true']);
      expect(finished.code).toBe(1);
      expect(finished.stderr).toMatch(/it is Completed/);
      expect((await t.run(['raise-event', '--id', 'done-1', '--event-name', 'Approval', '--event-data', '{oops'])).code).toBe(2);
      expect((await t.run(['raise-event', '--id', 'done-1'])).code).toBe(2);
    });
  });

  describe('terminate', () => {
    it('terminates a running instance', async () => {
      await t.client.startNew('Approval', { instanceId: 'term-1' });
      await t.waitFor('term-1', 'Running');
      const r = await t.run(['terminate', '--id', 'term-1', '--reason', 'Found a bug']);
      expect(r.code, r.stderr).toBe(0);
      if (kind === 'endpoint') expect(r.stdout).toContain("Instance 'term-1' is Terminated.");
      else expect(r.stdout).toMatch(/Termination of instance 'term-1' requested[\s\S]*queued in the local store/);
      expect(await t.waitFor('term-1')).toBe('Terminated');
      expect((await t.client.getStatus('term-1'))?.output).toBe('Found a bug');
    });

    it('exits 3 for an unknown ID and 1 for a finished instance', async () => {
      expect((await t.run(['terminate', '--id', 'nobody'])).code).toBe(3);
      await t.client.startNew('HelloSequence', { instanceId: 'term-done' });
      await t.waitFor('term-done');
      const r = await t.run(['terminate', '--id', 'term-done']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Cannot terminate instance 'term-done': it is Completed/);
      expect((await t.run(['terminate', '--id', 'term-done', '--timeout', 'soon'])).code).toBe(2);
    });
  });

  describe('rewind', () => {
    it('rewinds a Failed instance, printing the status before and after', async () => {
      await t.client.startNew('FlakyActivity', { instanceId: `flaky-${kind}`, input: { failTimes: 1 } });
      expect(await t.waitFor(`flaky-${kind}`)).toBe('Failed');
      const r = await t.run(['rewind', '--id', `flaky-${kind}`, '--reason', 'try again']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Status before rewind: Failed');
      expect(r.stdout).toMatch(/Status after rewind: \w+/);
      expect(await t.waitFor(`flaky-${kind}`, 'Completed')).toBe('Completed');
      expect((await t.client.getStatus(`flaky-${kind}`))?.output).toBe('recovered');
    });

    it('exits 1 for an instance that is not Failed and 3 for an unknown one', async () => {
      await t.client.startNew('HelloSequence', { instanceId: 'rewind-done' });
      await t.waitFor('rewind-done');
      const r = await t.run(['rewind', '--id', 'rewind-done']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/rewind applies only to Failed/);
      expect((await t.run(['rewind', '--id', 'nobody'])).code).toBe(3);
    });
  });

  describe('reset', () => {
    it('resets an instance to a history row, or forks it there under --new-id', async () => {
      await t.client.startNew('HelloSequence', { instanceId: `reset-${kind}` });
      await t.waitFor(`reset-${kind}`);
      const r = await t.run(['reset', '--id', `reset-${kind}`, '--event-id', '8', '--reason', 'again']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Reset of instance 'reset-${kind}' to history row 8 requested.`);
      if (kind === 'store') expect(r.stdout).toMatch(/the reset is queued in the local store/);
      await expect
        .poll(
          async () => {
            await t.settle();
            return (await t.client.getHistory(`reset-${kind}`)).some((e) => e.type === 'ExecutionReset');
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      expect(await t.waitFor(`reset-${kind}`)).toBe('Completed');
      expect((await t.client.getHistory(`reset-${kind}`))[8]).toMatchObject({ type: 'ExecutionReset', position: 8, reason: 'again' });
      const fork = await t.run(['reset', '--id', `reset-${kind}`, '--event-id', '4', '--new-id', `fork-${kind}`, '--no-reapply-events', '--json']);
      expect(fork.code, fork.stderr).toBe(0);
      expect(fork.json()).toEqual({ id: `reset-${kind}`, instanceId: `fork-${kind}`, eventId: 4 });
      expect(await t.waitFor(`fork-${kind}`)).toBe('Completed');
      expect((await t.client.getStatus(`fork-${kind}`))?.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    });

    it('exits 2 without a valid --event-id or one out of range, 3 for an unknown instance, 1 over a running fork target', async () => {
      await t.client.startNew('HelloSequence', { instanceId: `reset-bad-${kind}` });
      await t.waitFor(`reset-bad-${kind}`);
      const missing = await t.run(['reset', '--id', `reset-bad-${kind}`]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--event-id is required');
      expect((await t.run(['reset', '--id', `reset-bad-${kind}`, '--event-id', 'two'])).code).toBe(2);
      const range = await t.run(['reset', '--id', `reset-bad-${kind}`, '--event-id', '99']);
      expect(range.code).toBe(2);
      expect(range.stderr).toContain('from 1 to 16');
      expect((await t.run(['reset', '--id', 'nobody', '--event-id', '1'])).code).toBe(3);
      await t.client.startNew('Approval', { instanceId: `reset-busy-${kind}` });
      const busy = await t.run(['reset', '--id', `reset-bad-${kind}`, '--event-id', '4', '--new-id', `reset-busy-${kind}`]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/already exists/);
    });
  });

  describe('suspend and resume', () => {
    it('suspends and resumes a running instance', async () => {
      await t.client.startNew('Approval', { instanceId: 'pause-1' });
      await t.waitFor('pause-1', 'Running');
      expect((await t.run(['suspend', '--id', 'pause-1', '--reason', 'maintenance'])).code).toBe(0);
      expect(await t.waitFor('pause-1', 'Suspended')).toBe('Suspended');
      const resumed = await t.run(['resume', '--id', 'pause-1']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain("Resumption of instance 'pause-1' requested.");
      expect(await t.waitFor('pause-1', 'Running')).toBe('Running');
    });

    it('exits 3 for an unknown ID and 1 for a finished instance', async () => {
      expect((await t.run(['suspend', '--id', 'nobody'])).code).toBe(3);
      expect((await t.run(['resume', '--id', 'nobody'])).code).toBe(3);
      await t.client.startNew('HelloSequence', { instanceId: 'pause-done' });
      await t.waitFor('pause-done');
      expect((await t.run(['suspend', '--id', 'pause-done'])).code).toBe(1);
      expect((await t.run(['resume', '--id', 'pause-done'])).code).toBe(1);
    });
  });

  describe('restart', () => {
    it('restarts a finished instance under a new ID, or the same one with --same-id', async () => {
      await t.client.startNew('HelloSequence', { instanceId: 'again-1', input: 'x' });
      await t.waitFor('again-1');
      const r = await t.run(['restart', '--id', 'again-1', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const next = r.json().newInstanceId as string;
      expect(next).not.toBe('again-1');
      expect(await t.waitFor(next)).toBe('Completed');
      expect((await t.client.getStatus(next))?.input).toBe('x');
      const same = await t.run(['restart', '--id', 'again-1', '--same-id']);
      expect(same.code, same.stderr).toBe(0);
      expect(same.stdout).toContain("Restarted instance 'again-1' as 'again-1'.");
    });

    it('exits 3 for an unknown ID and 1 for --same-id on a running instance', async () => {
      expect((await t.run(['restart', '--id', 'nobody'])).code).toBe(3);
      await t.client.startNew('Approval', { instanceId: 'again-busy' });
      const r = await t.run(['restart', '--id', 'again-busy', '--same-id']);
      expect(r.code).toBe(1);
    });
  });

  describe('wait', () => {
    // Store mode: the CLI's polling sleeps are where the test host gets to run.
    const io = () => ({
      sleep: async () => {
        await t.settle();
      },
    });

    it('waits for completion and exits 0 with the status', async () => {
      await t.client.startNew('HelloSequence', { instanceId: 'wait-1' });
      const r = await t.run(['wait', '--id', 'wait-1', '--timeout', '10', '--interval', '0.01'], io());
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Runtime status:\s+Completed/);
    });

    it('exits 1 when the instance fails or is still running at the timeout, 3 when unknown', async () => {
      await t.client.startNew('FlakyActivity', { instanceId: 'wait-fail', input: { failTimes: 5 } });
      const failed = await t.run(['wait', '--id', 'wait-fail', '--timeout', '10', '--interval', '0.01'], io());
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("Instance 'wait-fail' ended Failed.");
      await t.client.startNew('Approval', { instanceId: 'wait-slow' });
      const slow = await t.run(['wait', '--id', 'wait-slow', '--timeout', '0.05', '--interval', '0.01'], io());
      expect(slow.code).toBe(1);
      expect(slow.stderr).toMatch(/is still (Pending|Running) after 0.05 s/);
      expect((await t.run(['wait', '--id', 'nobody', '--timeout', '1'])).code).toBe(3);
      expect((await t.run(['wait', '--id', 'wait-slow', '--interval', '0'])).code).toBe(2);
    });
  });

  describe('purge-history', () => {
    it('purges finished instances by filter and one by --id', async () => {
      for (const id of ['purge-a', 'purge-b']) await t.client.startNew('HelloSequence', { instanceId: id });
      for (const id of ['purge-a', 'purge-b']) await t.waitFor(id);
      const one = await t.run(['purge-history', '--id', 'purge-a']);
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toBe('Instances deleted: 1\n');
      expect(await t.client.getStatus('purge-a')).toBeNull();
      const future = await t.run(['purge-history', '--created-after', '2999-01-01', '--json']);
      expect(future.json()).toEqual({ instancesDeleted: 0 });
      const all = await t.run(['purge-history', '--created-before', '2999-01-01', '--runtime-status', 'completed', '--json']);
      expect(all.code, all.stderr).toBe(0);
      expect(all.json().instancesDeleted).toBeGreaterThanOrEqual(1);
      expect(await t.client.getStatus('purge-b')).toBeNull();
    });

    it('exits 1 for a running instance, 3 for an unknown one, 2 for bad filters', async () => {
      await t.client.startNew('Approval', { instanceId: 'purge-running' });
      const running = await t.run(['purge-history', '--id', 'purge-running']);
      expect(running.code).toBe(1);
      expect(running.stderr).toMatch(/Cannot purge instance 'purge-running'/);
      expect((await t.run(['purge-history', '--id', 'nobody'])).code).toBe(3);
      expect((await t.run(['purge-history', '--created-before', '31/12/2025'])).code).toBe(2);
      const active = await t.run(['purge-history', '--runtime-status', 'Running']);
      expect(active.code).toBe(2);
      expect(active.stderr).toContain('cannot be purged');
      expect((await t.run(['purge-history', '--id', 'x', '--created-after', '2026-01-01'])).code).toBe(2);
    });
  });

  describe('batch', () => {
    const start = async (prefix: string, n: number, name = 'Approval') => {
      const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
      for (const id of ids) await t.client.startNew(name, { instanceId: id });
      for (const id of ids) await t.waitFor(id, name === 'Approval' ? 'Running' : undefined);
      return ids;
    };

    it('refuses without a terminal unless --yes, and without a filter', async () => {
      await start('batch-refuse', 2);
      const r = await t.run(['batch', 'terminate', '--instance-id-prefix', 'batch-refuse-']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/2 instances[\s\S]*will be terminated[\s\S]*stdin is not a terminal[\s\S]*--yes/);
      const noFilter = await t.run(['batch', 'terminate', '--yes']);
      expect(noFilter.code).toBe(2);
      expect(noFilter.stderr).toContain('Say which instances to terminate');
      expect((await t.run(['batch', 'explode', '--all', '--yes'])).code).toBe(2);
      expect((await t.run(['batch', 'terminate', '--created-before', 'soon', '--yes'])).code).toBe(2);
    });

    it('asks on a terminal, and does nothing when the answer is no', async () => {
      await start('batch-ask', 2);
      let asked = '';
      const no = await t.run(['batch', 'terminate', '--instance-id-prefix', 'batch-ask-'], {
        stdinIsTTY: true,
        confirm: async (q) => {
          asked = q;
          return false;
        },
      });
      expect(no.code).toBe(1);
      expect(asked).toBe('Terminate 2 instances? [y/N] ');
      expect((await t.client.getStatus('batch-ask-0'))?.runtimeStatus).toBe('Running');
      const yes = await t.run(['batch', 'terminate', '--instance-id-prefix', 'batch-ask-', '--reason', 'cleanup'], {
        stdinIsTTY: true,
        confirm: async () => true,
      });
      expect(yes.code, yes.stderr).toBe(0);
      expect(yes.stdout).toBe('Terminate: 2 of 2 instances terminated.\n');
      for (const id of ['batch-ask-0', 'batch-ask-1']) expect(await t.waitFor(id)).toBe('Terminated');
    });

    it('reports per-instance failures and exits 1', async () => {
      const ids = await start('batch-race', 3);
      // Between the listing and the operation, one instance finishes.
      const r = await t.run(['batch', 'terminate', '--instance-id-prefix', 'batch-race-', '--runtime-status', 'Running', 'Completed', '--json'], {
        stdinIsTTY: true,
        confirm: async () => {
          await t.client.raiseEvent(ids[1]!, 'Approval', true);
          await t.waitFor(ids[1]!);
          return true;
        },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('leaving out Completed instances');
      const report = r.json();
      expect(report).toMatchObject({ operation: 'terminate', matched: 3, failed: [{ instanceId: ids[1], exitCode: 1 }] });
      expect(report.failed[0].error).toMatch(/it is Completed/);
      expect(report.succeeded.sort()).toEqual([ids[0], ids[2]]);
    });

    it('rewinds the Failed instances and purges the finished ones', async () => {
      const ids = ['batch-fail-0', 'batch-fail-1'];
      for (const id of ids) await t.client.startNew('FlakyActivity', { instanceId: id, input: { failTimes: 1 } });
      for (const id of ids) expect(await t.waitFor(id)).toBe('Failed');
      const rewound = await t.run(['batch', 'rewind', '--instance-id-prefix', 'batch-fail-', '--yes']);
      expect(rewound.code, rewound.stderr).toBe(0);
      expect(rewound.stdout).toBe('Rewind: 2 of 2 instances rewound.\n');
      for (const id of ids) expect(await t.waitFor(id, 'Completed')).toBe('Completed');
      const purged = await t.run(['batch', 'purge', '--instance-id-prefix', 'batch-fail-', '--runtime-status', 'Completed', '--yes', '--json']);
      expect(purged.json()).toMatchObject({ operation: 'purge', matched: 2, failed: [] });
      const none = await t.run(['batch', 'purge', '--instance-id-prefix', 'batch-fail-', '--yes']);
      expect(none.code).toBe(0);
      expect(none.stdout).toMatch(/nothing to purge/);
      const wrong = await t.run(['batch', 'rewind', '--runtime-status', 'Running', '--yes']);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('Rewind does not apply to Running instances');
    });
  });

  describe('task hubs', () => {
    it('lists hubs, and deletes one only when confirmed (exit 3 when absent)', async () => {
      await t.run(['start-new', '--function-name', 'HelloSequence', '--task-hub-name', 'Scratch']);
      const hubs = await t.run(['get-task-hubs', '--json']);
      expect(hubs.json()).toContain('Scratch');
      const refused = await t.run(['delete-task-hub', '--task-hub-name', 'Scratch']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--yes');
      const deleted = await t.run(['delete-task-hub', '--task-hub-name', 'Scratch', '--yes']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toBe("Deleted task hub 'Scratch'.\n");
      const again = await t.run(['delete-task-hub', '--task-hub-name', 'Scratch', '--yes']);
      expect(again.code).toBe(3);
      expect((await t.run(['get-instances', '--task-hub-name', 'bad hub'])).code).toBe(2);
    });

    it('lists the orchestrators (endpoint) or says a store cannot (exit 1)', async () => {
      const r = await t.run(['get-orchestrators', '--json']);
      if (kind === 'endpoint') {
        expect(r.code, r.stderr).toBe(0);
        expect(r.json()).toContain('HelloSequence');
      } else {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('does not know which orchestrators');
      }
    });
  });
});

describe('a local store shared with a running host', () => {
  // Notifications stay within a process: the host's worker finds the CLI's writes by polling.
  it('start-new queues the instance; the host on the same file runs it; wait sees it complete', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { default: Database } = await import('better-sqlite3');
    const { SqliteStorage } = await import('../../core/store/sqlite.js');
    const { startNodeServer } = await import('../../edge-worker/node/server.js');
    const { registerSamples } = await import('../../samples/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'durable-cli-host-'));
    const file = join(dir, 'durable.sqlite');
    const storage = new SqliteStorage(new Database(file));
    const host = await startNodeServer({ app: registerSamples(), port: 0, storage, adminToken: 't', log: () => undefined, worker: { pollIntervalMs: 20 } });
    try {
      const { runCli } = await import('./helpers.js');
      const started = await runCli(['start-new', '--function-name', 'HelloSequence', '--id', 'shared-1', '--store', file], dir);
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toContain('queued in the local store');
      const waited = await runCli(['wait', '--id', 'shared-1', '--timeout', '3', '--interval', '0.05', '--store', file, '--json'], dir);
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.json()).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    } finally {
      await host.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('connection options', () => {
  it('needs exactly one of --endpoint and --store (flags or environment)', async () => {
    const t = await storeTarget();
    try {
      const none = await t.bare(['get-instances']);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/--endpoint URL[\s\S]*--store PATH/);
      expect((await t.bare(['get-instances', '--store', 'a', '--endpoint', 'http://x'])).code).toBe(2);
      expect((await t.bare(['get-instances'], { env: { DURABLE_ENDPOINT: 'http://x', DURABLE_STORE: 'y' } })).code).toBe(2);
      const noFile = await t.bare(['get-instances', '--store', 'missing.sqlite']);
      expect(noFile.code).toBe(2);
      expect(noFile.stderr).toContain('There is no store at');
      const env = await t.bare(['get-instances', '--json'], { env: { DURABLE_STORE: join(t.dir, 'durable.sqlite') } });
      expect(env.code, env.stderr).toBe(0);
      expect((await t.bare(['get-instances', '--endpoint', 'ftp://x'])).code).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('reports a wrong token and an unreachable endpoint (exit 1) with a hint', async () => {
    const t = await endpointTarget();
    try {
      const url = (await t.run(['start-new', '--function-name', 'HelloSequence', '--json'])).json().statusQueryGetUri as string;
      const origin = new URL(url).origin;
      const wrong = await t.bare(['get-instances', '--endpoint', origin, '--token', 'nope']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/refused the request \(HTTP 401\)[\s\S]*hint: Pass --token/);
      const viaEnv = await t.bare(['get-instances', '--json'], {
        env: { DURABLE_ENDPOINT: `${origin}/runtime/webhooks/durabletask/`, DURABLE_TOKEN: 'test-admin-token' },
      });
      expect(viaEnv.code, viaEnv.stderr).toBe(0);
    } finally {
      await t.close();
    }
    const gone = await runUnreachable();
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:\d+: fetch failed \(ECONNREFUSED\)[\s\S]*Is the host running/);
  });
});

/** A port that was just free: nothing listens there. */
async function runUnreachable() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const { runCli } = await import('./helpers.js');
  return runCli(['get-instances', '--endpoint', `http://127.0.0.1:${port}`], process.cwd());
}
