// The instance panel's replay hook: the result of Check Against Code is posted into the open page, kept across a
// reload, and its source link comes back as the command that opens the file. Also: the unit host is a Node host.
import { beforeEach, describe, expect, it } from 'vitest';
import { InstancePanels } from '../../src/panel/instance-panel.js';
import { OfflineBundle } from '../../src/panel/instance-source.js';
import { setNodeHostContext } from '../../src/replay/replay-commands.js';
import { renderReplayOutcome } from '../../src/replay/replay-html.js';
import type { StatusPayload } from '../../src/wire.js';
import { createBundle } from '../../src/wire.js';
import { contextKeys, resetStub, webviewPanels } from '../support/vscode-stub.js';

beforeEach(() => resetStub());

const status = {
  name: 'Checkout',
  instanceId: 'order-1',
  runtimeStatus: 'Completed',
  input: 'book',
  output: 'done',
  customStatus: null,
  createdTime: '2026-01-01T00:00:00Z',
  lastUpdatedTime: '2026-01-01T00:00:01Z',
} as StatusPayload;

describe('the replay part of the instance panel', () => {
  it('shows the result, keeps it across a reload, and turns its link into openReplayLocation', async () => {
    const commands: unknown[][] = [];
    const panels = new InstancePanels({
      now: () => Date.parse('2026-01-01T00:00:10Z'),
      readOnly: () => true,
      autoRefresh: () => ({ enabled: false, intervalMs: 1000 }),
      runCommand: async (command, source, ...args) => {
        commands.push([command, source.instanceId, ...args]);
      },
    });
    const bundle = new OfflineBundle(
      'order-1.json',
      createBundle({ exportedAt: '2026-01-01T00:00:02Z', source: { taskHub: 'shop' }, instance: status, history: [] }),
    );
    const panel = await panels.open(bundle.source('order-1')!);
    const webview = webviewPanels[0]!.webview;
    expect(webview.html).toContain('<div id="replay" data-part="replay"></div>');

    const html = renderReplayOutcome({
      kind: 'diverged',
      instanceId: 'order-1',
      name: 'Checkout',
      events: 12,
      appModule: 'src/app.ts',
      position: 6,
      recorded: "TaskScheduled 'Charge'",
      current: "ScheduleTask 'Bill'",
      location: { file: '/w/src/checkout.ts', line: 6, column: 44 },
      message: 'Non-deterministic orchestrator',
    });
    panel.showReplay(html);
    expect(webview.posted.at(-1)).toEqual({ type: 'update', parts: { replay: html } });

    await panel.load();
    expect(webview.html).toContain(`<div id="replay" data-part="replay">${html}</div>`);

    webview.receive({ type: 'openReplayLocation', id: '/w/src/checkout.ts:6:44' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(commands).toEqual([['edgeDurable.openReplayLocation', 'order-1', '/w/src/checkout.ts:6:44']]);
    panels.dispose();
  });

  it('sets edgeDurable.nodeHost: true in a Node host', async () => {
    await setNodeHostContext();
    expect(contextKeys.get('edgeDurable.nodeHost')).toBe(true);
  });
});
