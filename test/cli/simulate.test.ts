/** `durable simulate`: the simulator from the command line. */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const APP = 'test/cli/fixtures/samples-app.ts';
const cwd = process.cwd();
const sim = (...args: string[]) => runCli(['simulate', APP, ...args], cwd);

describe('durable simulate', () => {
  it('prints the history tree and the final status; exit 0 when completed', async () => {
    const r = await sim('HelloSequence', '--id', 'hello');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("HelloSequence · instance 'hello' · Completed");
    expect(r.stdout).toContain('└─ Activity \'SayHello\' #2 · input "London"');
    expect(r.stdout).toMatch(/└─ Status: Completed\n {3}├─ output \["Hello Tokyo!","Hello Seattle!","Hello London!"\]/);
    expect(r.stdout).toMatch(/Simulated 2026-01-01T00:00:00.000Z → 2026-01-01T00:0\d:00.000Z in \d+ ms \(4 durable writes\)/);
  });

  it('schedules events at virtual times, and times out without them', async () => {
    const approved = await sim('Approval', '--input', '{"timeoutSeconds":3600}', '--event', 'Approval=true@45m');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('Episode 2 · 2026-01-01T00:45:00.000Z (T+45m)');
    expect(approved.stdout).toContain('output "approved"');
    const late = await sim('Approval', '--input', '{"timeoutSeconds":3600}', '--event', 'Approval=true@2026-01-01T02:00:00Z');
    expect(late.code).toBe(0);
    expect(late.stdout).toContain('output "timed out"');
    expect(late.stdout).toMatch(/Dropped scheduled input raise 'Approval'/);
  });

  it('injects activity failures and crashes, and reports them in the log', async () => {
    const r = await runCli(['simulate', APP, 'FanOutFanIn', '--input', '3', '--fail-activity', 'Square@1', '--crash-after-commit', '2'], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The orchestration ended Failed.');
    expect(r.stdout).toContain("Injected failure of activity 'Square' (attempt 1).");
    expect(r.stdout).toContain('Worker crashed after durable write #2');
    const crashOnly = await sim('HelloSequence', '--crash-after-commit', '3', '--crash-after-commit', '5');
    expect(crashOnly.code, crashOnly.stderr).toBe(0);
    expect(crashOnly.stdout.match(/Worker crashed/g)).toHaveLength(2);
  });

  it('is deterministic: the same arguments print the same JSON', async () => {
    const args = ['ParentChild', '--json', '--crash-after-commit', '4', '--seed', '7'];
    const a = await sim(...args);
    const b = await sim(...args);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const report = a.json();
    expect(report.status).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    expect(report.history[1]).toMatchObject({ type: 'ExecutionStarted', name: 'ParentChild' });
  });

  it('exits 1 when the orchestration is left waiting, with a hint', async () => {
    const r = await sim('Counter', '--input', '0', '--event', 'Add=2@1m', '--until', '1h');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/still Running[\s\S]*--event/);
    expect(r.stdout).toContain('custom status {"total":2}');
  });

  it('reports usage errors (2) and an unknown orchestrator (3)', async () => {
    expect((await runCli(['simulate', APP], cwd)).code).toBe(2);
    const missing = await runCli(['simulate', 'nope.ts', 'HelloSequence'], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Cannot load the app module 'nope.ts'");
    const notApp = await runCli(['simulate', 'test/cli/helpers.ts', 'HelloSequence'], cwd);
    expect(notApp.code).toBe(2);
    expect(notApp.stderr).toContain('exports no DurableApp');
    const unknown = await sim('Nope');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/no orchestrator named 'Nope'[\s\S]*Registered: HelloSequence/);
    expect((await sim('Approval', '--event', '=1')).code).toBe(2);
    expect((await sim('Approval', '--event', 'Approval={bad')).code).toBe(2);
    expect((await sim('HelloSequence', '--fail-activity', 'SayHello@0')).code).toBe(2);
    expect((await sim('HelloSequence', '--crash-after-commit', 'x')).code).toBe(2);
    expect((await sim('HelloSequence', '--until', 'later')).code).toBe(2);
  });
});
