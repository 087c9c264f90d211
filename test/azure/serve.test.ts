/**
 * `durable serve --durable-functions`: an Azure Functions app (test/azure/app, imports of
 * durable-functions and @azure/functions untouched) in a real `durable` process, its HTTP
 * triggers under /api and the management API on the same port; and the bad inputs, each
 * refused before anything starts (exit 2, no data directory).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureScenarios } from './scenario.js';

const BIN = new URL('../../cli/bin.mjs', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

function durable(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, DURABLE_TOKEN: '', PORT: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = durable(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

describe('durable serve --durable-functions (Node)', () => {
  let child: ChildProcess;
  let dir: string;
  let url = '';
  let output = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'durable-azure-'));
    child = durable(['serve', '--durable-functions', 'test/azure/app/*.ts', '--port', '0', '--data-dir', join(dir, 'state')]);
    child.stderr!.on('data', (d) => (output += d));
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        output += d;
        const m = /listening on (http:\/\/[^/\s]+)/.exec(output);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`durable serve exited ${code}: ${output}`)));
    });
  }, 60_000);
  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the HTTP triggers it serves', () => {
    expect(output).toContain(`HTTP trigger: POST ${url}/api/orchestrators/{orchestratorName}`);
    expect(output).toContain(`HTTP trigger: GET ${url}/api/greet/{name:alpha}`);
  });

  azureScenarios(() => ({ url, headers: {} }));
});

describe('durable serve --durable-functions: bad input names the file and the registration, and starts nothing', () => {
  const refused = async (patterns: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-azure-bad-'));
    try {
      const r = await run(['serve', '--durable-functions', ...patterns, '--port', '0', '--data-dir', join(dir, 'state')]);
      expect(r.code).toBe(2);
      expect(r.stdout).not.toContain('listening');
      expect(existsSync(join(dir, 'state'))).toBe(false);
      return r.stderr;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('an unsupported trigger', async () => {
    const stderr = await refused(['test/azure/bad/timer/functions.ts']);
    expect(stderr).toContain(
      'error: Cannot load the function file \'test/azure/bad/timer/functions.ts\': app.timer("nightlyCleanup"): the timer trigger is not supported yet',
    );
  }, 60_000);

  it('a function name registered twice, across files', async () => {
    const stderr = await refused(['test/azure/bad/duplicate/*.ts']);
    expect(stderr).toContain(
      'Cannot load the function file \'test/azure/bad/duplicate/b.ts\': app.http("process") registers the function name \'process\' again (first registered by df.app.activity("process"))',
    );
  }, 60_000);

  it('a route template the router cannot express', async () => {
    const stderr = await refused(['test/azure/bad/route/functions.ts']);
    expect(stderr).toContain(
      "Cannot load the function file 'test/azure/bad/route/functions.ts': app.http(\"download\"): the route template 'files/{name:regex(^[a-z]+$)}' cannot be served",
    );
  }, 60_000);

  it('a package.json asking for durable-functions 2.x', async () => {
    const stderr = await refused(['test/azure/bad/v2/functions.ts']);
    expect(stderr).toContain("error: test/azure/bad/v2/package.json depends on durable-functions '^2.1.3'");
  }, 60_000);

  it('a pattern that names no file', async () => {
    const stderr = await refused(['test/azure/nothing-here/*.ts']);
    expect(stderr).toContain("error: 'test/azure/nothing-here/*.ts' names no file.");
  }, 60_000);
});
