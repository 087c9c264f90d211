// Extension-host tests in VS Code for the Web: @vscode/test-web runTests() loads test/exthost/suite.js into the
// web worker extension host next to the extension (from its folder, dist/ built), and reports through
// codeAutomationExit. runTests launches playwright's chromium itself, so PLAYWRIGHT_BROWSERS_PATH points at
// symlinks to Debian's chromium (made by scripts/setup-e2e.sh) and must be set before test-web is loaded.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { QUIET_CHROMIUM_FLAGS } from '../../../test/browser/chromium-flags.mjs';
import { startBackend } from '../support/backend.ts';
import { EXT_DIR, freePort, makeSettingsExtension } from './driver.mjs';
import { seed } from './seed.mjs';

const WEB_TOOLS = path.join(EXT_DIR, 'test/e2e/tools/web');
process.env.PLAYWRIGHT_BROWSERS_PATH ||= path.join(WEB_TOOLS, '.pw-browsers');
const { runTests } = createRequire(path.join(WEB_TOOLS, 'package.json'))('@vscode/test-web');

let backend;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-web-exthost-'));
after(async () => {
  await backend?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('extension-host suite passes in the VS Code for the Web worker extension host', { timeout: 300_000 }, async () => {
  backend = await startBackend();
  await seed(backend);
  const settings = makeSettingsExtension(tmp, { 'edgeDurable.connections': [{ name: 'Test', endpoint: backend.endpoint }] });
  const workspace = path.join(tmp, 'ws');
  fs.mkdirSync(workspace);
  const t0 = Date.now();
  let timer;
  // runTests hangs forever when the browser cannot start: bound it
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('no result from the extension host in 240 s')), 240_000);
  });
  try {
    await Promise.race([
      timeout,
      runTests({
        browserType: 'chromium',
        headless: true,
        browserOptions: QUIET_CHROMIUM_FLAGS,
        quality: 'stable',
        commit: '0000000000000000000000000000000000000137',
        testRunnerDataDir: path.join(WEB_TOOLS, '.vscode-test-web'),
        extensionDevelopmentPath: EXT_DIR,
        extensionTestsPath: path.join(EXT_DIR, 'test/exthost/suite.js'), // must be inside extensionDevelopmentPath
        extensionPaths: [settings],
        folderPath: workspace,
        host: 'localhost',
        port: await freePort(),
        printServerLog: false,
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  console.log(`# web extension-host suite passed in ${Date.now() - t0} ms`);
});
