// The workspace the replay e2e test opens: a TypeScript app that depends on edge-durable as users install it
// (node_modules/edge-durable holding package.json, cli/bin.mjs and the package build of this repository, its
// dependencies and tsx linked from the repository's node_modules), an instance recorded by `durable serve` of
// that app, and then the orchestrator file edited, so that the recorded history no longer matches the code.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXT_DIR, freePort, until } from './driver.mjs';

const REPO = path.resolve(EXT_DIR, '..');
export const HUB = 'shop';
export const INSTANCE = 'order-1';
/** Running when the check runs: its recorded 'Charge' diverges from the edited code too. */
export const RUNNING = 'hold-1';

/** The orchestrator as recorded; EDITED calls 'Bill' where the history has 'Charge' (line CHANGED_LINE). */
const CHECKOUT = (charge) => `import type { OrchestrationContext } from 'edge-durable';

export function* checkout(context: OrchestrationContext) {
  const item = context.df.getInput() as string;
  const reservation: string = yield context.df.callActivity('Reserve', item);
  const receipt: string = yield context.df.callActivity('${charge}', reservation);
  return receipt;
}

/** Charges at once, then waits: stays Running (the hub check replays unfinished instances). */
export function* hold(context: OrchestrationContext) {
  const receipt: string = yield context.df.callActivity('${charge}', 'deposit');
  yield context.df.waitForExternalEvent('Go');
  return receipt;
}
`;
/** 1-based lines of src/checkout.ts. */
export const RESERVE_LINE = 5;
export const CHANGED_LINE = 6;

const APP = `import { DurableApp } from 'edge-durable';
import { checkout, hold } from './checkout.js';

export default new DurableApp()
  .orchestration('Checkout', checkout)
  .orchestration('Hold', hold)
  .activity('Reserve', (item: string) => \`reserved \${item}\`)
  .activity('Charge', (reservation: string) => \`charged for \${reservation}\`)
  .activity('Bill', (reservation: string) => \`billed for \${reservation}\`);
`;

/** What the package needs at run time (dependencies, the peers serve uses, tsx for a .ts app): links, as npm would install them. */
const LINKED = ['hono', 'idb', '@noble/hashes', '@hono/node-server', 'better-sqlite3', 'tsx'];

async function installEdgeDurable(ws) {
  const pkg = path.join(ws, 'node_modules/edge-durable');
  fs.mkdirSync(path.join(pkg, 'cli'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  fs.copyFileSync(path.join(REPO, 'cli/bin.mjs'), path.join(pkg, 'cli/bin.mjs'));
  const { targets } = await import(path.join(REPO, 'esbuild.config.mjs'));
  await targets.package({ outdir: path.join(pkg, 'dist/package') });
  for (const name of LINKED) {
    const link = path.join(ws, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(REPO, 'node_modules', name), link, 'dir');
  }
}

/** Runs `durable serve` of the workspace's app until it prints its URL. */
async function serve(ws, dataDir) {
  const port = await freePort();
  const log = path.join(dataDir, 'serve.log');
  const out = fs.openSync(log, 'w');
  const proc = spawn(process.execPath, ['node_modules/edge-durable/cli/bin.mjs', 'serve', 'src/app.ts', '--port', String(port), '--data-dir', dataDir], {
    cwd: ws,
    stdio: ['ignore', out, out],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (proc.exitCode !== null) throw new Error(`durable serve exited with ${proc.exitCode}: ${fs.readFileSync(log, 'utf8')}`);
      return (await fetch(`${endpoint}/runtime/webhooks/durabletask/taskhubs`).catch(() => undefined))?.ok;
    },
    { timeout: 60000, what: 'durable serve' },
  );
  return {
    endpoint,
    close: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      fs.closeSync(out);
    },
  };
}

/** The workspace with its recorded instance, the orchestrator edited since, and the server that recorded it (still serving). */
export async function replayWorkspace() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-replay-ws-'));
  const ws = path.join(root, 'shop');
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
  fs.mkdirSync(dataDir);
  fs.writeFileSync(
    path.join(ws, 'package.json'),
    `${JSON.stringify({ name: 'shop', private: true, type: 'module', dependencies: { 'edge-durable': '*' } }, null, 2)}\n`,
  );
  fs.writeFileSync(path.join(ws, 'src/app.ts'), APP);
  fs.writeFileSync(path.join(ws, 'src/checkout.ts'), CHECKOUT('Charge'));
  await installEdgeDurable(ws);
  const server = await serve(ws, dataDir);
  const base = `${server.endpoint}/runtime/webhooks/durabletask`;
  const start = async (name, id, input) => {
    const started = await fetch(`${base}/orchestrators/${name}/${id}?taskHub=${HUB}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    if (started.status !== 202) throw new Error(`starting ${id}: HTTP ${started.status} ${await started.text()}`);
  };
  const reached = (id, test, what) =>
    until(
      async () => {
        const status = await (await fetch(`${base}/instances/${id}?taskHub=${HUB}&showHistory=true`)).json();
        return test(status) && status;
      },
      { timeout: 30000, what },
    );
  await start('Checkout', INSTANCE, 'book');
  await start('Hold', RUNNING, null);
  const done = await reached(INSTANCE, (s) => s.runtimeStatus === 'Completed', `${INSTANCE} Completed`);
  // waiting for its event: the activity's completion is recorded
  await reached(RUNNING, (s) => s.runtimeStatus === 'Running' && s.historyEvents?.some((e) => e.EventType === 'TaskCompleted'), `${RUNNING} waiting`);
  // the edit made after the instance ran: the history says 'Charge', the code now calls 'Bill'
  fs.writeFileSync(path.join(ws, 'src/checkout.ts'), CHECKOUT('Bill'));
  return {
    ws,
    checkoutFile: path.join(ws, 'src/checkout.ts'),
    endpoint: server.endpoint,
    output: done.output,
    close: async () => {
      await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
