/** Help, usage errors, and the `durable` executable itself (bin.mjs → tsx or the esbuild bundle). */
import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/main.js';
import { runCli } from './helpers.js';

const run = promisify(execFile);
const cwd = process.cwd();

describe('help', () => {
  it.each(COMMANDS.map((c) => c.name))('durable %s --help', async (name) => {
    const r = await runCli([name, '--help'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: durable ${name}`));
    expect(r.stdout).toContain('Examples:');
    expect((await runCli(['help', name], cwd)).stdout).toBe(r.stdout);
  });

  it('lists every command; no command is a usage error; typos get a suggestion', async () => {
    const help = await runCli(['--help'], cwd);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(`  ${c.name}`);
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 the operation failed, 2 usage error, 3 not found.');
    expect((await runCli([], cwd)).code).toBe(2);
    const typo = await runCli(['get-runtime-stauts', '--id', 'x'], cwd);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Did you mean 'get-runtime-status'?");
    expect((await runCli(['help', 'nope'], cwd)).code).toBe(2);
    expect((await runCli(['--version'], cwd)).stdout).toMatch(/^durable \(edge-durable\) \d+\.\d+\.\d+/);
    expect((await runCli(['get-history', '--id', 'x', 'extra', '--store', 'y'], cwd)).stderr).toContain("Unexpected argument 'extra'");
  });
});

describe('durable reset --help', () => {
  it('says what the row number means and names every option', async () => {
    const r = await runCli(['reset', '--help'], cwd);
    expect(r.stdout).toContain('Usage: durable reset --id ID --event-id N [--new-id ID] [--reason TEXT] [--no-reapply-events]');
    expect(r.stdout).toContain('beyond Durable Functions');
    expect(r.stdout).toContain("1-based position in the instance's full history");
    for (const option of ['--event-id', '--new-id', '--reason', '--no-reapply-events']) expect(r.stdout).toContain(option);
  });
});

describe('the executable', () => {
  it('runs from the sources through tsx (no bundle needed)', async () => {
    const { stdout } = await run(
      process.execPath,
      ['cli/bin.mjs', 'simulate', 'test/cli/fixtures/samples-app.ts', 'LongTimer', '--input', '{"seconds":2592000}'],
      { cwd },
    );
    expect(stdout).toContain('last updated 2026-01-31T00:00:00.000Z (T+30d)');
    const failed = await run(process.execPath, ['cli/bin.mjs', 'get-runtime-status', '--id', 'x'], {
      cwd,
      env: { ...process.env, DURABLE_ENDPOINT: '', DURABLE_STORE: '' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
  }, 60_000);

  it('bundles with esbuild into one module that plain Node runs', async () => {
    const { targets } = (await import('../../esbuild.config.mjs')) as { targets: { cli: (o: { outfile: string }) => Promise<string> } };
    const dir = join(cwd, 'node_modules', '.cache', `durable-cli-${process.pid}`);
    try {
      const outfile = await targets.cli({ outfile: join(dir, 'cli.mjs') });
      const script = `const { main } = await import(${JSON.stringify(outfile)}); process.exitCode = await main(process.argv.slice(1));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, '--', '--version'], { cwd });
      expect(stdout).toMatch(/^durable \(edge-durable\) \d+\.\d+\.\d+/);
      const help = await run(process.execPath, ['--input-type=module', '-e', script, '--', 'batch', '--help'], { cwd });
      expect(help.stdout).toContain('Usage: durable batch <terminate|suspend|resume|rewind|purge|restart>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('stops writing quietly when its reader closes the pipe (durable … | head)', async () => {
    const child = spawn(process.execPath, ['cli/bin.mjs', '--help'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
