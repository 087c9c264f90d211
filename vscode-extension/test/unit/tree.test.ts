// The explorer tree (TreeDataProvider + node classes) against a real HTTP endpoint, with the vscode stub.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { ActivityNode } from '../../src/tree/activity-node.js';
import { EpisodeNode } from '../../src/tree/episode-node.js';
import { InstanceNode } from '../../src/tree/instance-node.js';
import { LifecycleNode } from '../../src/tree/lifecycle-node.js';
import type { LoadMoreNode } from '../../src/tree/load-more-node.js';
import { MessageNode } from '../../src/tree/message-node.js';
import { SubOrchestrationNode } from '../../src/tree/sub-orchestration-node.js';
import type { TaskHubNode } from '../../src/tree/task-hub-node.js';
import { DurableHttpClient } from '../../src/wire.js';
import { startBackend } from '../support/backend.js';
import { makeExplorer, uniqueHub } from '../support/explorer.js';
import { useLiveBackend } from '../support/live.js';
import { MarkdownString, resetStub, type ThemeIcon } from '../support/vscode-stub.js';

const live = useLiveBackend();
const { waitForStatus } = live;
beforeEach(() => resetStub());

const icon = (node: { iconPath?: unknown }) => (node.iconPath as ThemeIcon).id;

describe('connections and task hubs', () => {
  it('lists the configured connections, then the task hubs of each, sorted', async () => {
    const hubB = `b${uniqueHub()}`;
    const hubA = `a${uniqueHub()}`;
    await live.client.startNew(hubB, 'HelloSequence');
    await live.client.startNew(hubA, 'HelloSequence');
    const explorer = await makeExplorer(live.backend);
    const roots = await explorer.expand();
    expect(roots.map((r) => [r.label, r.description, r.contextValue])).toEqual([['Test', live.backend.endpoint, 'connection']]);
    const hubs = (await explorer.expand('Test')).map((h) => h.label as string);
    expect(hubs).toEqual([...hubs].sort((a, b) => a.localeCompare(b)));
    expect(hubs.indexOf(hubA)).toBeGreaterThanOrEqual(0);
    expect(hubs.indexOf(hubA)).toBeLessThan(hubs.indexOf(hubB));
    const hub = (await explorer.node('Test', hubA)) as TaskHubNode;
    expect(hub.contextValue).toBe('taskHub');
    // the per-status counts of the hub (GET counts): the one instance, wherever it is in its run
    expect(hub.description).toMatch(/^1 (pending|running|completed)$/);
    expect(explorer.provider.getParent(hub)?.id).toBe(roots[0]!.id);
  });

  it('shows an error node instead of children when the endpoint is unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = http.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as AddressInfo;
        server.close(() => resolve(p));
      });
    });
    const explorer = await makeExplorer(live.backend, { connections: [{ name: 'Gone', endpoint: `http://127.0.0.1:${port}` }] });
    const children = await explorer.expand('Gone');
    expect(children).toHaveLength(1);
    expect(children[0]).toBeInstanceOf(MessageNode);
    expect(children[0]!.label).toBe(`Cannot reach http://127.0.0.1:${port}`);
    expect(children[0]!.contextValue).toBe('error');
    expect(icon(children[0]!)).toBe('error');
    expect(children[0]!.description).toMatch(/ECONNREFUSED/);
  });

  it('shows an "Unauthorized" error node that opens "Edit Connection" when the token is wrong', async () => {
    const secured = await startBackend({ token: 'right-token' });
    try {
      // a fresh server has no task hubs: one instance makes one
      await new DurableHttpClient({ endpoint: secured.endpoint, token: secured.token }).startNew('secured-hub', 'HelloSequence');
      const explorer = await makeExplorer(secured, { token: 'wrong-token' });
      const [node] = await explorer.expand('Test');
      expect(node!.label).toBe('Unauthorized: the token was rejected (401)');
      expect(node!.command).toEqual({ command: 'edgeDurable.editConnection', title: 'Edit Connection', arguments: ['Test'] });
      // with the right token in the secret storage the same tree loads
      await explorer.secrets.store('edgeDurable.token:Test', secured.token!);
      const hubs = (await explorer.expand('Test')).map((n) => [n.label, n.contextValue]);
      expect(hubs).toContainEqual(['secured-hub', 'taskHub']);
      expect(hubs.every(([, contextValue]) => contextValue === 'taskHub')).toBe(true);
    } finally {
      await secured.close();
    }
  });
});

