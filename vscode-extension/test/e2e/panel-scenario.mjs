// The instance panel scenario, identical in VS Code for the Web and in code-server, run after the tree scenario in
// the same workbench: panels of a completed, a failed and a running instance with every tab; an action from a panel
// button; reset and fork from a history row; export of a history bundle and opening it offline; two instances
// selected in the tree and terminated together; a read-only connection (read-scope token). Effects are checked
// through the HTTP API; each view is kept as test-results/{flavour}-panel-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { answerDialog, answerInput, closeAllEditors, contextMenu, contextMenuLabels, expand, notification, screenshotPath, treeRow, until } from './driver.mjs';
import { PANEL_HUB, READ_TOKEN } from './seed.mjs';

const TABS = ['history', 'timeline', 'sequence', 'children', 'pending'];
const MUTATING = ['Raise Event…', 'Suspend…', 'Resume…', 'Terminate…', 'Rewind…', 'Restart…', 'Purge…', 'Start New Instance…'];

/** The webview frame of the panel whose header shows this instance ID (webviews are nested iframes of the page). */
async function panelFrame(page, instanceId, { timeout = 30000 } = {}) {
  return until(
    async () => {
      for (const frame of page.frames()) {
        const id = await frame
          .locator('#header .id code')
          .first()
          .textContent({ timeout: 100 })
          .catch(() => null);
        if (id === instanceId) return frame;
      }
      return undefined;
    },
    { what: `the panel of ${instanceId}`, timeout },
  );
}

/**
 * Waits until `check` passes on the panel's frame, finding the frame again on each try: a reload of the panel
 * (after an action) replaces the webview's document and detaches the frame found before.
 */
async function untilInPanel(page, instanceId, check, what) {
  return until(async () => check(await panelFrame(page, instanceId, { timeout: 2000 })), { what, timeout: 20000 });
}

/** The IDs of the panel's status-gated action buttons. */
const actionButtons = (frame) => frame.locator('#actions button[data-action="run"]').evaluateAll((els) => els.map((el) => el.dataset.id));

/** Clicks the instance's row (its command opens the panel) and waits for the panel with its whole history. */
async function openPanel(page, instanceId) {
  await closeAllEditors(page);
  const row = treeRow(page, instanceId);
  await row.waitFor({ timeout: 30000 });
  await row.scrollIntoViewIfNeeded();
  await row.locator('.label-name').click();
  const frame = await panelFrame(page, instanceId);
  // the other tabs are drawn once every page of the history is in
  await frame.locator('#pane-timeline svg, #pane-timeline .empty:not(:has-text("Loading"))').first().waitFor({ state: 'attached', timeout: 30000 });
  return frame;
}

async function historyRows(api, instanceId) {
  const { status, body } = await api.call('GET', `instances/${encodeURIComponent(instanceId)}/history`, { hub: PANEL_HUB, query: { top: '1000' } });
  assert.equal(status, 200, `history of ${instanceId}`);
  return body.events;
}

/**
 * @param {import('node:test').TestContext} t
 * @param {{ page: import('playwright-core').Page, backend: { endpoint: string, token?: string }, api: ReturnType<typeof import('./seed.mjs').api>, flavour: string, workspace?: string }} env
 */
