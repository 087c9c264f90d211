/** The hub overview webview: per-status counts and the creation histogram for the hub's active filter. */
import * as vscode from 'vscode';
import { describeFilter, filterToQuery, isEmptyFilter } from '../filters.js';
import { creationHistogram, renderHubOverviewHtml } from '../panel/hub-overview.js';
import { makeNonce } from '../panel/instance-panel.js';
import { countInstances } from '../server-api.js';
import type { TaskHubNode } from '../tree/task-hub-node.js';
import type { StatusPayload } from '../wire.js';
import type { CommandContext } from './command-context.js';

/** The histogram reads at most this many instances (newest first). */
const HISTOGRAM_LIMIT = 10_000;

const panels = new Map<string, vscode.WebviewPanel>();

export async function showHubOverview(_ctx: CommandContext, hub: TaskHubNode): Promise<vscode.WebviewPanel> {
  const client = await hub.services.client(hub.connection);
  const query = filterToQuery(hub.filter);
  const [counts, sample] = await Promise.all([
    countInstances(client, hub.taskHub, { createdTimeFrom: query.createdTimeFrom, createdTimeTo: query.createdTimeTo }),
    readNewest(client, hub.taskHub, query),
  ]);
  let panel = panels.get(hub.key);
  if (panel) panel.reveal();
  else {
    panel = vscode.window.createWebviewPanel('edgeDurable.hubOverview', `Hub ${hub.taskHub}`, vscode.ViewColumn.Active, {
      enableScripts: false,
      localResourceRoots: [],
    });
    const key = hub.key;
    panels.set(key, panel);
    panel.onDidDispose(() => panels.delete(key));
  }
  panel.webview.html = renderHubOverviewHtml({
    taskHub: hub.taskHub,
    where: hub.connection.name,
    filter: isEmptyFilter(hub.filter) ? '' : describeFilter(hub.filter),
    counts,
    histogram: creationHistogram(sample.instances),
    sampled: sample.instances.length,
    truncated: sample.truncated,
    nonce: makeNonce(),
    cspSource: panel.webview.cspSource,
  });
  return panel;
}

async function readNewest(
  client: Awaited<ReturnType<TaskHubNode['services']['client']>>,
  taskHub: string,
  query: ReturnType<typeof filterToQuery>,
): Promise<{ instances: StatusPayload[]; truncated: boolean }> {
  const instances: StatusPayload[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.listInstances(taskHub, { ...query, top: 1000, continuationToken, showInput: false });
    instances.push(...page.instances);
    continuationToken = page.continuationToken;
  } while (continuationToken && instances.length < HISTOGRAM_LIMIT);
  return { instances, truncated: Boolean(continuationToken) };
}
