// Check Against Code and Debug Replay in code-server (Node extension host, the .vsix installed through its CLI):
// a workspace whose instance was recorded by `durable serve` of its own app, with the orchestrator edited since.
// Check Against Code must show the divergence in the instance panel (recorded 'Charge' | code's 'Bill', at the
// edited line, a link that opens it); Debug Replay must stop at a breakpoint set through vscode.debug.addBreakpoints
// with context.df.isReplaying true, then end with the CLI's divergence report. The breakpoint and the debug
// session's events go through a helper extension (test/e2e/debug-probe) that writes them to a file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  activeTabTitle,
  contextMenu,
  EXT_DIR,
  expand,
  launchBrowser,
  openViewContainer,
  pickItem,
  RESULTS_DIR,
  runPaletteCommand,
  screenshotPath,
  treeRow,
  until,
  waitForWorkbench,
} from './driver.mjs';
import { CHANGED_LINE, HUB, INSTANCE, RESERVE_LINE, RUNNING, replayWorkspace } from './replay-workspace.mjs';
import { startCodeServer } from './workbenches.mjs';

const shot = (name) => screenshotPath(`replay-code-server-${name}`);
let workspace, workbench, browser, scratch, probeLog;

/** The probe as a .vsix (vsce, as the explorer itself is packaged), so code-server installs it like any extension. */
function packageProbe(into) {
  const vsix = path.join(into, 'debug-probe.vsix');
  const vsce = path.join(EXT_DIR, 'node_modules/@vscode/vsce/vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], {
    cwd: path.join(EXT_DIR, 'test/e2e/debug-probe'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return vsix;
}

const probeEntries = () =>
  fs.existsSync(probeLog)
    ? fs
        .readFileSync(probeLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];

/** The webview frame that holds `selector` (webviews are nested iframes of the workbench page). */
async function webviewWith(page, selector, what) {
  return until(
    async () => {
      for (const frame of page.frames()) {
        if (
          await frame
            .locator(selector)
            .count()
            .catch(() => 0)
        )
          return frame;
      }
      return undefined;
    },
    { timeout: 90000, what },
  );
}

before(async () => {
  const t0 = Date.now();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-replay-e2e-'));
  probeLog = path.join(scratch, 'probe.jsonl');
  workspace = await replayWorkspace();
  const settings = {
    'edgeDurable.connections': [{ name: 'Shop', endpoint: workspace.endpoint }],
    'edgeDurableProbe.log': probeLog,
    'edgeDurableProbe.breakpoints': [{ file: workspace.checkoutFile, line: RESERVE_LINE }],
    'edgeDurableProbe.evaluate': 'context.df.isReplaying',
    'edgeDurableProbe.holdMs': 2500,
  };
  workbench = await startCodeServer({
    settings,
    logFile: path.join(RESULTS_DIR, 'replay-code-server.log'),
    workspace: workspace.ws,
    extraVsix: [packageProbe(scratch)],
  });
  browser = await launchBrowser({ origin: workbench.origin });
  console.log(`# replay: workspace (package build, serve, recorded ${INSTANCE}), code-server and browser ready in ${Date.now() - t0} ms`);
});

after(async () => {
  await browser?.close();
  await workbench?.close();
  await workspace?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('Check Against Code and Debug Replay in code-server', { timeout: 600_000 }, async (t) => {
  const { page } = browser;
  await page.goto(workbench.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await waitForWorkbench(page, 120_000);
  let failed = false;
  const step = (name, fn) =>
    t.test(name, { skip: failed ? 'an earlier step failed' : false }, async () => {
      try {
        await fn();
      } catch (error) {
        failed = true;
        await page.screenshot({ path: shot(`failure-${name.replace(/\W+/g, '-')}`) }).catch(() => {});
        throw error;
      }
    });

  await step('the probe set its breakpoint in the orchestrator file', async () => {
    await until(() => probeEntries().some((e) => e.kind === 'ready' && e.breakpoints === 1), { timeout: 60000, what: 'the probe extension activated' });
  });

  await step('Check Against Code shows the recorded step beside the code step, at the edited line', async () => {
    await openViewContainer(page, 'Edge Durable');
    await expand(page, 'Shop');
    await expand(page, HUB);
    const row = treeRow(page, INSTANCE);
    await row.waitFor({ timeout: 30000 });
    await contextMenu(page, row, 'Check Against Code', { screenshot: shot('01-menu') });
    const frame = await webviewWith(page, 'section.replay[data-outcome="diverged"]', 'the replay diff in the instance panel');
    const position = (await frame.locator('table.replay-diff td.position').textContent()).trim();
    const recorded = (await frame.locator('table.replay-diff td.recorded').textContent()).trim();
    const current = (await frame.locator('table.replay-diff td.current').textContent()).trim();
    assert.equal(recorded, `TaskScheduled 'Charge' input "reserved book"`);
    assert.equal(current, `ScheduleTask 'Bill' input "reserved book"`);
    assert.equal(position, '6');
    assert.match(await frame.locator('.replay-summary').textContent(), /Diverges at history position 6 of \d+ against src\/app\.ts/);
    assert.match(await frame.locator('a.replay-location').textContent(), new RegExp(`^checkout\\.ts:${CHANGED_LINE}:\\d+$`));
    await page.screenshot({ path: shot('02-diff') });
  });

  await step('the link opens the orchestrator file at the line of the call', async () => {
    const frame = await webviewWith(page, 'a.replay-location', 'the location link');
    await frame.locator('a.replay-location').click();
    await until(async () => (await activeTabTitle(page))?.startsWith('checkout.ts'), { what: 'checkout.ts opened' });
    const cursor = page.locator('.statusbar-item[id="status.editor.selection"]');
    await until(async () => new RegExp(`Ln ${CHANGED_LINE},`).test((await cursor.textContent()) ?? ''), { what: `the cursor on line ${CHANGED_LINE}` });
    await page.screenshot({ path: shot('03-source') });
  });

  await step('Check Against Code on the hub lists the diverging Running instance and opens its diff', async () => {
    await runPaletteCommand(page, 'View: Close All Editors');
    await contextMenu(page, treeRow(page, HUB), 'Check Against Code');
    await pickItem(page, RUNNING, { expect: `1 of 1 instances of ${HUB} diverge from src/app.ts` });
    const frame = await webviewWith(page, 'section.replay[data-outcome="diverged"]', `the replay diff of ${RUNNING}`);
    assert.match(await frame.locator('h1').first().textContent(), /Hold/);
    assert.equal((await frame.locator('table.replay-diff td.recorded').textContent()).trim(), `TaskScheduled 'Charge' input "deposit"`);
    assert.equal((await frame.locator('table.replay-diff td.current').textContent()).trim(), `ScheduleTask 'Bill' input "deposit"`);
    await page.screenshot({ path: shot('05-hub') });
  });

  await step('Debug Replay stops at the breakpoint while replaying, then ends with the divergence', async () => {
    await contextMenu(page, treeRow(page, INSTANCE), 'Debug Replay');
    const stop = await until(() => probeEntries().find((e) => e.kind === 'stopped'), { timeout: 120000, what: 'a stopped event' });
    // paused: the workbench shows the debug toolbar and the call stack
    await page.waitForTimeout(800);
    await page.screenshot({ path: shot('04-stopped') });
    // code-server's client names the file by its remote URI (vscode-remote://host/path)
    assert.equal(decodeURIComponent(stop.file.replace(/^vscode-remote:\/\/[^/]+/, '')), workspace.checkoutFile);
    assert.equal(stop.line, RESERVE_LINE);
    assert.equal(stop.value, 'true', 'context.df.isReplaying at the breakpoint');
    const sessions = probeEntries().filter((e) => e.kind === 'session');
    assert.ok(
      sessions.some((s) => s.name === `Debug Replay: ${INSTANCE}`),
      JSON.stringify(sessions),
    );
    await until(() => probeEntries().some((e) => e.kind === 'terminated' && e.name === `Debug Replay: ${INSTANCE}`), {
      timeout: 60000,
      what: 'the debug session ended',
    });
    const output = probeEntries()
      .filter((e) => e.kind === 'output')
      .map((e) => e.text)
      .join('');
    assert.match(output, /diverges at history position 6/);
    assert.deepEqual(
      probeEntries()
        .filter((e) => e.kind === 'probe-error')
        .map((e) => e.message),
      [],
    );
  });
});
