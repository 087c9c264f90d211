// The command handlers with scripted answers to their prompts, against a real HTTP endpoint. Effects are checked
// through the API, the tree and what the stub recorded (documents, webviews, clipboard, messages).
import { beforeEach, describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/commands/register-commands.js';
import type { InstanceNode } from '../../src/tree/instance-node.js';
import type { TaskHubNode } from '../../src/tree/task-hub-node.js';
import { type Explorer, makeExplorer, uniqueHub } from '../support/explorer.js';
import { useLiveBackend } from '../support/live.js';
import { commands, configuration, openedDocuments, resetStub, ui, webviewPanels } from '../support/vscode-stub.js';

const live = useLiveBackend();
const { statusOf, waitForStatus } = live;
beforeEach(() => resetStub());

const run = (id: string, ...args: unknown[]) => commands.executeCommand(`edgeDurable.${id}`, ...args);

/** An explorer with the commands registered and one hub holding the given instances (started and settled). */
async function setup(instances: [id: string, orchestrator: string, input: unknown, status: string][], { pageSize = 50 } = {}) {
  const hub = uniqueHub();
  for (const [id, orchestrator, input] of instances) await live.client.startNew(hub, orchestrator, input, id);
  for (const [id, , , status] of instances) await waitForStatus(hub, id, status);
  const explorer = await makeExplorer(live.backend, { pageSize });
  const revealed: unknown[] = [];
  explorer.ctx.reveal = async (node) => void revealed.push(node);
  registerCommands(explorer.ctx);
  const hubNode = (await explorer.node('Test', hub)) as TaskHubNode;
  const instance = async (id: string) => (await explorer.node('Test', hub, id)) as InstanceNode;
  return { hub, explorer, hubNode, instance, revealed };
}

describe('instance commands', () => {
  it('terminate asks for a reason, sends it, and updates the tree; Escape sends nothing', async () => {
    const { hub, instance, explorer } = await setup([['t1', 'LongTimer', { seconds: 60 }, 'Running']]);
    const node = await instance('t1');
    ui.answer(undefined);
    await run('terminate', node);
    expect(await statusOf(hub, 't1')).toBe('Running');
    ui.answer('cleanup');
    await run('terminate', node);
    expect(await statusOf(hub, 't1')).toBe('Terminated');
    const history = (await live.client.getStatus(hub, 't1', { history: true })).historyEvents!;
    expect(history.find((e) => e.EventType === 'ExecutionTerminated')).toMatchObject({ Input: 'cleanup' });
    expect(explorer.provider.find<InstanceNode>(node.id!)!.contextValue).toBe('instance.Terminated');
    expect(ui.messages).toContainEqual({ kind: 'information', message: 'Terminate request accepted for t1.' });
  });

  it('suspend and resume change the status and the context value', async () => {
    const { hub, instance, explorer } = await setup([['s1', 'LongTimer', { seconds: 60 }, 'Running']]);
    ui.answer('');
    await run('suspend', await instance('s1'));
    expect(await statusOf(hub, 's1')).toBe('Suspended');
    const node = explorer.provider.find<InstanceNode>((await instance('s1')).id!)!;
    expect(node.contextValue).toBe('instance.Suspended');
    ui.answer('');
    await run('resume', node);
    expect(await statusOf(hub, 's1')).toBe('Running');
  });

  it('raise event validates the name and the JSON data before sending', async () => {
    const { hub, instance } = await setup([['a1', 'Approval', null, 'Running']]);
    ui.answer(
      (options: { validateInput(v: string): string | undefined }) => {
        expect(options.validateInput('')).toMatch(/Enter the event name/);
        expect(options.validateInput('a/b')).toMatch(/cannot contain/);
        return 'Approval';
      },
      (options: { validateInput(v: string): string | undefined }) => {
        expect(options.validateInput('{approved: yes}')).toMatch(/Not valid JSON/);
        return '{"approved": true}';
      },
    );
    await run('raiseEvent', await instance('a1'));
    await waitForStatus(hub, 'a1', 'Completed');
    const history = (await live.client.getStatus(hub, 'a1', { history: true })).historyEvents!;
    expect(history.find((e) => e.EventType === 'EventRaised')).toMatchObject({ Name: 'Approval', Input: { approved: true } });
  });

  it('rewind brings a failed instance back to completion', async () => {
    const { hub, instance } = await setup([['f1', 'FlakyActivity', { failTimes: 1 }, 'Failed']]);
    ui.answer('retry');
    await run('rewind', await instance('f1'));
    await waitForStatus(hub, 'f1', 'Completed');
  });

  it('restart with a new ID starts a copy with the same input', async () => {
    const { hub, instance } = await setup([['r1', 'HelloSequence', { n: 1 }, 'Completed']]);
    ui.answer((_options: unknown, items: { label: string }[]) => items.find((i) => i.label === 'New instance ID'));
    await run('restart', await instance('r1'));
    const message = ui.messages.find((m) => m.message.startsWith('Restarted r1 as '))!.message;
    const newId = message.replace('Restarted r1 as ', '').replace(/\.$/, '');
    expect(newId).not.toBe('r1');
    expect((await live.client.getStatus(hub, newId)).input).toEqual({ n: 1 });
  });

  it('purge needs the modal confirmation, then deletes and removes the node', async () => {
    const { hub, instance, explorer } = await setup([['p1', 'HelloSequence', null, 'Completed']]);
    ui.answer(undefined);
    await run('purge', await instance('p1'));
    expect(ui.prompts[0]).toMatchObject({ kind: 'warning', options: { modal: true }, buttons: ['Purge'] });
    expect(await statusOf(hub, 'p1')).toBe('Completed');
    ui.answer('Purge');
    await run('purge', await instance('p1'));
    await expect(live.client.getStatus(hub, 'p1')).rejects.toMatchObject({ status: 404 });
    expect(explorer.services.pages.get(`Test/${hub}`).get('p1')).toBeUndefined();
  });

  it('copies the instance ID and a token-free status URL', async () => {
    const { hub, instance, explorer } = await setup([['c1', 'HelloSequence', null, 'Completed']]);
    const node = await instance('c1');
    await explorer.secrets.store('edgeDurable.token:Test', 'do-not-leak');
    await run('copyInstanceId', node);
    expect(ui.clipboard).toBe('c1');
    await run('copyStatusUrl', node);
    expect(ui.clipboard).toBe(`${live.backend.endpoint}/runtime/webhooks/durabletask/instances/c1?taskHub=${hub}`);
  });

  it('shows status and history as read-only JSON documents of the custom scheme', async () => {
    const { instance } = await setup([['d1', 'HelloSequence', null, 'Completed']]);
    await run('showStatus', await instance('d1'));
    await run('showHistory', await instance('d1'));
    const [status, history] = openedDocuments;
    expect(status!.uri.scheme).toBe('edge-durable');
    expect(status!.languageId).toBe('json');
    expect(JSON.parse(status!.text)).toMatchObject({ instanceId: 'd1', runtimeStatus: 'Completed', name: 'HelloSequence' });
    const events = JSON.parse(history!.text) as { EventType: string }[];
    expect(events[0]!.EventType).toBe('ExecutionStarted');
    expect(events.at(-1)!.EventType).toBe('ExecutionCompleted');
  });

  it('opens a script-free timeline webview with one bar per activity', async () => {
    const { instance } = await setup([['tl', 'HelloSequence', null, 'Completed']]);
    await run('showTimeline', await instance('tl'));
    expect(webviewPanels).toHaveLength(1);
    const panel = webviewPanels[0]!;
    expect(panel.title).toBe('Timeline tl');
    expect(panel.options).toMatchObject({ enableScripts: false });
    expect(panel.webview.html.match(/<rect class="bar activity completed"/g)).toHaveLength(3);
    expect(panel.webview.html).toContain(`style-src ${panel.webview.cspSource} 'nonce-`);
  });

  it('reports a failing command as an error notification', async () => {
    const { instance, hub } = await setup([['gone', 'HelloSequence', null, 'Completed']]);
    const node = await instance('gone');
    await live.client.purgeInstance(hub, 'gone');
    await run('showStatus', node);
    expect(ui.messages).toContainEqual({ kind: 'error', message: expect.stringMatching(/^showStatus failed: .*gone/) });
  });
});

describe('task hub commands', () => {
  it('starts a new instance from the orchestrator list with validated JSON input', async () => {
    const { hub, hubNode } = await setup([['seed', 'HelloSequence', null, 'Completed']]);
    ui.answer(
      (_options: unknown, items: string[]) => {
        expect(items).toEqual(expect.arrayContaining(['HelloSequence', 'Approval', 'FanOutFanIn']));
        return 'FanOutFanIn';
      },
      (options: { validateInput(v: string): string | undefined }) => {
        expect(options.validateInput('{n: 2}')).toMatch(/Not valid JSON/);
        return '3'; // FanOutFanIn takes n and returns 1² + … + n²
      },
      (options: { validateInput(v: string): string | undefined }) => {
        expect(options.validateInput('@entity')).toMatch(/must not start with '@'/);
        return 'fan-1';
      },
    );
    await run('startInstance', hubNode);
    await waitForStatus(hub, 'fan-1', 'Completed');
    expect(await live.client.getStatus(hub, 'fan-1')).toMatchObject({ name: 'FanOutFanIn', input: 3, output: 14 });
    expect(ui.messages).toContainEqual({ kind: 'information', message: 'Started FanOutFanIn as fan-1.' });
  });

  it('shows a started instance on top without reloading the pages already loaded', async () => {
    const { hub, explorer, hubNode } = await setup(
      [
        ['old-1', 'LongTimer', { seconds: 60 }, 'Running'],
        ['old-2', 'LongTimer', { seconds: 60 }, 'Running'],
        ['old-3', 'LongTimer', { seconds: 60 }, 'Running'],
      ],
      { pageSize: 2 },
    );
    const before = await explorer.provider.getChildren(hubNode);
    // the server lists newest first: the first page is old-3, old-2
    expect(before.map((n) => n.label)).toEqual(['old-3', 'old-2', 'Load more…']);
    ui.answer('LongTimer', '{"seconds": 60}', 'newest');
    await run('startInstance', hubNode);
    const after = await explorer.provider.getChildren(explorer.provider.find(hubNode.id!)!);
    expect(after.map((n) => n.label)).toEqual(['newest', 'old-3', 'old-2', 'Load more…']);
    expect(['Pending', 'Running']).toContain(await statusOf(hub, 'newest'));
  });

  it('sets a filter that the hub node then shows, and clears it', async () => {
    const { hub, explorer, hubNode } = await setup([
      ['run-1', 'LongTimer', { seconds: 60 }, 'Running'],
      ['done-1', 'HelloSequence', null, 'Completed'],
    ]);
    ui.answer((_o: unknown, items: { label: string }[]) => items.filter((i) => i.label === 'Running'), '', '', 'run');
    await run('filterInstances', hubNode);
    expect(ui.prompts.map((p) => p.options?.title)).toEqual([
      `Filter ${hub} (1/4): runtime status`,
      `Filter ${hub} (2/4): created from`,
      `Filter ${hub} (3/4): created to`,
      `Filter ${hub} (4/4): instance ID prefix`,
    ]);
    const filtered = await explorer.node('Test', hub);
    // the whole hub's counts, then the filter
    expect(filtered.description).toBe('1 running · 1 completed · filter: Running · id run*');
    expect((await explorer.expand('Test', hub)).map((n) => n.label)).toEqual(['run-1']);
    await run('clearFilter', filtered);
    expect((await explorer.node('Test', hub)).description).toBe('1 running · 1 completed');
    expect((await explorer.expand('Test', hub)).map((n) => n.label).sort()).toEqual(['done-1', 'run-1']);
  });

  it('purges history by filter after confirmation', async () => {
    const { hub, hubNode } = await setup([
      ['old-1', 'HelloSequence', null, 'Completed'],
      ['old-2', 'FlakyActivity', { failTimes: 9 }, 'Failed'],
      ['live', 'LongTimer', { seconds: 60 }, 'Running'],
    ]);
    ui.answer(
      (_o: unknown, items: { label: string; picked: boolean }[]) => {
        expect(items.map((i) => [i.label, i.picked])).toEqual([
          ['Completed', true],
          ['Failed', true],
          ['Terminated', true],
        ]);
        return items.filter((i) => i.label === 'Completed');
      },
      '2000-01-01',
      '',
      'Purge',
    );
    await run('purgeByFilter', hubNode);
    expect(ui.prompts.at(-1)).toMatchObject({ kind: 'warning', options: { modal: true } });
    expect((await live.client.listInstances(hub)).instances.map((i) => i.instanceId).sort()).toEqual(['live', 'old-2']);
    expect(ui.messages).toContainEqual({ kind: 'information', message: `Purged 1 instance from ${hub}.` });
  });

  it('runs a batch terminate over the filter and reports each failure', async () => {
    const { hub, explorer, hubNode } = await setup([
      ['b1', 'LongTimer', { seconds: 60 }, 'Running'],
      ['b2', 'LongTimer', { seconds: 60 }, 'Running'],
      ['b3', 'LongTimer', { seconds: 60 }, 'Running'],
      ['b4', 'HelloSequence', null, 'Completed'],
    ]);
    ui.answer(
      (_o: unknown, items: { label: string }[]) => items.find((i) => i.label === 'Terminate all matching'),
      async (_options: unknown) => {
        // someone else terminates b2 between the listing and the batch: its terminate then fails with 410
        await live.client.terminate(hub, 'b2', 'elsewhere');
        return 'Terminate';
      },
    );
    await run('batchOperation', hubNode);
    const confirmation = ui.prompts[1]!;
    expect(confirmation.message).toBe(`Terminate 3 instances in task hub ${hub}?`);
    expect(confirmation.options.detail).toMatch(/1 other matching instance\(s\) are skipped/);
    for (const id of ['b1', 'b2', 'b3']) expect(await statusOf(hub, id)).toBe('Terminated');
    expect(ui.messages).toContainEqual({
      kind: 'warning',
      message: 'Terminate: 2 succeeded, 1 failed, 1 skipped (not applicable). See the "Edge Durable" output for each failure.',
    });
    expect(explorer.output.lines).toContainEqual(expect.stringMatching(/^ {2}FAILED b2: /));
  });

  it('batch operations respect the hub filter', async () => {
    const { hub, explorer, hubNode } = await setup([
      ['keep-1', 'LongTimer', { seconds: 60 }, 'Running'],
      ['drop-1', 'LongTimer', { seconds: 60 }, 'Running'],
    ]);
    await explorer.filters.set(`Test/${hub}`, { statuses: [], idPrefix: 'drop' });
    const filteredHub = (await explorer.node('Test', hub)) as TaskHubNode;
    expect(filteredHub).not.toBe(hubNode);
    ui.answer((_o: unknown, items: { label: string }[]) => items[0], 'Terminate');
    await run('batchOperation', filteredHub);
    expect(await statusOf(hub, 'drop-1')).toBe('Terminated');
    expect(await statusOf(hub, 'keep-1')).toBe('Running');
  });

  it('goes to an instance by ID even when it is not on a loaded page', async () => {
    const { hub, explorer, hubNode, revealed } = await setup([['target', 'HelloSequence', null, 'Completed']]);
    await explorer.filters.set(`Test/${hub}`, { statuses: ['Running'] });
    ui.answer('target');
    await run('goToInstance', hubNode);
    expect(revealed).toHaveLength(1);
    expect((revealed[0] as InstanceNode).id).toBe(`instance:Test/${hub}/target`);
    expect(explorer.services.pages.get(`Test/${hub}`).get('target')).toMatchObject({ runtimeStatus: 'Completed' });
  });

  it('deletes a task hub only after the modal confirmation', async () => {
    const { hub, hubNode, explorer } = await setup([['x', 'HelloSequence', null, 'Completed']]);
    ui.answer(undefined);
    await run('deleteTaskHub', hubNode);
    expect(await live.client.listTaskHubs()).toContain(hub);
    ui.answer('Delete Task Hub');
    await run('deleteTaskHub', hubNode);
    expect(await live.client.listTaskHubs()).not.toContain(hub);
    expect((await explorer.expand('Test')).map((n) => n.label)).not.toContain(hub);
  });
});

describe('connection commands', () => {
  let explorer: Explorer;
  beforeEach(async () => {
    explorer = await makeExplorer(live.backend, { token: undefined });
    registerCommands(explorer.ctx);
  });

  it('adds a connection with its token in the secret storage, not in settings', async () => {
    ui.answer(
      (options: { validateInput(v: string): string | undefined }) => {
        expect(options.validateInput('Test')).toMatch(/already exists/);
        expect(options.validateInput(' ')).toMatch(/Enter a name/);
        return 'Second';
      },
      (options: { validateInput(v: string): string | undefined; value: string }) => {
        expect(options.value).toBe('http://127.0.0.1:7071');
        expect(options.validateInput('ftp://x')).toMatch(/http/);
        expect(options.validateInput('not a url')).toMatch(/Enter a URL/);
        return `${live.backend.endpoint}/runtime/webhooks/durabletask/`;
      },
      'tok-2',
    );
    await run('addConnection');
    expect(configuration.get('edgeDurable.connections')).toEqual([
      { name: 'Test', endpoint: live.backend.endpoint },
      { name: 'Second', endpoint: live.backend.endpoint },
    ]);
    expect(JSON.stringify(configuration.get('edgeDurable.connections'))).not.toContain('tok-2');
    expect(await explorer.secrets.get('edgeDurable.token:Second')).toBe('tok-2');
    expect((await explorer.expand()).map((n) => n.label)).toEqual(['Test', 'Second']);
  });

  it('edits a connection: renaming moves the token, "none" removes it', async () => {
    await explorer.secrets.store('edgeDurable.token:Test', 'tok');
    ui.answer('Renamed', live.backend.endpoint, '');
    await run('editConnection', 'Test');
    expect(configuration.get('edgeDurable.connections')).toEqual([{ name: 'Renamed', endpoint: live.backend.endpoint }]);
    expect(await explorer.secrets.get('edgeDurable.token:Test')).toBeUndefined();
    expect(await explorer.secrets.get('edgeDurable.token:Renamed')).toBe('tok');
    const [node] = await explorer.expand();
    ui.answer('Renamed', live.backend.endpoint, 'none');
    await run('editConnection', node);
    expect(await explorer.secrets.get('edgeDurable.token:Renamed')).toBeUndefined();
  });

  it('removes a connection and its token after confirmation', async () => {
    await explorer.secrets.store('edgeDurable.token:Test', 'tok');
    const [node] = await explorer.expand();
    ui.answer(undefined);
    await run('removeConnection', node);
    expect(configuration.get('edgeDurable.connections')).toHaveLength(1);
    ui.answer('Remove');
    await run('removeConnection', node);
    expect(configuration.get('edgeDurable.connections')).toEqual([]);
    expect(await explorer.secrets.get('edgeDurable.token:Test')).toBeUndefined();
    expect(await explorer.expand()).toEqual([]);
  });
});
