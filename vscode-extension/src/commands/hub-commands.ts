/** Context-menu commands on a task hub. */
import * as vscode from 'vscode';
import type { Connection } from '../connections.js';
import { describeFilter, filterToQuery, type InstanceFilter, isEmptyFilter, parseTimeInput } from '../filters.js';
import { hubKey } from '../tree/explorer-node.js';
import { InstanceNode } from '../tree/instance-node.js';
import type { TaskHubNode } from '../tree/task-hub-node.js';
import type { DurableHttpClient, StatusPayload } from '../wire.js';
import { type InstanceOperation, offers, type RuntimeStatus, STATUSES_IN_LIFECYCLE_ORDER, TERMINAL_STATUSES } from '../wire.js';
import { batchReportLines, runBatch, summarizeBatch } from './batch.js';
import type { CommandContext } from './command-context.js';
import { parseJsonInput, validateInstanceId, validateJsonInput, validateTimeInput } from './validation.js';

export async function startInstance(ctx: CommandContext, hub: TaskHubNode): Promise<void> {
  const client = await hub.services.client(hub.connection);
  const names = await client.listOrchestrators(hub.taskHub);
  const name = names.length
    ? await vscode.window.showQuickPick(names, { title: `Start new instance in ${hub.taskHub} (1/3)`, placeHolder: 'Orchestrator', ignoreFocusOut: true })
    : // a server without the orchestrators route still lets the user type a name
      await vscode.window.showInputBox({ title: `Start new instance in ${hub.taskHub} (1/3)`, prompt: 'Orchestrator name', ignoreFocusOut: true });
  if (!name) return;
  const inputText = await vscode.window.showInputBox({
    title: `Start ${name} (2/3)`,
    prompt: 'Input as JSON (empty for none), e.g. {"n": 5}',
    validateInput: validateJsonInput,
    ignoreFocusOut: true,
  });
  if (inputText === undefined) return;
  const instanceId = await vscode.window.showInputBox({
    title: `Start ${name} (3/3)`,
    prompt: 'Instance ID (empty: the server generates one)',
    validateInput: (value) => validateInstanceId(value, { optional: true }),
    ignoreFocusOut: true,
  });
  if (instanceId === undefined) return;
  const payload = await client.startNew(hub.taskHub, name, parseJsonInput(inputText), instanceId.trim() || undefined);
  await showNewInstance(ctx, client, hub.connection, hub.taskHub, payload.id);
  void vscode.window.showInformationMessage(`Started ${name} as ${payload.id}.`);
}

/** Puts a just-started instance into the tree; falls back to reloading the hub if its status cannot be read yet. */
export async function showNewInstance(
  ctx: CommandContext,
  client: DurableHttpClient,
  connection: Connection,
  taskHub: string,
  instanceId: string,
): Promise<void> {
  const status = await client.getStatus(taskHub, instanceId).catch(() => undefined);
  if (status) ctx.provider.addInstance(connection, taskHub, status);
  else ctx.provider.refreshHub(connection, taskHub);
}

