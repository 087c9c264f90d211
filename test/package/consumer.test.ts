/**
 * The package as a user gets it: `npm pack`, installed into a fresh project with its peers from
 * the registry (install.ts), then used through its entries, its declarations and its CLI.
 * The Node host test runs the README's Node quick start, command for command.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InstalledPackage, installPackage, ROOT } from './install.js';

const run = promisify(execFile);
const CONSUMER = join(ROOT, 'test/package/consumer');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const ENTRIES = ['index', 'indexeddb', 'sqlite', 'cloudflare', 'http', 'node', 'simulator'];
const DECLARATIONS = [
  'core/index',
  'edge-worker/browser/index',
  'core/store/sqlite',
  'edge-worker/cloudflare/index',
  'edge-worker/index',
  'edge-worker/node/index',
  'core/simulator/index',
];

let pkg: InstalledPackage;
beforeAll(async () => {
  pkg = await installPackage();
  for (const file of readdirSync(CONSUMER)) copyFileSync(join(CONSUMER, file), join(pkg.dir, file));
  copyFileSync(join(ROOT, 'examples/node/app.ts'), join(pkg.dir, 'app.ts'));
}, 600_000);
afterAll(() => {
  if (pkg) rmSync(dirname(pkg.dir), { recursive: true, force: true });
});

/** The README's Node quick start: its shell lines, without comments. */
function quickStart(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Node quick start'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
}

/** Splits a shell line into words: plain words and single-quoted strings, as the README writes them. */
const words = (line: string) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe('the installed package', () => {
  it('Node: an ESM consumer runs every Node entry; one class per error across entries', async () => {
    const { stdout } = await run(process.execPath, ['node-consumer.mjs'], { cwd: pkg.dir });
    expect(JSON.parse(stdout)).toEqual({
      memory: ['Hello Tokyo!', 'Hello London!'],
      sqlite: ['Hello Tokyo!', 'Hello London!'],
      simulator: ['Hello Tokyo!', 'Hello London!'],
      sqliteErrorIsRootClass: true,
      simulatorErrorIsRootClass: true,
      http: true,
      node: true,
      indexeddb: true,
    });
  }, 60_000);

  it.each(['nodenext', 'bundler', 'cloudflare'])(
    'types: a TypeScript consumer type-checks (%s, skipLibCheck false)',
    async (config) => {
      const result = await run(process.execPath, [TSC, '-p', `tsconfig.${config}.json`], { cwd: pkg.dir }).catch((e: { stdout: string }) => e);
      expect(result.stdout).toBe('');
    },
    60_000,
  );

  it("Node host: the README's quick start, `npx durable serve app.ts` driven by the package's `durable`", async () => {
    const [install, serve, ...drive] = quickStart();
    expect(install).toBe('npm install edge-durable better-sqlite3 @hono/node-server tsx');
    expect(Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).peerDependencies).sort()).toEqual(install!.split(' ').slice(3).sort());
    const port = String(await freePort());
    const withPort = (line: string) => words(line.replaceAll('7071', port));
    const [npx, ...serveArgs] = withPort(serve!);
    // Its own process group, so that SIGINT reaches npx and the host as Ctrl-C in a terminal does.
    const host: ChildProcess = spawn(npx!, serveArgs, { cwd: pkg.dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const signal = (name: NodeJS.Signals) => process.kill(-host.pid!, name);
    let output = '';
    host.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    host.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      host.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      for (let i = 0; !output.includes('listening on'); i++) {
        if (i > 400 || host.exitCode !== null || host.signalCode !== null) throw new Error(`durable serve did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(output).toContain(`listening on http://127.0.0.1:${port}/runtime/webhooks/durabletask`);

      const durable = async (line: string) => {
        const [cmd, ...args] = withPort(line);
        return (await run(cmd!, args, { cwd: pkg.dir })).stdout;
      };
      const [startNew, status, raise, finalStatus] = drive;
      expect(await durable(startNew!)).toContain("Started 'Approval' as instance 'order-1'");
      for (let i = 0; !(await durable(status!)).includes('Running'); i++) {
        if (i > 100) throw new Error('order-1 never ran');
        await new Promise((r) => setTimeout(r, 100));
      }
      await durable(raise!);
      let last = '';
      for (let i = 0; !(last = await durable(finalStatus!)).includes('Completed'); i++) {
        if (i > 100) throw new Error(`order-1 did not complete:\n${last}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(last).toContain('approved');
    } finally {
      signal('SIGINT');
    }
    const timer = setTimeout(() => signal('SIGKILL'), 20_000);
    // The host finishes its work and exits 0; npx, interrupted too, ends by the signal as after Ctrl-C.
    const { code, signal: endedBy } = await exited;
    clearTimeout(timer);
    expect(code === 0 || endedBy === 'SIGINT').toBe(true);
    expect(output).toMatch(/SIGINT: shutting down[\s\S]*Stopped\./);
  }, 120_000);

  it('npm pack lists every entry with its declarations, the bin and the README, and no sources', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    const [info] = JSON.parse(stdout) as { size: number; unpackedSize: number; files: { path: string }[] }[];
    const paths = info!.files.map((f) => f.path);
    for (const entry of ENTRIES) expect(paths).toContain(`dist/package/${entry}.js`);
    for (const declaration of DECLARATIONS) expect(paths).toContain(`dist/package/types/${declaration}.d.ts`);
    expect(paths).toEqual(expect.arrayContaining(['dist/package/cli.js', 'cli/bin.mjs', 'README.md', 'package.json']));
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    expect(paths.filter((p) => /^(samples|test|core|edge-worker|vscode-extension)\//.test(p))).toEqual([]);
    console.log(
      `edge-durable tarball: ${(info!.size / 1024).toFixed(1)} KB packed, ${(info!.unpackedSize / 1024).toFixed(1)} KB unpacked, ${paths.length} files`,
    );
  }, 60_000);
});