describe('instances', () => {
  it('shows each instance with ID, status icon and context value, "name · age" and a Markdown tooltip, newest first', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'HelloSequence', { city: 'Oslo' }, 'done');
    await waitForStatus(hub, 'done', 'Completed');
    await live.client.startNew(hub, 'FlakyActivity', { failTimes: 5 }, 'failed');
    await waitForStatus(hub, 'failed', 'Failed');
    await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, 'running');
    await waitForStatus(hub, 'running', 'Running');
    await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, 'suspended');
    await waitForStatus(hub, 'suspended', 'Running');
    await live.client.suspend(hub, 'suspended');
    await waitForStatus(hub, 'suspended', 'Suspended');
    const explorer = await makeExplorer(live.backend);
    const nodes = (await explorer.expand('Test', hub)) as InstanceNode[];
    expect(nodes.every((n) => n instanceof InstanceNode)).toBe(true);
    const created = nodes.map((n) => Date.parse(n.status.createdTime));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const byId = Object.fromEntries(nodes.map((n) => [n.label, n]));
    expect(Object.keys(byId).sort()).toEqual(['done', 'failed', 'running', 'suspended']);
    expect([byId.done!.contextValue, icon(byId.done!)]).toEqual(['instance.Completed', 'pass']);
    expect([byId.failed!.contextValue, icon(byId.failed!)]).toEqual(['instance.Failed', 'error']);
    expect([byId.running!.contextValue, icon(byId.running!)]).toEqual(['instance.Running', 'play-circle']);
    expect([byId.suspended!.contextValue, icon(byId.suspended!)]).toEqual(['instance.Suspended', 'debug-pause']);
    expect(byId.done!.description).toMatch(/^HelloSequence · (just now|\d+ s ago)$/);
    const tooltip = byId.done!.tooltip as MarkdownString;
    expect(tooltip).toBeInstanceOf(MarkdownString);
    expect(tooltip.value).toContain('| Orchestrator | HelloSequence |');
    expect(tooltip.value).toContain('| Status | Completed |');
    expect(tooltip.value).toContain('"city":"Oslo"');
  });

  it('loads more pages on demand and drops the "Load more…" node after the last page', async () => {
    const hub = uniqueHub();
    for (let i = 0; i < 5; i++) await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, `i${i}`);
    const explorer = await makeExplorer(live.backend, { pageSize: 2 });
    const hubNode = (await explorer.node('Test', hub)) as TaskHubNode;
    let children = await explorer.provider.getChildren(hubNode);
    expect(children.map((c) => c.constructor.name)).toEqual(['InstanceNode', 'InstanceNode', 'LoadMoreNode']);
    const loadMore = children[2] as LoadMoreNode;
    expect(loadMore.command).toEqual({ command: 'edgeDurable.loadMore', title: 'Load more', arguments: [hubNode] });
    await hubNode.loadMore();
    children = await explorer.provider.getChildren(hubNode);
    expect(children.filter((c) => c instanceof InstanceNode)).toHaveLength(4);
    await hubNode.loadMore();
    children = await explorer.provider.getChildren(hubNode);
    expect(children.map((c) => c.label).sort()).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']);
  });

  it('applies the hub filter to the query and shows it on the hub node', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, 'keep-running');
    await live.client.startNew(hub, 'HelloSequence', null, 'done');
    await waitForStatus(hub, 'done', 'Completed');
    const explorer = await makeExplorer(live.backend);
    await explorer.filters.set(`Test/${hub}`, { statuses: ['Running', 'Pending'], idPrefix: 'keep' });
    const hubNode = await explorer.node('Test', hub);
    expect(hubNode.description).toMatch(/^1 (pending|running) · 1 completed · filter: Running, Pending · id keep\*$/);
    expect(hubNode.contextValue).toBe('taskHub.filtered');
    expect((await explorer.provider.getChildren(hubNode)).map((c) => c.label)).toEqual(['keep-running']);
    await explorer.filters.set(`Test/${hub}`, { statuses: ['Failed'] });
    explorer.services.pages.reset(`Test/${hub}`);
    const empty = await explorer.expand('Test', hub);
    expect(empty.map((c) => [c.label, c.contextValue])).toEqual([['No instances match the filter', 'message']]);
  });
});