export async function filterInstances(ctx: CommandContext, hub: TaskHubNode): Promise<void> {
  const current = hub.filter;
  const step = (n: number, what: string) => `Filter ${hub.taskHub} (${n}/4): ${what}`;
  const picked = await vscode.window.showQuickPick(
    STATUSES_IN_LIFECYCLE_ORDER.map((status) => ({ label: status, picked: current.statuses.includes(status) })),
    { title: step(1, 'runtime status'), placeHolder: 'Pick statuses; none = any status', canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked) return;
  const now = Date.now();
  const from = await askTime(
    step(2, 'created from'),
    'Created at or after: ISO date/time or age (30m, 24h, 7d); empty = no bound',
    current.createdFrom ?? '',
    now,
  );
  if (from === undefined) return;
  const to = await askTime(step(3, 'created to'), 'Created at or before: ISO date/time or age; empty = no bound', current.createdTo ?? '', now);
  if (to === undefined) return;
  const prefix = await vscode.window.showInputBox({
    title: step(4, 'instance ID prefix'),
    prompt: 'Instance ID starts with (empty = any)',
    value: current.idPrefix ?? '',
    ignoreFocusOut: true,
  });
  if (prefix === undefined) return;
  const createdFrom = parseTimeInput(from, now);
  const createdTo = parseTimeInput(to, now);
  const filter: InstanceFilter = {
    statuses: picked.map((p) => p.label as RuntimeStatus),
    createdFrom: createdFrom || undefined,
    createdTo: createdTo || undefined,
    idPrefix: prefix.trim() || undefined,
  };
  if (isEmptyFilter(filter)) await ctx.filters.clear(hub.key);
  else await ctx.filters.set(hub.key, filter);
  refreshHubAndItsLabel(ctx, hub);
}

export async function clearFilter(ctx: CommandContext, hub: TaskHubNode): Promise<void> {
  await ctx.filters.clear(hub.key);
  refreshHubAndItsLabel(ctx, hub);
}

/** The filter is shown on the hub node itself, so the connection re-renders its hub nodes (ids keep them expanded). */
function refreshHubAndItsLabel(ctx: CommandContext, hub: TaskHubNode): void {
  ctx.provider.services.pages.reset(hub.key);
  ctx.provider.refresh(hub.parent);
}

export async function purgeByFilter(ctx: CommandContext, hub: TaskHubNode): Promise<void> {
  const current = hub.filter;
  const preselected = current.statuses.filter((s) => TERMINAL_STATUSES.includes(s));
  const picked = await vscode.window.showQuickPick(
    TERMINAL_STATUSES.map((status) => ({ label: status, picked: preselected.length ? preselected.includes(status) : true })),
    { title: `Purge history in ${hub.taskHub} (1/3): statuses`, canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked || picked.length === 0) return;
  const now = Date.now();
  const from = await askTime(
    `Purge history in ${hub.taskHub} (2/3): created from (required)`,
    'Created at or after: ISO date/time or age (30m, 24h, 7d)',
    current.createdFrom ?? '1970-01-01',
    now,
    'The API requires a lower bound.',
  );
  if (from === undefined) return;
  const to = await askTime(
    `Purge history in ${hub.taskHub} (3/3): created to`,
    'Created at or before: ISO date/time or age; empty = now',
    current.createdTo ?? '',
    now,
  );
  if (to === undefined) return;
  const createdTimeFrom = parseTimeInput(from, now)!;
  const createdTimeTo = parseTimeInput(to, now);
  const statuses = picked.map((p) => p.label as RuntimeStatus);
  const range = `created from ${createdTimeFrom} to ${createdTimeTo ?? 'now'}`;
  const confirmed = await vscode.window.showWarningMessage(
    `Purge all ${statuses.join(', ')} instances in task hub ${hub.taskHub} ${range}?`,
    { modal: true, detail: 'Their history is deleted. This cannot be undone.' },
    'Purge',
  );
  if (confirmed !== 'Purge') return;
  const client = await hub.services.client(hub.connection);
  const deleted = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Purging history in ${hub.taskHub}…` }, () =>
    client.purgeInstances(hub.taskHub, { createdTimeFrom, createdTimeTo: createdTimeTo || undefined, runtimeStatus: statuses }),
  );
  ctx.provider.refreshHub(hub.connection, hub.taskHub);
  void vscode.window.showInformationMessage(`Purged ${deleted} instance${deleted === 1 ? '' : 's'} from ${hub.taskHub}.`);
}

interface BatchChoice {
  label: string;
  operation: Extract<InstanceOperation, 'terminate' | 'purge' | 'rewind'>;
  verb: string;
}

const BATCH_CHOICES: BatchChoice[] = [
  { label: 'Terminate all matching', operation: 'terminate', verb: 'Terminate' },
  { label: 'Purge all matching', operation: 'purge', verb: 'Purge' },
  { label: 'Rewind all matching', operation: 'rewind', verb: 'Rewind' },
];

/** Applies one operation to every instance matching the hub's filter, reporting failures per instance. */
export async function batchOperation(ctx: CommandContext, hub: TaskHubNode): Promise<void> {
  const choice = await vscode.window.showQuickPick(BATCH_CHOICES, {
    title: `Batch operation in ${hub.taskHub} over filter: ${isEmptyFilter(hub.filter) ? 'all instances' : describeFilter(hub.filter)}`,
    ignoreFocusOut: true,
  });
  if (!choice) return;
  const client = await hub.services.client(hub.connection);
  const matching = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Listing matching instances in ${hub.taskHub}…` },
    () => client.listAllInstances(hub.taskHub, filterToQuery(hub.filter)),
  );
  const applicable = matching.filter((i) => offers(choice.operation, i.runtimeStatus));
  const skipped = matching.length - applicable.length;
  if (applicable.length === 0) {
    void vscode.window.showInformationMessage(
      `No instance matching the filter can be ${choice.operation === 'purge' ? 'purged' : `${choice.operation}ed`} (${matching.length} matched).`,
    );
    return;
  }
  const confirmed = await vscode.window.showWarningMessage(
    `${choice.verb} ${applicable.length} instance${applicable.length === 1 ? '' : 's'} in task hub ${hub.taskHub}?`,
    {
      modal: true,
      detail: `Filter: ${isEmptyFilter(hub.filter) ? 'none (all instances)' : describeFilter(hub.filter)}.${skipped ? ` ${skipped} other matching instance(s) are skipped because the operation does not apply to their status.` : ''}`,
    },
    choice.verb,
  );
  if (confirmed !== choice.verb) return;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${choice.verb} ${applicable.length} instances`, cancellable: true },
    (progress, token) =>
      runBatch(
        applicable.map((i) => i.instanceId),
        (id) => applyOperation(client, hub.taskHub, choice.operation, id),
        {
          isCancelled: () => token.isCancellationRequested,
          onProgress: (done, total) => progress.report({ increment: 100 / total, message: `${done}/${total}` }),
        },
      ),
  );
  ctx.output.appendLine(`[${new Date().toISOString()}] ${hub.connection.name}/${hub.taskHub}`);
  for (const line of batchReportLines(choice.verb, result)) ctx.output.appendLine(line);
  ctx.provider.refreshHub(hub.connection, hub.taskHub);
  const summary = summarizeBatch(choice.verb, result, skipped);
  if (result.failed.length) {
    ctx.output.show(true);
    void vscode.window.showWarningMessage(`${summary}. See the "Edge Durable" output for each failure.`);
  } else {
    void vscode.window.showInformationMessage(summary);
  }
}

function applyOperation(client: DurableHttpClient, taskHub: string, operation: BatchChoice['operation'], instanceId: string): Promise<unknown> {
  const reason = 'batch operation from VS Code';
  switch (operation) {
    case 'terminate':
      return client.terminate(taskHub, instanceId, reason);
    case 'rewind':
      return client.rewind(taskHub, instanceId, reason);
    case 'purge':
      return client.purgeInstance(taskHub, instanceId);
  }
}

/** Finds an instance by ID, adds it to the hub's list if it was not loaded, and selects it in the tree. */
export async function goToInstance(ctx: CommandContext, hub: TaskHubNode): Promise<StatusPayload | undefined> {
  const id = await vscode.window.showInputBox({
    title: `Go to instance in ${hub.taskHub}`,
    prompt: 'Instance ID',
    validateInput: (value) => validateInstanceId(value, { optional: false }),
    ignoreFocusOut: true,
  });
  if (!id) return undefined;
  const client = await hub.services.client(hub.connection);
  const status = await client.getStatus(hub.taskHub, id.trim());
  const list = ctx.provider.services.pages.get(hubKey(hub.connection, hub.taskHub));
  if (!list.loaded) {
    await list.loadFirst(client, hub.taskHub, filterToQuery(hub.filter), hub.services.pageSize());
  }
  list.upsert(status);
  const current = ctx.provider.find<TaskHubNode>(hub.id ?? '') ?? hub;
  ctx.provider.refresh(current);
  // VS Code matches revealed elements by id, so a fresh node for the same instance is enough
  if (ctx.reveal) await ctx.reveal(new InstanceNode(current, status), { select: true, focus: true, expand: false });
  return status;
}

export async function deleteTaskHub(ctx: CommandContext, hub: TaskHubNode): Promise<void> {
  const confirmed = await vscode.window.showWarningMessage(
    `Delete task hub ${hub.taskHub} on ${hub.connection.name}?`,
    { modal: true, detail: 'All of its instances and their history are deleted. This cannot be undone.' },
    'Delete Task Hub',
  );
  if (confirmed !== 'Delete Task Hub') return;
  const client = await hub.services.client(hub.connection);
  await client.deleteTaskHub(hub.taskHub);
  await ctx.filters.clear(hub.key);
  ctx.provider.services.pages.reset(hub.key);
  ctx.provider.refresh(hub.parent);
  void vscode.window.showInformationMessage(`Deleted task hub ${hub.taskHub}.`);
}

export async function loadMore(ctx: CommandContext, hub: TaskHubNode): Promise<void> {
  await hub.loadMore();
  ctx.provider.refresh(hub);
}

/**
 * Asks for a time (ISO date/time or an age such as 24h), validated as the filters parse it.
 * `required`: the message for an empty answer; without it, empty means no bound.
 */
function askTime(title: string, prompt: string, value: string, now: number, required?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt,
    value,
    validateInput: (input) => (required && !input.trim() ? required : validateTimeInput(input, now)),
    ignoreFocusOut: true,
  });
}
