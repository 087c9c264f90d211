/**
 * The Azure Functions app of test/azure/app from the installed package (install.ts): served by
 * the package's `durable serve --durable-functions` (its resolve hook maps the two imports to
 * the package's own entries by self-reference), and bundled for workerd with the two names
 * aliased to the installed entries, as a wrangler `[alias]` does. The same HTTP scenario as
 * test/azure runs against the sources.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { azureScenarios } from '../azure/scenario.js';
import { startWorkerd, type WorkerdServer } from '../http/workerd.js';
import { installPackage, ROOT } from './install.js';

/** test/azure's app and Worker copied into the consumer project, where their imports resolve to node_modules. */
async function appInProject(): Promise<string> {
  const { dir } = await installPackage();
  const into = join(dir, 'azure');
  cpSync(join(ROOT, 'test', 'azure', 'app'), join(into, 'app'), { recursive: true });
  cpSync(join(ROOT, 'test', 'azure', 'worker.ts'), join(into, 'worker.ts'));
  return into;
}

describe('installed package: durable serve --durable-functions', () => {
  let host: ChildProcess;
  let state: string;
  let url = '';
  beforeAll(async () => {
    const app = await appInProject();
    state = mkdtempSync(join(tmpdir(), 'durable-azure-pkg-'));
    const bin = join(app, '..', 'node_modules', '.bin', 'durable');
    host = spawn(bin, ['serve', '--durable-functions', 'azure/app/*.ts', '--port', '0', '--data-dir', state], {
      cwd: join(app, '..'),
      env: { ...process.env, DURABLE_TOKEN: '', PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    host.stderr!.on('data', (d) => (output += d));
    url = await new Promise<string>((resolve, reject) => {
      host.stdout!.on('data', (d) => {
        output += d;
        const m = /listening on (http:\/\/[^/\s]+)/.exec(output);
        if (m) resolve(m[1]!);
      });
      host.on('exit', (code) => reject(new Error(`durable serve exited ${code}:\n${output}`)));
    });
  }, 600_000);
  afterAll(async () => {
    if (host && host.exitCode === null) {
      const exited = new Promise((r) => host.on('exit', r));
      host.kill('SIGTERM');
      await exited;
    }
    if (state) rmSync(state, { recursive: true, force: true });
  });

  azureScenarios(() => ({ url, headers: {} }));
});

describe('installed package: the app bundled for workerd with the alias', () => {
  const token = 'admin-token-for-azure-package-tests';
  let server: WorkerdServer;
  beforeAll(async () => {
    const app = await appInProject();
    const entry = (name: string) => join(app, '..', 'node_modules', 'edge-durable', 'dist', 'package', `${name}.js`);
    server = await startWorkerd(
      { DURABLE_TOKEN: token },
      {
        entry: join(app, 'worker.ts'),
        alias: {
          'durable-functions': entry('durable-functions'),
          '@azure/functions': entry('azure-functions'),
          'edge-durable/cloudflare': entry('cloudflare'),
        },
      },
    );
  }, 600_000);
  afterAll(() => server?.close());

  azureScenarios(() => ({ url: server.url, headers: { authorization: `Bearer ${token}` } }));
});