export async function runPanelScenario(t, { page, backend, api, flavour, workspace }) {
  const shot = (name) => screenshotPath(`${flavour}-panel-${name}`);
  let failed = false;
  const step = (name, fn) =>
    t.test(`panel: ${name}`, { skip: failed ? 'an earlier panel step failed' : false }, async () => {
      const started = Date.now();
      try {
        await fn();
        console.log(`# ${flavour}: "panel: ${name}" took ${Date.now() - started} ms`);
      } catch (error) {
        failed = true;
        await page.screenshot({ path: shot(`failure-${name.replace(/\W+/g, '-')}`) }).catch(() => {});
        throw error;
      }
    });
  const collapse = async (label) => {
    const row = treeRow(page, label);
    if ((await row.count()) && (await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
  };

  await step('a completed instance: header, buttons, and every tab', async () => {
    await collapse('Second');
    await expand(page, 'Test');
    await collapse('orders');
    await expand(page, PANEL_HUB);
    const frame = await openPanel(page, 'p-done');
    assert.equal(await frame.locator('#header .status').getAttribute('data-status'), 'Completed');
    assert.deepEqual(await actionButtons(frame), ['restart', 'purge', 'reset', 'fork']);
    const total = (await historyRows(api, 'p-done')).length;
    assert.equal(await frame.locator('table.history tbody tr').count(), total);
    assert.equal(await frame.locator('tr[data-position] button[data-action="resetHere"]').count(), total);
    const checks = {
      history: async (pane) => assert.ok((await pane.locator('tr[data-position]').count()) === total),
      timeline: async (pane) => assert.ok((await pane.locator('svg rect.bar').count()) >= 1, 'timeline bars'),
      sequence: async (pane) => assert.match(await pane.locator('svg').first().textContent(), /HelloSequence/),
      children: async (pane) => assert.ok((await pane.locator('li.child[data-id="p-done:0000"]').count()) === 1, 'the child p-done:0000'),
      pending: async (pane) => assert.ok((await pane.textContent()).trim().length > 0, 'pending tab text'),
    };
    for (const tab of TABS) {
      await frame.locator(`button.tab[data-tab="${tab}"]`).click();
      const pane = frame.locator(`#pane-${tab}.selected`);
      await pane.waitFor({ state: 'visible', timeout: 10000 });
      await checks[tab](pane);
      await page.screenshot({ path: shot(`completed-${tab}`) });
    }
    await frame.locator('button.tab[data-tab="history"]').click();
  });

  await step('a failed instance shows its failure and offers rewind', async () => {
    const frame = await openPanel(page, 'p-failed');
    assert.equal(await frame.locator('#header .status').getAttribute('data-status'), 'Failed');
    assert.deepEqual(await actionButtons(frame), ['rewind', 'restart', 'purge', 'reset', 'fork']);
    assert.ok((await frame.locator('tr.failed').count()) >= 1, 'a failed row');
    await page.screenshot({ path: shot('failed-history') });
    for (const tab of TABS.slice(1)) {
      await frame.locator(`button.tab[data-tab="${tab}"]`).click();
      await frame.locator(`#pane-${tab}.selected`).waitFor({ state: 'visible', timeout: 10000 });
    }
    await page.screenshot({ path: shot('failed-pending') });
  });

  await step('a running instance: Suspend… from a panel button, checked through the API', async () => {
    const frame = await openPanel(page, 'p-running');
    assert.deepEqual(await actionButtons(frame), ['raiseEvent', 'suspend', 'terminate', 'restart', 'reset', 'fork']);
    await frame.locator('button.tab[data-tab="pending"]').click();
    await until(async () => /timer/i.test(await frame.locator('#pane-pending').textContent()), { what: 'the pending timer' });
    await page.screenshot({ path: shot('running-pending') });
    await frame.locator('#actions button[data-id="suspend"]').click();
    await answerInput(page, 'from the panel', { expect: 'Suspend p-running' });
    await api.waitFor('p-running', 'Suspended', PANEL_HUB);
    const rows = await historyRows(api, 'p-running');
    assert.equal(rows.find((r) => r.EventType === 'ExecutionSuspended')?.Reason, 'from the panel');
    await untilInPanel(
      page,
      'p-running',
      async (frame) =>
        (await frame.locator('#header .status').getAttribute('data-status')) === 'Suspended' &&
        JSON.stringify(await actionButtons(frame)) === JSON.stringify(['raiseEvent', 'resume', 'terminate', 'restart', 'reset', 'fork']),
      'the header shows Suspended, and Resume is offered',
    );
    await page.screenshot({ path: shot('running-suspended') });
  });

  await step('Reset to here… on a history row takes the instance back to that row', async () => {
    const frame = await openPanel(page, 'p-reset');
    const before = await historyRows(api, 'p-reset');
    const position = before.findIndex((r) => r.EventType === 'TaskCompleted') + 1;
    assert.ok(position > 0);
    await frame.locator(`tr[data-position="${position}"] button[data-action="resetHere"]`).click();
    await answerInput(page, 'e2e reset', { expect: `Reset p-reset at row ${position}` });
    await page.screenshot({ path: shot('reset-confirm') });
    await answerDialog(page, 'Reset', { expect: `Reset p-reset to row ${position} (TaskCompleted SayHello)?` });
    await until(async () => (await historyRows(api, 'p-reset')).some((r) => r.EventType === 'ExecutionReset'), { what: 'ExecutionReset in the history' });
    await api.waitFor('p-reset', 'Completed', PANEL_HUB);
    const after = await historyRows(api, 'p-reset');
    assert.deepEqual(
      after.slice(0, position).map((r) => r.EventType),
      before.slice(0, position).map((r) => r.EventType),
    );
    assert.equal(after.find((r) => r.EventType === 'ExecutionReset').Reason, 'e2e reset');
    await untilInPanel(
      page,
      'p-reset',
      async (frame) => (await frame.locator('td', { hasText: /^ExecutionReset$/ }).count()) === 1,
      'the reset row in the panel',
    );
    await page.screenshot({ path: shot('reset-done') });
  });

  await step('Fork from here… asks for the new ID (prefilled), forks, and opens the fork', async () => {
    const frame = await untilInPanel(
      page,
      'p-reset',
      async (f) => ((await f.locator('button[data-action="forkHere"]').count()) > 0 ? f : undefined),
      'the fork buttons',
    );
    const source = await historyRows(api, 'p-reset');
    const position = source.findIndex((r) => r.EventType === 'TaskCompleted') + 1;
    await frame.locator(`tr[data-position="${position}"] button[data-action="forkHere"]`).click();
    const input = page.locator('.quick-input-widget input.input').first();
    await until(async () => (await input.inputValue()) === `p-reset-fork-${position}`, { what: 'the prefilled fork ID' });
    await answerInput(page, 'p-fork', { expect: `Fork p-reset from row ${position}` });
    await answerInput(page, '', { expect: 'Fork p-reset at row' });
    await answerDialog(page, 'Fork', { expect: `Fork p-reset from row ${position} (TaskCompleted SayHello) as p-fork?` });
    const fork = await api.waitFor('p-fork', 'Completed', PANEL_HUB);
    assert.equal(fork.name, 'HelloSequence');
    assert.deepEqual(await historyRows(api, 'p-reset'), source);
    await panelFrame(page, 'p-fork');
    await page.screenshot({ path: shot('fork-opened') });
  });

  await step('Export History… writes a bundle; Open History Bundle… shows it offline', async () => {
    const frame = await openPanel(page, 'p-done');
    await frame.locator('button[data-action="export"]').click();
    // VS Code's own save dialog (the simple file dialog in a browser workbench), prefilled with the workspace path
    const input = page.locator('.quick-input-widget input.input').first();
    await until(async () => (await input.inputValue()).endsWith('p-done.history.json'), { what: 'the save dialog with the bundle name' });
    await page.screenshot({ path: shot('export-dialog') });
    await page.keyboard.press('Enter');
    await notification(page, 'Exported p-done').waitFor({ timeout: 30000 });
    const history = await historyRows(api, 'p-done');
    if (workspace) {
      // code-server writes to the folder on disk; VS Code for the Web keeps the file in the browser (read back below)
      const file = path.join(workspace, 'p-done.history.json');
      await until(() => fs.existsSync(file), { what: `${file} on disk` });
      const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.equal(bundle.format, 'edge-durable/history-bundle');
      assert.deepEqual(bundle.history, history);
      assert.deepEqual(
        bundle.children.map((c) => c.instance.instanceId),
        ['p-done:0000'],
      );
    }

    await closeAllEditors(page);
    await page.locator('.part.sidebar [aria-label="Open History Bundle…"]').filter({ visible: true }).first().click();
    await until(async () => (await input.isVisible()) && (await input.inputValue()).endsWith('/'), { what: 'the open dialog at a folder' });
    await input.fill(`${await input.inputValue()}p-done.history.json`);
    await page.keyboard.press('Enter');
    const offline = await panelFrame(page, 'p-done');
    assert.match(await offline.locator('#header .where').textContent(), /^Offline: p-done\.history\.json/);
    assert.deepEqual(await actionButtons(offline), []);
    assert.equal(await offline.locator('button[data-action="resetHere"]').count(), 0);
    assert.equal(await offline.locator('tr[data-position]').count(), history.length);
    // the child came in the bundle: it opens offline from the Children tab
    await offline.locator('button.tab[data-tab="children"]').click();
    await offline.locator('#pane-children [data-action="openInstance"][data-id="p-done:0000"]').first().click();
    const child = await panelFrame(page, 'p-done:0000');
    assert.match(await child.locator('#header .where').textContent(), /^Offline: p-done\.history\.json/);
    assert.equal(await child.locator('tr[data-position]').count(), (await historyRows(api, 'p-done:0000')).length);
    await treeRow(page, 'Offline').waitFor({ timeout: 15000 });
    await expand(page, 'Offline');
    const node = page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'p-done.history.json' }).first();
    await node.waitFor({ timeout: 15000 });
    assert.deepEqual(
      (await contextMenuLabels(page, node)).filter((l) => MUTATING.includes(l)),
      [],
    );
    await page.screenshot({ path: shot('offline') });
    await closeAllEditors(page);
  });

  await step('two instances selected in the tree are terminated together', async () => {
    const more = treeRow(page, 'Load more…');
    if (await more.count()) await more.click();
    const first = treeRow(page, 'p-sel-1');
    const second = treeRow(page, 'p-sel-2');
    await first.scrollIntoViewIfNeeded();
    await first.locator('.label-name').click();
    await second.locator('.label-name').click({ modifiers: ['Control'] });
    await until(async () => (await first.getAttribute('aria-selected')) === 'true' && (await second.getAttribute('aria-selected')) === 'true', {
      what: 'both rows selected',
    });
    await page.screenshot({ path: shot('multi-select') });
    await contextMenu(page, second, 'Terminate…');
    await answerInput(page, 'both at once', { expect: 'Terminate 2 instances' });
    for (const id of ['p-sel-1', 'p-sel-2']) assert.equal((await api.waitFor(id, 'Terminated', PANEL_HUB)).output, 'both at once');
    await closeAllEditors(page);
  });

  await step('a read-only connection (read-scope token) offers no mutating command', async () => {
    await collapse('Test');
    await page.locator('.part.sidebar [aria-label="Add Connection…"]').filter({ visible: true }).first().click();
    await answerInput(page, 'Reader', { expect: 'Add connection (1/3)' });
    await answerInput(page, backend.endpoint, { expect: '(2/3)' });
    await answerInput(page, READ_TOKEN, { expect: '(3/3)' });
    await expand(page, 'Reader');
    await expand(page, PANEL_HUB);
    const hubMenu = await contextMenuLabels(page, treeRow(page, PANEL_HUB));
    assert.deepEqual(
      hubMenu.filter((l) => MUTATING.includes(l) || /Purge|Delete|Batch/.test(l)),
      [],
      `hub menu: ${hubMenu}`,
    );
    const menu = await contextMenuLabels(page, treeRow(page, 'p-failed'));
    assert.deepEqual(
      menu.filter((l) => MUTATING.includes(l)),
      [],
      `instance menu: ${menu}`,
    );
    assert.ok(menu.includes('Show Status') && menu.includes('Export History…'), `read commands: ${menu}`);
    await page.screenshot({ path: shot('read-only-tree') });
    const frame = await openPanel(page, 'p-failed');
    assert.deepEqual(await actionButtons(frame), []);
    assert.equal(await frame.locator('button[data-action="resetHere"]').count(), 0);
    assert.equal(await frame.locator('button[data-action="export"]').count(), 1);
    await page.screenshot({ path: shot('read-only') });
    assert.equal((await api.status('p-failed', PANEL_HUB)).body.runtimeStatus, 'Failed');
  });
}
