// In VS Code for the Web the extension runs in a browser worker, which cannot start the durable CLI: Check Against
// Code and Debug Replay stay in the menus and, when run, say why they cannot work there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startBackend } from '../support/backend.ts';
import {
  contextMenu,
  contextMenuLabels,
  expand,
  launchBrowser,
  notification,
  openViewContainer,
  RESULTS_DIR,
  runPaletteCommand,
  screenshotPath,
  treeRow,
  waitForWorkbench,
} from './driver.mjs';
import { api, HUB } from './seed.mjs';
import { startWebWorkbench } from './workbenches.mjs';

let backend, workbench, browser;

before(async () => {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  backend = await startBackend();
  const a = api(backend);
  await a.start('HelloSequence', 'hello-1');
  await a.waitFor('hello-1', 'Completed');
  workbench = await startWebWorkbench({ settings: { 'edgeDurable.connections': [{ name: 'Test', endpoint: backend.endpoint }] } });
  browser = await launchBrowser({ origin: workbench.origin });
});

after(async () => {
  await browser?.close();
  await workbench?.close();
  await backend?.close();
});

test('Check Against Code and Debug Replay say they need a Node extension host', { timeout: 300_000 }, async () => {
  const { page } = browser;
  await page.goto(workbench.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await waitForWorkbench(page, 120_000);
  await openViewContainer(page, 'Edge Durable');
  await expand(page, 'Test');
  await expand(page, HUB);
  const row = treeRow(page, 'hello-1');
  await row.waitFor({ timeout: 30000 });
  const labels = await contextMenuLabels(page, row);
  assert.ok(labels.includes('Check Against Code') && labels.includes('Debug Replay'), `menu: ${labels}`);
  for (const command of ['Check Against Code', 'Debug Replay']) {
    await contextMenu(page, row, command);
    const toast = notification(page, `${command} needs a Node extension host`);
    await toast.waitFor({ timeout: 15000 });
    await page.waitForTimeout(400); // the toast's slide-in, for the screenshot
    assert.match(await toast.textContent(), /VS Code for the Web/);
    await page.screenshot({ path: screenshotPath(`replay-web-${command.replace(/\W+/g, '-').toLowerCase()}`) });
  }
  // the hub's check too (the instance's toasts cleared first, so that this one is new)
  await runPaletteCommand(page, 'Notifications: Clear All Notifications');
  await notification(page, 'needs a Node extension host').waitFor({ state: 'detached', timeout: 10000 });
  await contextMenu(page, treeRow(page, HUB), 'Check Against Code');
  await notification(page, 'Check Against Code needs a Node extension host').waitFor({ timeout: 15000 });
});
