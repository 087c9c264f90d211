// Extension-host tests in desktop VS Code through @vscode/test-electron, for machines that can download VS Code
// (it fetches a VS Code build on first use; this repo's CI machine is offline, so the web and code-server
// harnesses in test/e2e are the proof there). Runs the same suite as test/e2e/web-exthost.test.mjs.
//   npm run build && node --import tsx test/electron/run.mjs      (VSCODE_VERSION=1.90.0 to test the minimum)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { seed } from '../e2e/seed.mjs';
import { startBackend } from '../support/backend.ts';

const EXT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-electron-'));
const backend = await startBackend();
let exitCode = 1;
try {
  await seed(backend);
  // desktop VS Code reads user settings from <user-data-dir>/User/settings.json
  const userData = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'edgeDurable.connections': [{ name: 'Test', endpoint: backend.endpoint }],
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
    }),
  );
  const workspace = path.join(tmp, 'ws');
  fs.mkdirSync(workspace);
  exitCode = await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: EXT_DIR,
    extensionTestsPath: path.join(EXT_DIR, 'test/exthost/suite.js'),
    launchArgs: [workspace, '--user-data-dir', userData, '--extensions-dir', path.join(tmp, 'extensions'), '--disable-workspace-trust'],
  });
} catch (error) {
  console.error('extension-host tests failed:', error);
} finally {
  await backend.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);
