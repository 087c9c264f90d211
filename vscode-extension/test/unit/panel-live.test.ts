// The live parts of the explorer against the real Node host, with the vscode stub: the instance panel controller
// (messages from its page in, parts posted out), reset and fork from a history row, export of a bundle and opening
// it offline (tree nodes and panel), multi-select and a read-only connection. Effects are checked through the API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/commands/register-commands.js';
import type { InstancePanel } from '../../src/panel/instance-panel.js';
import type { InstanceNode } from '../../src/tree/instance-node.js';
import { DurableHttpClient, type HistoryRow, parseBundle } from '../../src/wire.js';
import { type Backend, startBackend } from '../support/backend.js';
import { eventually, makeExplorer, uniqueHub } from '../support/explorer.js';
import { useLiveBackend } from '../support/live.js';
import { commands, files, resetStub, type StubWebview, Uri, ui, webviewPanels } from '../support/vscode-stub.js';

const live = useLiveBackend();
beforeEach(() => resetStub());

const run = (id: string, ...args: unknown[]) => commands.executeCommand(`edgeDurable.${id}`, ...args);

async function setup(instances: [id: string, orchestrator: string, input: unknown, status: string][], backend: Backend = live.backend, token?: string) {
  const hub = uniqueHub('panel');
  const client = backend === live.backend ? live.client : new DurableHttpClient({ endpoint: backend.endpoint, token: backend.token });
  for (const [id, orchestrator, input] of instances) await client.startNew(hub, orchestrator, input, id);
  for (const [id, , , status] of instances) await eventually(async () => (await client.getStatus(hub, id)).runtimeStatus === status);
  const explorer = await makeExplorer(backend, token === undefined ? {} : { token });
  registerCommands(explorer.ctx);
  const node = async (id: string) => (await explorer.node('Test', hub, id)) as InstanceNode;
  /** Opens the instance's panel as a click in the tree does, and waits for its whole history. */
  const open = async (id: string): Promise<{ panel: InstancePanel; webview: StubWebview }> => {
    await run('openInstance', await node(id));
    const panel = explorer.ctx.panels.get(`live:Test/${hub}/${id}`)!;
    await panel.loaded();
    return { panel, webview: panel.webview.webview as unknown as StubWebview };
  };
  return { hub, client, explorer, node, open, run };
}

/** The last HTML posted for a part (or the page's first HTML when none was posted since). */
function part(webview: StubWebview, name: string): string {
  for (let i = webview.posted.length - 1; i >= 0; i--) {
    const message = webview.posted[i] as { type: string; parts?: Record<string, string> };
    if (message.type === 'update' && message.parts?.[name] !== undefined) return message.parts[name]!;
  }
  return webview.html;
}

const buttons = (html: string) => [...html.matchAll(/data-action="run" data-id="(\w+)"/g)].map((m) => m[1]);

describe('instance panel', () => {
  it('shows a completed instance: header, payloads, every stored event as a row, every tab, the status-gated buttons', async () => {
    const { hub, open } = await setup([['c1', 'HelloSequence', { n: 1 }, 'Completed']]);
    const { panel, webview } = await open('c1');
    const total = (await live.client.getHistoryPage(hub, 'c1', { top: 1 })).total;
    expect(panel.events).toHaveLength(total);
    expect(webview.html).toContain('data-status="Completed"');
    expect(webview.html).toContain(`data-position="${total}"`);
    expect(buttons(webview.html)).toEqual(['restart', 'purge', 'reset', 'fork']);
    expect(webview.html.match(/data-action="resetHere"/g)).toHaveLength(total);
    const tabs = webview.posted.at(-1) as { parts: Record<string, string> };
    expect(Object.keys(tabs.parts)).toEqual(['history', 'timeline', 'sequence', 'children', 'pending']);
    expect(tabs.parts.sequence).toContain('call SayHello');
  });

  it('pages and filters the History table on messages from the page', async () => {
    const { hub, open } = await setup([['big', 'FanOutFanIn', 120, 'Completed']]);
    const { webview } = await open('big');
    const total = (await live.client.getHistoryPage(hub, 'big', { top: 1 })).total;
    expect(total).toBeGreaterThan(200);
    webview.receive({ type: 'historyPage', page: 1 });
    await eventually(() => part(webview, 'historyTable').includes(`Rows 201–${total} of ${total}`));
    webview.receive({ type: 'historyFilter', types: ['TaskCompleted'], text: '' });
    await eventually(() => part(webview, 'historyTable').includes(`120 matching of ${total}`));
  });

  it('runs an action from a panel button and redraws the header with the new status', async () => {
    const { hub, open } = await setup([['r1', 'LongTimer', { seconds: 60 }, 'Running']]);
    const { webview } = await open('r1');
    expect(buttons(webview.html)).toEqual(['raiseEvent', 'suspend', 'terminate', 'restart', 'reset', 'fork']);
    ui.answer('from the panel');
    webview.receive({ type: 'run', id: 'terminate' });
    await eventually(async () => (await live.client.getStatus(hub, 'r1')).runtimeStatus === 'Terminated');
    await eventually(() => webview.html.includes('data-status="Terminated"'));
    const rows = await live.client.getHistoryAll(hub, 'r1');
    expect(rows.find((r) => r.EventType === 'ExecutionTerminated')).toMatchObject({ Input: 'from the panel' });
  });

  it('opens a child from the Children tab with its parent linked, and says so when an instance is gone', async () => {
    const { hub, open, explorer } = await setup([['pc', 'ParentChild', null, 'Completed']]);
    const { webview } = await open('pc');
    expect(part(webview, 'children')).toContain('data-id="pc:0000"');
    webview.receive({ type: 'openInstance', id: 'pc:0000' });
    const child = await eventually(() => explorer.ctx.panels.get(`live:Test/${hub}/pc:0000`));
    await child.loaded();
    expect(child.webview.webview.html).toContain('data-action="openInstance" data-id="pc"');
    await live.client.purgeInstance(hub, 'pc:0000');
    await child.refresh();
    expect(part(child.webview.webview as unknown as StubWebview, 'actions')).toContain('no longer exists');
  });
});

