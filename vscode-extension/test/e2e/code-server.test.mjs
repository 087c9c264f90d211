// E2E in code-server (VS Code 1.139 server + web UI, on Node 24): the .vsix is installed through code-server's
// CLI and the extension runs in a Node extension host.
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, RESULTS_DIR, waitForWorkbench } from './driver.mjs';
import { runScenario } from './scenario.mjs';
import { scenarioBackend } from './seed.mjs';
import { startCodeServer } from './workbenches.mjs';

let backend, workbench, browser, api, settings, offlineEndpoint;

before(async () => {
  const t0 = Date.now();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  ({ backend, api, settings, offlineEndpoint } = await scenarioBackend());
  workbench = await startCodeServer({
    settings,
    logFile: path.join(RESULTS_DIR, 'code-server.log'),
  });
  // the .vsix really got installed (not loaded from the source folder)
  const installed = fs.readdirSync(workbench.extensionsDir).filter((d) => d.startsWith('edge-durable.edge-durable-explorer-'));
  if (installed.length !== 1) throw new Error(`expected the installed extension in ${workbench.extensionsDir}, found ${installed}`);
  browser = await launchBrowser({ origin: workbench.origin });
  console.log(`# code-server: backend, seed, server (with ${installed[0]}) and browser ready in ${Date.now() - t0} ms`);
});

after(async () => {
  await browser?.close();
  await workbench?.close();
  await backend?.close();
});

test('edge-durable explorer in code-server', { timeout: 600_000 }, async (t) => {
  const t0 = Date.now();
  await browser.page.goto(workbench.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await waitForWorkbench(browser.page, 120_000);
  console.log(`# code-server: workbench ready in ${Date.now() - t0} ms`);
  try {
    await runScenario(t, { page: browser.page, backend, api, flavour: 'code-server', offlineEndpoint });
  } finally {
    fs.writeFileSync(path.join(RESULTS_DIR, 'code-server-final.html'), await browser.page.content());
  }
  console.log(`# code-server: scenario done in ${Date.now() - t0} ms`);
});
