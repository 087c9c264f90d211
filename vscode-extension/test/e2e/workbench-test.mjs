// One end-to-end test of the explorer in one workbench: the seeded backend, the workbench, a browser on it,
// the scenario, and the final page kept in test-results/. Each workbench file says only how to start its workbench.

import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, RESULTS_DIR, waitForWorkbench } from './driver.mjs';
import { runPanelScenario } from './panel-scenario.mjs';
import { runScenario } from './scenario.mjs';
import { scenarioBackend } from './seed.mjs';

/**
 * @param {string} flavour 'web' or 'code-server': the scenario's variant and the results' file prefix
 * @param {string} title
 * @param {(settings: object) => Promise<{ url: string, origin: string, workspace?: string, close(): Promise<void>, ready?: string }>} startWorkbench
 *   `workspace`: the folder on disk where the workbench's file writes land (none for VS Code for the Web)
 */
export function workbenchTest(flavour, title, startWorkbench) {
  let backend, workbench, browser, api, offlineEndpoint;

  before(async () => {
    const t0 = Date.now();
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    let settings;
    ({ backend, api, settings, offlineEndpoint } = await scenarioBackend());
    workbench = await startWorkbench(settings);
    browser = await launchBrowser({ origin: workbench.origin });
    console.log(`# ${flavour}: backend, seed, ${workbench.ready ?? 'server'} and browser ready in ${Date.now() - t0} ms`);
  });

  after(async () => {
    await browser?.close();
    await workbench?.close();
    await backend?.close();
  });

  test(title, { timeout: 900_000 }, async (t) => {
    const t0 = Date.now();
    await browser.page.goto(workbench.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await waitForWorkbench(browser.page, 120_000);
    console.log(`# ${flavour}: workbench ready in ${Date.now() - t0} ms`);
    try {
      await runScenario(t, { page: browser.page, backend, api, flavour, offlineEndpoint });
      await runPanelScenario(t, { page: browser.page, backend, api, flavour, workspace: workbench.workspace });
    } finally {
      fs.writeFileSync(path.join(RESULTS_DIR, `${flavour}-final.html`), await browser.page.content());
    }
    console.log(`# ${flavour}: scenario done in ${Date.now() - t0} ms`);
  });
}