describe('reset and fork from a history row', () => {
  const rowOf = (rows: HistoryRow[], type: string) => rows.findIndex((r) => r.EventType === type) + 1;

  it('resets in place to the row: reason, modal confirmation, then the instance runs on from there', async () => {
    const { hub, open } = await setup([['x1', 'HelloSequence', null, 'Completed']]);
    const { webview } = await open('x1');
    const before = await live.client.getHistoryAll(hub, 'x1');
    const position = rowOf(before, 'TaskCompleted');
    // Escape at the confirmation sends nothing
    ui.answer('', undefined);
    webview.receive({ type: 'resetHere', id: String(position) });
    await eventually(() => ui.prompts.length === 2);
    expect(ui.prompts[1]).toMatchObject({ kind: 'warning', message: `Reset x1 to row ${position} (TaskCompleted SayHello)?`, options: { modal: true } });
    expect(await live.client.getHistoryAll(hub, 'x1')).toHaveLength(before.length);
    ui.answer('try again', 'Reset');
    webview.receive({ type: 'resetHere', id: String(position) });
    await eventually(async () => (await live.client.getHistoryAll(hub, 'x1')).some((r) => r.EventType === 'ExecutionReset'));
    await eventually(async () => (await live.client.getStatus(hub, 'x1')).runtimeStatus === 'Completed');
    const after = await live.client.getHistoryAll(hub, 'x1');
    expect(after.slice(0, position).map((r) => r.EventType)).toEqual(before.slice(0, position).map((r) => r.EventType));
    expect(after.find((r) => r.EventType === 'ExecutionReset')).toMatchObject({ Reason: 'try again' });
  });

  it('forks from the row under a prefilled new ID and opens the fork in its own panel; the original is untouched', async () => {
    const { hub, open, explorer } = await setup([['x2', 'HelloSequence', null, 'Completed']]);
    const { webview } = await open('x2');
    const before = await live.client.getHistoryAll(hub, 'x2');
    const position = rowOf(before, 'TaskCompleted');
    ui.answer(
      (options: { value: string; validateInput(v: string): string | undefined }) => {
        expect(options.value).toBe(`x2-fork-${position}`);
        expect(options.validateInput('x2')).toMatch(/ID of its own/);
        return 'x2-copy';
      },
      '',
      'Fork',
    );
    webview.receive({ type: 'forkHere', id: String(position) });
    const fork = await eventually(() => explorer.ctx.panels.get(`live:Test/${hub}/x2-copy`));
    await eventually(async () => (await live.client.getStatus(hub, 'x2-copy')).runtimeStatus === 'Completed');
    await fork.loaded();
    expect(webviewPanels.map((p) => p.title)).toContain('x2-copy');
    expect(await live.client.getHistoryAll(hub, 'x2')).toEqual(before);
  });

  it('the Reset… button asks for the row, within the history', async () => {
    const { hub, open } = await setup([['x3', 'HelloSequence', null, 'Completed']]);
    const { webview } = await open('x3');
    const total = (await live.client.getHistoryPage(hub, 'x3', { top: 1 })).total;
    ui.answer(
      (options: { value: string; validateInput(v: string): string | undefined }) => {
        expect(options.value).toBe(String(total));
        expect(options.validateInput(String(total + 1))).toMatch(/not in the history/);
        return '2';
      },
      '',
      'Reset',
    );
    webview.receive({ type: 'run', id: 'reset' });
    await eventually(async () => (await live.client.getHistoryAll(hub, 'x3')).some((r) => r.EventType === 'ExecutionReset'));
    await eventually(async () => (await live.client.getStatus(hub, 'x3')).runtimeStatus === 'Completed');
  });
});

