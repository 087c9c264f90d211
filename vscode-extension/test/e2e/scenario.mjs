// The user scenario, identical in VS Code for the Web and in code-server. Each step is a subtest; every effect
// of a command is checked through the HTTP API, and what the user sees is checked in the workbench DOM.
import assert from 'node:assert/strict';
import {
  activeEditorText,
  activeTabTitle,
  answerDialog,
  answerInput,
  closeAllEditors,
  contextMenu,
  contextMenuLabels,
  expand,
  notification,
  openViewContainer,
  pickItem,
  pickMany,
  rowDescription,
  rowIcon,
  screenshotPath,
  treeRow,
  until,
  visibleRowLabels,
} from './driver.mjs';
import { HUB, SPARE_HUB } from './seed.mjs';

/**
 * @param {import('node:test').TestContext} t
 * @param {{ page: import('playwright-core').Page, backend: { endpoint: string, token?: string }, api: ReturnType<typeof import('./seed.mjs').api>, flavour: string, offlineEndpoint: string }} env
 */
export async function runScenario(t, { page, backend, api, flavour, offlineEndpoint }) {
  const shot = (name) => screenshotPath(`${flavour}-${name}`);
  let failed = false;
  const step = (name, fn) =>
    t.test(name, { skip: failed ? 'an earlier step failed' : false }, async () => {
      const started = Date.now();
      try {
        await fn();
        console.log(`# ${flavour}: "${name}" took ${Date.now() - started} ms`);
      } catch (error) {
        failed = true;
        await page.screenshot({ path: shot(`failure-${name.replace(/\W+/g, '-')}`) }).catch(() => {});
        throw error;
      }
    });
  const collapse = async (label) => {
    const row = treeRow(page, label);
    if ((await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
  };

  await step('the view shows an error node for an unreachable endpoint and for a wrong token', async () => {
    await openViewContainer(page, 'Edge Durable');
    await widenSideBar(page);
    await expand(page, 'Offline');
    await treeRow(page, `Cannot reach ${offlineEndpoint}`).waitFor({ timeout: 30000 });
    assert.equal(await rowIcon(treeRow(page, `Cannot reach ${offlineEndpoint}`)), 'error');
    await collapse('Offline');
    await expand(page, 'Test');
    await treeRow(page, 'Unauthorized: the token was rejected (401)').waitFor({ timeout: 30000 });
    await page.screenshot({ path: shot('01-errors') });
  });

  await step('Edit Connection stores the token and the task hubs load', async () => {
    await contextMenu(page, treeRow(page, 'Test'), 'Edit Connection…', { screenshot: shot('02-connection-menu') });
    await answerInput(page, 'Test', { expect: 'Edit connection Test (1/3)' });
    await answerInput(page, backend.endpoint, { expect: '(2/3)' });
    await answerInput(page, backend.token, { expect: '(3/3)' });
    await treeRow(page, HUB).waitFor({ timeout: 30000 });
    await treeRow(page, SPARE_HUB).waitFor({ timeout: 30000 });
    assert.equal(await treeRow(page, 'Unauthorized: the token was rejected (401)').count(), 0);
  });

  await step('instances come a page at a time, with "Load more…"', async () => {
    await expand(page, HUB);
    const loadMore = treeRow(page, 'Load more…');
    await loadMore.waitFor({ timeout: 30000 });
    const firstPage = await visibleRowLabels(page);
    assert.equal(firstPage.indexOf('Load more…') - firstPage.indexOf(HUB) - 1, 5, `page size 5: ${firstPage}`);
    await loadMore.click();
    await until(async () => (await treeRow(page, 'Load more…').count()) === 0, { what: 'the last page loaded' });
  });

  await step('instances are listed newest first with status icons and "orchestrator · age"', async () => {
    await treeRow(page, 'hello-1').waitFor({ timeout: 30000 });
    const labels = await visibleRowLabels(page);
    const seeded = ['batch-2', 'batch-1', 'timer-1', 'approval-1', 'flaky-1', 'parent-1', 'hello-1'];
    assert.deepEqual(
      labels.filter((l) => seeded.includes(l)),
      seeded,
    );
    assert.equal(await rowIcon(treeRow(page, 'hello-1')), 'pass');
    assert.equal(await rowIcon(treeRow(page, 'flaky-1')), 'error');
    assert.equal(await rowIcon(treeRow(page, 'approval-1')), 'play-circle');
    assert.match(await rowDescription(treeRow(page, 'hello-1')), /^HelloSequence · (just now|\d+ [smh] ago)$/);
    await page.screenshot({ path: shot('03-instances') });
  });

  await step('the history is grouped into episodes with paired activities and durations', async () => {
    await expand(page, 'hello-1');
    for (const episode of ['Episode 1', 'Episode 2', 'Episode 3', 'Episode 4']) await treeRow(page, episode).waitFor({ timeout: 15000 });
    await expand(page, 'Episode 1');
    const activity = treeRow(page, 'SayHello');
    await activity.waitFor({ timeout: 15000 });
    assert.match(await rowDescription(activity), /^\d+ ms$|^\d+\.\d s$/);
    await treeRow(page, 'Started').waitFor();
    await page.screenshot({ path: shot('04-history') });
    await collapse('hello-1');
  });

  await step("a sub-orchestration expands into the child's own history", async () => {
    await expand(page, 'parent-1');
    await expand(page, 'Episode 1');
    const sub = treeRow(page, 'HelloSequence');
    await sub.waitFor({ timeout: 15000 });
    assert.match(await rowDescription(sub), /^parent-1:0000 · /); // the server names the first child {parentId}:0000
    await expand(page, 'HelloSequence');
    await until(async () => (await page.locator('.monaco-list-row[role="treeitem"] .label-name', { hasText: /^Episode 1$/ }).count()) === 2, {
      what: "the child's Episode 1",
    });
    await treeRow(page, 'Episode 4').waitFor({ timeout: 15000 });
    await page.screenshot({ path: shot('05-sub-orchestration') });
    await collapse('parent-1');
  });

  await step('context menus offer only the operations that apply to the runtime status', async () => {
    const completed = await contextMenuLabels(page, treeRow(page, 'hello-1'));
    for (const label of ['Show Status', 'Show History (JSON)', 'Show Timeline', 'Restart…', 'Purge…', 'Copy Instance ID', 'Copy Status URL'])
      assert.ok(completed.includes(label), `${label} on Completed: ${completed}`);
    for (const label of ['Terminate…', 'Suspend…', 'Resume…', 'Rewind…', 'Raise Event…'])
      assert.ok(!completed.includes(label), `${label} must not be on Completed`);
    const failed = await contextMenuLabels(page, treeRow(page, 'flaky-1'));
    assert.ok(failed.includes('Rewind…') && failed.includes('Purge…') && !failed.includes('Terminate…'), `Failed menu: ${failed}`);
    const running = await contextMenuLabels(page, treeRow(page, 'approval-1'));
    for (const label of ['Raise Event…', 'Suspend…', 'Terminate…']) assert.ok(running.includes(label), `${label} on Running: ${running}`);
    for (const label of ['Purge…', 'Resume…', 'Rewind…']) assert.ok(!running.includes(label), `${label} must not be on Running`);
  });

  await step('Show Status and Show History open read-only JSON documents', async () => {
    await contextMenu(page, treeRow(page, 'hello-1'), 'Show Status');
    await until(async () => (await activeTabTitle(page)) === 'hello-1.status.json', { what: 'status tab' });
    await until(async () => (await activeEditorText(page)).includes('"runtimeStatus": "Completed"'), { what: 'status JSON' });
    await contextMenu(page, treeRow(page, 'hello-1'), 'Show History (JSON)');
    await until(async () => (await activeTabTitle(page)) === 'hello-1.history.json', { what: 'history tab' });
    await until(async () => (await activeEditorText(page)).includes('"EventType": "ExecutionStarted"'), { what: 'history JSON' });
    await page.screenshot({ path: shot('06-history-json') });
    // read-only: typing into the document changes nothing
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.type('XYZ');
    assert.ok(!(await activeEditorText(page)).includes('XYZ'), 'the history document accepted typing');
  });

  await step('Show Timeline opens a Gantt chart webview', async () => {
    await contextMenu(page, treeRow(page, 'hello-1'), 'Show Timeline');
    await until(async () => (await activeTabTitle(page)) === 'Timeline hello-1', { what: 'timeline tab' });
    const bars = await until(
      async () => {
        for (const frame of page.frames()) {
          const count = await frame
            .locator('svg rect.bar')
            .count()
            .catch(() => 0);
          if (count) return { frame, count };
        }
        return undefined;
      },
      { what: 'timeline bars in the webview' },
    );
    assert.equal(bars.count, 3);
    assert.equal(await bars.frame.locator('rect.bar.activity.completed').count(), 3);
    assert.match(await bars.frame.locator('h1').textContent(), /hello-1/);
    await page.screenshot({ path: shot('07-timeline') });
    await closeAllEditors(page);
  });

  await step('Copy Instance ID and Copy Status URL fill the clipboard', async () => {
    await contextMenu(page, treeRow(page, 'hello-1'), 'Copy Instance ID');
    await until(async () => (await page.evaluate(() => navigator.clipboard.readText())) === 'hello-1', { what: 'instance ID in the clipboard' });
    await contextMenu(page, treeRow(page, 'hello-1'), 'Copy Status URL');
    const expected = `${backend.endpoint}/runtime/webhooks/durabletask/instances/hello-1?taskHub=${HUB}`;
    await until(async () => (await page.evaluate(() => navigator.clipboard.readText())) === expected, { what: 'status URL in the clipboard' });
  });

  await step('Raise Event validates its JSON, completes the approval and the tree updates itself', async () => {
    await contextMenu(page, treeRow(page, 'approval-1'), 'Raise Event…');
    await answerInput(page, 'Approval', { expect: '(1/2)' });
    const widget = page.locator('.quick-input-widget');
    await widget.filter({ hasText: '(2/2)' }).waitFor();
    await widget.locator('input.input').first().fill('{approved: yes}');
    await widget.filter({ hasText: 'Not valid JSON' }).waitFor({ timeout: 10000 });
    await answerInput(page, 'true', { expect: '(2/2)' }); // the Approval sample approves on `true`
    const done = await api.waitFor('approval-1', 'Completed');
    assert.equal(done.output, 'approved');
    await until(async () => (await rowIcon(treeRow(page, 'approval-1'))) === 'pass', { what: 'approval-1 shown as completed' });
  });

  await step('Suspend, Resume and Terminate change the instance and its menu', async () => {
    await contextMenu(page, treeRow(page, 'timer-1'), 'Suspend…');
    await answerInput(page, 'maintenance', { expect: 'Suspend timer-1' });
    await api.waitFor('timer-1', 'Suspended');
    await until(async () => (await rowIcon(treeRow(page, 'timer-1'))) === 'debug-pause', { what: 'timer-1 shown as suspended' });
    await contextMenu(page, treeRow(page, 'timer-1'), 'Resume…');
    await answerInput(page, '', { expect: 'Resume timer-1' });
    await api.waitFor('timer-1', 'Running');
    await contextMenu(page, treeRow(page, 'timer-1'), 'Terminate…');
    await answerInput(page, 'done testing', { expect: 'Terminate timer-1' });
    const terminated = await api.waitFor('timer-1', 'Terminated');
    assert.equal(terminated.output, 'done testing');
    await until(async () => (await rowIcon(treeRow(page, 'timer-1'))) === 'circle-slash', { what: 'timer-1 shown as terminated' });
    const history = (await api.status('timer-1')).body.historyEvents.map((e) => e.EventType);
    for (const type of ['ExecutionSuspended', 'ExecutionResumed', 'ExecutionTerminated']) assert.ok(history.includes(type), `${type} in ${history}`);
  });

  await step('Rewind brings the failed instance back to completion', async () => {
    await contextMenu(page, treeRow(page, 'flaky-1'), 'Rewind…');
    await answerInput(page, '', { expect: 'Rewind flaky-1' });
    await api.waitFor('flaky-1', 'Completed');
    await until(async () => (await rowIcon(treeRow(page, 'flaky-1'))) === 'pass', { what: 'flaky-1 shown as completed' });
  });

  await step('Restart with a new instance ID starts a copy', async () => {
    await contextMenu(page, treeRow(page, 'hello-1'), 'Restart…');
    await pickItem(page, 'New instance ID', { expect: 'Restart hello-1' });
    const toast = notification(page, 'Restarted hello-1 as ');
    await toast.waitFor({ timeout: 15000 });
    const newId = /Restarted hello-1 as (\S+?)\./.exec(await toast.textContent())[1];
    const restarted = await api.waitFor(newId, 'Completed');
    assert.equal(restarted.name, 'HelloSequence');
    await treeRow(page, newId).waitFor({ timeout: 15000 });
  });

  await step('Purge asks for confirmation, then deletes the instance', async () => {
    await contextMenu(page, treeRow(page, 'hello-1'), 'Purge…');
    await answerDialog(page, 'Purge', { expect: 'Purge instance hello-1' });
    await until(async () => (await api.status('hello-1')).status === 404, { what: 'hello-1 purged' });
    await treeRow(page, 'hello-1').waitFor({ state: 'detached', timeout: 15000 });
  });

  await step('Start New Instance picks an orchestrator and validated JSON input', async () => {
    await contextMenu(page, treeRow(page, HUB), 'Start New Instance…');
    await pickItem(page, 'FanOutFanIn', { expect: '(1/3)' });
    await answerInput(page, '4', { expect: 'Start FanOutFanIn (2/3)' }); // n; the output is 1² + 2² + 3² + 4²
    await answerInput(page, 'started-1', { expect: '(3/3)' });
    const started = await api.waitFor('started-1', 'Completed');
    assert.equal(started.input, 4);
    assert.equal(started.output, 30);
    await treeRow(page, 'started-1').waitFor({ timeout: 15000 });
  });

  await step('Filter Instances narrows the list and shows the filter on the hub', async () => {
    await contextMenu(page, treeRow(page, HUB), 'Filter Instances…');
    await pickMany(page, ['Running'], { expect: '(1/4)' });
    await answerInput(page, '', { expect: '(2/4): created from' });
    await answerInput(page, '', { expect: '(3/4): created to' });
    await answerInput(page, 'batch', { expect: '(4/4)' });
    // the hub's description is its per-status counts, then the filter
    await until(async () => /^(\d+ [a-z]+ · )*filter: Running · id batch\*$/.test(await rowDescription(treeRow(page, HUB))), {
      what: 'filter description on the hub',
    });
    await until(
      async () => {
        const labels = await visibleRowLabels(page);
        const hubIndex = labels.indexOf(HUB);
        // With an ID prefix the server lists by instanceId, and createdTime has whole seconds (batch-1 and batch-2 are
        // seeded 15 ms apart), so their order on screen depends on the clock: compare them as a set.
        const listed = labels.slice(hubIndex + 1, hubIndex + 3).sort();
        const others = ['hello-1', 'parent-1', 'parent-1:0000', 'flaky-1', 'approval-1', 'timer-1', 'started-1'];
        return JSON.stringify(listed) === JSON.stringify(['batch-1', 'batch-2']) && !labels.some((l) => others.includes(l));
      },
      { what: 'only batch-* instances listed' },
    );
    await page.screenshot({ path: shot('08-filter') });
  });

  await step('Batch Operation terminates every instance matching the filter', async () => {
    await contextMenu(page, treeRow(page, HUB), 'Batch Operation over Filter…');
    await pickItem(page, 'Terminate all matching', { expect: 'Running · id batch*' });
    await answerDialog(page, 'Terminate', { expect: 'Terminate 2 instances' });
    await notification(page, 'Terminate: 2 succeeded').waitFor({ timeout: 15000 });
    await api.waitFor('batch-1', 'Terminated');
    await api.waitFor('batch-2', 'Terminated');
    await contextMenu(page, treeRow(page, HUB), 'Clear Filter');
    await until(async () => !(await rowDescription(treeRow(page, HUB))).includes('filter:'), { what: 'filter cleared' });
    // the server lists newest first (page size 5): started-1, the newest instance, is back on the first page
    await treeRow(page, 'started-1').waitFor({ timeout: 15000 });
  });

  await step('Go to Instance ID selects the instance in the tree', async () => {
    await contextMenu(page, treeRow(page, HUB), 'Go to Instance ID…');
    await answerInput(page, 'parent-1:0000', { expect: 'Go to instance' });
    await until(async () => (await treeRow(page, 'parent-1:0000').getAttribute('aria-selected')) === 'true', { what: 'parent-1:0000 selected' });
  });

  await step('Purge History by Filter deletes the terminal instances after confirmation', async () => {
    // a running instance, which the purge must spare (and which keeps the hub: the server lists hubs that hold data)
    assert.equal((await api.start('LongTimer', 'keep-1', { seconds: 3600 })).status, 202);
    await api.waitFor('keep-1', 'Running');
    const before = await api.list();
    const terminal = before.filter((i) => ['Completed', 'Failed', 'Terminated'].includes(i.runtimeStatus)).length;
    assert.ok(terminal >= 5, `seeded terminal instances: ${terminal}`);
    await contextMenu(page, treeRow(page, HUB), 'Purge History by Filter…');
    await pickMany(page, ['Completed', 'Failed', 'Terminated'], { expect: '(1/3)' });
    await answerInput(page, '2000-01-01', { expect: '(2/3)' });
    await answerInput(page, '', { expect: '(3/3)' });
    await answerDialog(page, 'Purge', { expect: `in task hub ${HUB}` });
    await notification(page, `Purged ${terminal} instances from ${HUB}.`).waitFor({ timeout: 15000 });
    assert.deepEqual(
      (await api.list()).map((i) => [i.instanceId, i.runtimeStatus]),
      [['keep-1', 'Running']],
    );
    await treeRow(page, 'started-1').waitFor({ state: 'detached', timeout: 15000 }); // was on the first page
  });

  await step('Delete Task Hub asks for confirmation, then removes the hub', async () => {
    await contextMenu(page, treeRow(page, SPARE_HUB), 'Delete Task Hub…');
    await answerDialog(page, 'Delete Task Hub', { expect: `Delete task hub ${SPARE_HUB}` });
    await until(async () => !(await api.hubs()).includes(SPARE_HUB), { what: 'hub deleted on the server' });
    await treeRow(page, SPARE_HUB).waitFor({ state: 'detached', timeout: 15000 });
  });

  await step('Add Connection and Remove Connection change the connection list', async () => {
    await page.locator('.part.sidebar [aria-label="Add Connection…"]').filter({ visible: true }).first().click();
    await answerInput(page, 'Second', { expect: 'Add connection (1/3)' });
    await answerInput(page, backend.endpoint, { expect: '(2/3)' });
    await answerInput(page, backend.token, { expect: '(3/3)' });
    await treeRow(page, 'Second').waitFor({ timeout: 15000 });
    // expand again if a late refresh re-rendered the new connection collapsed
    await until(
      async () => {
        await expand(page, 'Second');
        return (await page.locator('.monaco-list-row[role="treeitem"] .label-name', { hasText: new RegExp(`^${HUB}$`) }).count()) === 2;
      },
      { what: 'hubs under the second connection', interval: 500 },
    );
    await contextMenu(page, treeRow(page, 'Offline'), 'Remove Connection…');
    await answerDialog(page, 'Remove', { expect: 'Remove connection Offline' });
    await treeRow(page, 'Offline').waitFor({ state: 'detached', timeout: 15000 });
    await contextMenu(page, treeRow(page, 'Test'), 'Refresh');
    await treeRow(page, HUB).waitFor({ timeout: 15000 });
    await page.screenshot({ path: shot('09-final') });
  });
}

/** Drags the side bar wider so labels and descriptions are readable in screenshots (and not truncated). */
async function widenSideBar(page) {
  const sideBar = await page.locator('.part.sidebar').first().boundingBox();
  if (!sideBar || sideBar.width >= 550) return;
  // the sash sits on the side bar's right edge
  const x = sideBar.x + sideBar.width;
  const y = sideBar.y + sideBar.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 150, y, { steps: 5 });
  await page.mouse.move(600, y, { steps: 5 });
  await page.mouse.up();
}