describe('history', () => {
  it('groups the history into episodes with paired activities and durations', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'HelloSequence', null, 'seq');
    await waitForStatus(hub, 'seq', 'Completed');
    const explorer = await makeExplorer(live.backend);
    const episodes = await explorer.expand('Test', hub, 'seq');
    expect(episodes.every((e) => e instanceof EpisodeNode)).toBe(true);
    expect(episodes.map((e) => e.label)).toEqual(['Episode 1', 'Episode 2', 'Episode 3', 'Episode 4']);
    expect(episodes[1]!.description).toMatch(/^SayHello completed · \d\d:\d\d:\d\d/);
    const first = await explorer.provider.getChildren(episodes[0]);
    expect(first.map((n) => n.label)).toEqual(['Started', 'SayHello']);
    const activity = first[1] as ActivityNode;
    expect(activity).toBeInstanceOf(ActivityNode);
    expect(activity.description).toMatch(/^\d+ ms$|^\d\.\d s$/);
    expect((activity.tooltip as MarkdownString).value).toContain('Hello Tokyo!');
    const last = await explorer.provider.getChildren(episodes[3]);
    expect(last.map((n) => n.label)).toEqual(['Completed']);
  });

  it('shows a failure message on the failed activity and on the orchestration', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'FlakyActivity', { failTimes: 1 }, 'flaky');
    await waitForStatus(hub, 'flaky', 'Failed');
    const explorer = await makeExplorer(live.backend);
    const [first, second] = await explorer.expand('Test', hub, 'flaky');
    const [, failedActivity] = await explorer.provider.getChildren(first);
    expect(failedActivity!.description).toMatch(/^failed after .+: Error: Flaky failure 1 of 1$/);
    expect(icon(failedActivity!)).toBe('error');
    expect(first!.iconPath).toMatchObject({ id: 'warning' });
    const [finished] = await explorer.provider.getChildren(second);
    expect(finished).toBeInstanceOf(LifecycleNode);
    expect(finished!.label).toBe('Finished: Failed');
    expect(finished!.description).toContain("TaskFailedError: Activity function 'Flaky' failed: Flaky failure 1 of 1");
  });

  it("expands a sub-orchestration into the child's own history", async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'ParentChild', { x: 1 }, 'parent');
    await waitForStatus(hub, 'parent', 'Completed');
    const explorer = await makeExplorer(live.backend);
    const [first] = await explorer.expand('Test', hub, 'parent');
    const items = await explorer.provider.getChildren(first);
    const sub = items.find((n) => n instanceof SubOrchestrationNode) as SubOrchestrationNode;
    expect(sub.label).toBe('HelloSequence');
    expect(sub.contextValue).toBe('subOrchestration');
    expect(sub.instanceId).toBeTruthy();
    expect(sub.description).toContain(sub.instanceId);
    const childEpisodes = await explorer.provider.getChildren(sub);
    expect(childEpisodes.map((e) => e.label)).toEqual(['Episode 1', 'Episode 2', 'Episode 3', 'Episode 4']);
    const childFirst = await explorer.provider.getChildren(childEpisodes[0]);
    expect(childFirst.map((n) => n.label)).toEqual(['Started', 'SayHello']);
    expect((childEpisodes[0] as EpisodeNode).owner).toBe(sub);
  });
});

describe('auto-refresh', () => {
  it('updates running instances in place and leaves finished and suspended ones alone', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'Approval', null, 'waiting');
    await live.client.startNew(hub, 'HelloSequence', null, 'finished');
    await waitForStatus(hub, 'waiting', 'Running');
    await waitForStatus(hub, 'finished', 'Completed');
    const explorer = await makeExplorer(live.backend);
    const nodes = (await explorer.expand('Test', hub)) as InstanceNode[];
    const waiting = nodes.find((n) => n.label === 'waiting')!;
    expect(await explorer.provider.refreshActiveInstances()).toBe(1);
    expect(waiting.contextValue).toBe('instance.Running');
    await live.client.raiseEvent(hub, 'waiting', 'Approval', true);
    await waitForStatus(hub, 'waiting', 'Completed');
    const fired: unknown[] = [];
    explorer.provider.onDidChangeTreeData((node) => fired.push(node));
    await explorer.provider.refreshActiveInstances();
    expect(waiting.contextValue).toBe('instance.Completed');
    expect(icon(waiting)).toBe('pass');
    expect(fired).toEqual([waiting]);
    expect(await explorer.provider.refreshActiveInstances()).toBe(0);
  });

  it('drops an instance that no longer exists', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, 'doomed');
    await waitForStatus(hub, 'doomed', 'Running');
    const explorer = await makeExplorer(live.backend);
    await explorer.expand('Test', hub);
    await live.client.deleteTaskHub(hub);
    await explorer.provider.refreshActiveInstances();
    expect(explorer.services.pages.get(`Test/${hub}`).all()).toEqual([]);
    expect(await explorer.provider.refreshActiveInstances()).toBe(0);
  });
});