describe('history bundles', () => {
  it('exports an instance with its sub-orchestration, opens the file offline in the tree and in a panel', async () => {
    const { hub, node, explorer, run } = await setup([['pb', 'ParentChild', null, 'Completed']]);
    const target = Uri.file('/work/pb.history.json');
    ui.answer(target);
    await run('exportHistory', await node('pb'));
    const bundle = parseBundle(new TextDecoder().decode(files.get(target.toString())!));
    expect(bundle.instance).toMatchObject({ instanceId: 'pb', runtimeStatus: 'Completed' });
    expect(bundle.history).toEqual(await live.client.getHistoryAll(hub, 'pb'));
    expect(bundle.children?.map((c) => c.instance.instanceId)).toEqual(['pb:0000']);
    expect(bundle.source).toMatchObject({ taskHub: hub, backend: 'http' });

    await run('openHistoryBundle', target);
    const offline = await explorer.node('Offline', 'pb');
    expect(offline.contextValue).toBe('offlineInstance');
    const episodes = await explorer.expand('Offline', 'pb');
    expect(episodes.length).toBeGreaterThan(1);
    const panel = explorer.ctx.panels.get('offline:pb.history.json/pb')!;
    await panel.loaded();
    const html = panel.webview.webview.html;
    expect(panel.webview.title).toBe('Offline pb');
    expect(panel.events).toHaveLength(bundle.history.length);
    expect(buttons(html)).toEqual([]);
    expect(html).not.toContain('resetHere');
    expect(html).not.toContain('data-action="export"');
    (panel.webview.webview as unknown as StubWebview).receive({ type: 'openInstance', id: 'pb:0000' });
    const child = await eventually(() => explorer.ctx.panels.get('offline:pb.history.json/pb:0000'));
    await child.loaded();
    expect(child.events).toHaveLength(bundle.children![0]!.history.length);
  });

  it('refuses a file that is not a bundle with a message naming the problem', async () => {
    const { run } = await setup([]);
    const target = Uri.file('/work/not-a-bundle.json');
    files.set(target.toString(), new TextEncoder().encode('{"format":"something-else"}'));
    await run('openHistoryBundle', target);
    expect(ui.messages).toContainEqual({ kind: 'error', message: expect.stringMatching(/openHistoryBundle failed: .*not a history bundle/) });
  });
});

describe('multi-select', () => {
  it('terminates the two selected instances with one reason', async () => {
    const { hub, node, run } = await setup([
      ['m1', 'LongTimer', { seconds: 60 }, 'Running'],
      ['m2', 'LongTimer', { seconds: 60 }, 'Running'],
    ]);
    const [a, b] = [await node('m1'), await node('m2')];
    ui.answer('both');
    await run('terminate', a, [a, b]);
    for (const id of ['m1', 'm2']) await eventually(async () => (await live.client.getStatus(hub, id)).runtimeStatus === 'Terminated');
    expect(ui.prompts).toHaveLength(1);
  });
});

describe('read-only connection', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await startBackend({ token: 'admin-secret', readToken: 'read-secret' });
  });
  afterAll(() => backend?.close());

  it('offers no mutating command in the tree or the panel, and the panel refuses a forged action', async () => {
    const { hub, node, open, explorer } = await setup([['ro', 'LongTimer', { seconds: 60 }, 'Running']], backend, 'read-secret');
    expect((await node('ro')).contextValue).toBe('instance.Running.readOnly');
    expect(explorer.services.scopes?.isReadOnly({ name: 'Test' })).toBe(true);
    const { webview } = await open('ro');
    expect(buttons(webview.html)).toEqual([]);
    expect(webview.html).not.toContain('resetHere');
    expect(webview.html).toContain('data-action="export"');
    webview.receive({ type: 'run', id: 'terminate' });
    webview.receive({ type: 'resetHere', id: '1' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ui.prompts).toEqual([]);
    const admin = new DurableHttpClient({ endpoint: backend.endpoint, token: 'admin-secret' });
    expect((await admin.getStatus(hub, 'ro')).runtimeStatus).toBe('Running');
  });
});
