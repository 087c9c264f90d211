/**
 * Check Against Code and Debug Replay: an instance's recorded history (fetched through the wire client, or an
 * opened bundle) replayed by the workspace's `durable` CLI against the workspace's app module. The result goes
 * to the instance panel; a hub's unfinished instances (Pending, Running, Suspended, ContinuedAsNew) are checked in one CLI run.
 */
import * as vscode from 'vscode';
import type { CommandContext } from '../commands/command-context.js';
import { buildBundle } from '../commands/panel-commands.js';
import { type InstanceSource, LiveInstanceSource } from '../panel/instance-source.js';
import type { InstanceRef } from '../tree/explorer-node.js';
import type { TaskHubNode } from '../tree/task-hub-node.js';
import { ACTIVE_STATUSES, createBundle, type HistoryBundle } from '../wire.js';
import { APP_MODULE_EXCLUDE, APP_MODULE_GLOB, type AppModuleCandidate, appModuleCandidate, chooseAppModule, rankAppModules } from './app-module.js';
import { type CliLocation, debugReplayConfiguration, joinPath, locateCli, replayArgs, replayTestArgs } from './cli-args.js';
import { type NodeApi, nodeApi, runNode, UNAVAILABLE } from './node-host.js';
import { renderReplayNote, renderReplayOutcome } from './replay-html.js';
import { decodeLink, outcomeSummary, parseCliOutput, type ReplayOutcome, ReplayRunError, toOutcome } from './replay-result.js';

const REMEMBERED = 'edgeDurable.replay.appModule';

/** What a replay runs with: the workspace folder, the app module (absolute and as shown) and the CLI. */
interface ReplaySetup {
  node: NodeApi;
  folder: vscode.WorkspaceFolder;
  appModule: string;
  shown: string;
  cli: CliLocation;
}

function requireNode(command: string): NodeApi | undefined {
  const node = nodeApi();
  if (!node) void vscode.window.showWarningMessage(`${command} ${UNAVAILABLE}`);
  return node;
}

/** The app module: the setting, the remembered pick, the only candidate, or the user's pick among several. */
async function resolveAppModule(ctx: CommandContext): Promise<{ folder: vscode.WorkspaceFolder; path: string; shown: string } | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder?.uri.scheme !== 'file') {
    throw new ReplayRunError('Replaying needs the app source: open the folder that holds your app module (on this machine) first.');
  }
  const configured = vscode.workspace.getConfiguration('edgeDurable').get<string>('appModule');
  const remembered = ctx.workspaceState?.get<string>(REMEMBERED);
  const candidates = configured?.trim() ? [] : await findCandidates();
  let chosen = chooseAppModule(candidates, { configured, remembered })?.path;
  if (!chosen) {
    if (candidates.length === 0) {
      throw new ReplayRunError(
        'No module of this workspace registers an orchestration (.orchestration(…)).',
        'Set edgeDurable.appModule to the module that exports your DurableApp.',
      );
    }
    const pick = await vscode.window.showQuickPick(
      rankAppModules(candidates).map((c) => ({
        label: c.path,
        description: `${c.exportsApp ? 'exports the app · ' : ''}${c.registrations} orchestration${c.registrations === 1 ? '' : 's'}`,
      })),
      {
        title: 'Which module exports the app to replay against?',
        placeHolder: 'The pick is remembered for this workspace (setting edgeDurable.appModule overrides it)',
      },
    );
    if (!pick) return undefined;
    chosen = pick.label;
    await ctx.workspaceState?.update(REMEMBERED, chosen);
  }
  const absolute = /^([\\/]|[A-Za-z]:[\\/])/.test(chosen) ? chosen : joinPath(folder.uri.fsPath, chosen);
  return { folder, path: absolute, shown: chosen };
}

async function findCandidates(): Promise<AppModuleCandidate[]> {
  const files = await vscode.workspace.findFiles(APP_MODULE_GLOB, APP_MODULE_EXCLUDE, 5000);
  const candidates: AppModuleCandidate[] = [];
  for (const file of files) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    const candidate = appModuleCandidate(vscode.workspace.asRelativePath(file, false), text);
    if (candidate) candidates.push(candidate);
  }
  return candidates;
}

async function setup(ctx: CommandContext, node: NodeApi): Promise<ReplaySetup | undefined> {
  const module = await resolveAppModule(ctx);
  if (!module) return undefined;
  if (!(await node.exists(module.path))) {
    throw new ReplayRunError(`The app module ${module.shown} does not exist.`, 'Fix the setting edgeDurable.appModule, or pick another module.');
  }
  const moduleDir = module.path.slice(0, Math.max(module.path.lastIndexOf('/'), module.path.lastIndexOf('\\')));
  const cli = await locateCli(moduleDir, module.folder.uri.fsPath, node.exists, node.readText);
  if (!cli) {
    throw new ReplayRunError(
      `The durable CLI is not installed in this workspace (no node_modules/edge-durable from ${module.shown}).`,
      'Install it: npm install edge-durable (and tsx for a TypeScript app module).',
    );
  }
  return { node, folder: module.folder, appModule: module.path, shown: module.shown, cli };
}

/** The bundle of one instance: the opened bundle's part, or the history read through the wire client. */
async function bundleOf(ref: InstanceRef): Promise<HistoryBundle> {
  if (ref.offline) {
    const nested = ref.offline.instance(ref.instanceId);
    if (!nested) throw new ReplayRunError(`Instance ${ref.instanceId} is not in the bundle ${ref.offline.label}.`);
    return createBundle(nested);
  }
  const client = await ref.services.client(ref.connection);
  return buildBundle(client, ref.taskHub, ref.instanceId, ref.services.now());
}

function sourceOf(ref: InstanceRef): InstanceSource {
  if (ref.offline) {
    const source = ref.offline.source(ref.instanceId);
    if (!source) throw new ReplayRunError(`Instance ${ref.instanceId} is not in the bundle ${ref.offline.label}.`);
    return source;
  }
  return new LiveInstanceSource(ref.connection, ref.taskHub, ref.instanceId, ref.services);
}

async function withTempDir<T>(node: NodeApi, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await node.mkdtemp(joinPath(node.tmpdir(), 'edge-durable-replay-'));
  try {
    return await use(dir);
  } finally {
    await node.rm(dir);
  }
}

const bundleText = (bundle: HistoryBundle) => `${JSON.stringify(bundle)}\n`;

/** Replays one instance; the outcome is shown in its panel (opened if needed) and returned. */
export async function checkInstance(ctx: CommandContext, ref: InstanceRef): Promise<ReplayOutcome | undefined> {
  const node = requireNode('Check Against Code');
  if (!node) return undefined;
  const run = await setup(ctx, node);
  if (!run) return undefined;
  const panel = await ctx.panels.open(sourceOf(ref));
  panel.showReplay(renderReplayNote(`Replaying ${ref.instanceId} against ${run.shown}…`));
  try {
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Replaying ${ref.instanceId} against ${run.shown}…` },
      () =>
        withTempDir(node, async (dir) => {
          const file = joinPath(dir, 'history.json');
          await node.writeFile(file, bundleText(await bundleOf(ref)));
          const result = await runNode(node, replayArgs(run.cli, run.appModule, file), run.folder.uri.fsPath);
          const [first] = parseCliOutput(result.exitCode, result.stdout, result.stderr).results;
          if (!first) throw new ReplayRunError('durable replay printed no result.');
          return toOutcome(first, run.shown);
        }),
    );
    panel.showReplay(renderReplayOutcome(outcome));
    ctx.output.appendLine(`[replay] ${outcomeSummary(outcome)}`);
    return outcome;
  } catch (error) {
    panel.showReplay(renderReplayNote(`Could not replay: ${error instanceof Error ? error.message : String(error)}`, true));
    throw error;
  }
}

/** Replays every unfinished instance of a hub in one CLI run; lists the diverging ones. */
export async function checkHub(ctx: CommandContext, hub: TaskHubNode): Promise<ReplayOutcome[] | undefined> {
  const node = requireNode('Check Against Code');
  if (!node) return undefined;
  const run = await setup(ctx, node);
  if (!run) return undefined;
  const client = await hub.services.client(hub.connection);
  const outcomes = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Replaying the unfinished instances of ${hub.taskHub} against ${run.shown}…` },
    async () => {
      const instances = await client.listAllInstances(hub.taskHub, { runtimeStatus: [...ACTIVE_STATUSES], showInput: false });
      if (instances.length === 0) return [];
      return withTempDir(node, async (dir) => {
        const width = String(instances.length).length;
        for (const [i, instance] of instances.entries()) {
          const bundle = await buildBundle(client, hub.taskHub, instance.instanceId, hub.services.now());
          await node.writeFile(joinPath(dir, `${String(i).padStart(width, '0')}.json`), bundleText(bundle));
        }
        const result = await runNode(node, replayTestArgs(run.cli, dir, run.appModule), run.folder.uri.fsPath);
        const { results, unreadable } = parseCliOutput(result.exitCode, result.stdout, result.stderr);
        for (const u of unreadable) ctx.output.appendLine(`[replay] ${hub.taskHub}: a history could not be replayed: ${u.problem}`);
        return results.map((r) => toOutcome(r, run.shown));
      });
    },
  );
  ctx.output.appendLine(`[replay] ${hub.connection.name} › ${hub.taskHub} against ${run.shown}: ${outcomes.length} unfinished instances replayed`);
  for (const outcome of outcomes) ctx.output.appendLine(`[replay]   ${outcomeSummary(outcome)}`);
  const diverging = outcomes.filter((o) => o.kind === 'diverged');
  if (diverging.length === 0) {
    void vscode.window.showInformationMessage(
      outcomes.length === 0
        ? `${hub.taskHub} has no unfinished instance to check.`
        : `All ${outcomes.length} unfinished instances of ${hub.taskHub} replay cleanly against ${run.shown}.`,
    );
    return outcomes;
  }
  ctx.output.show(true);
  const pick = await vscode.window.showQuickPick(
    diverging.map((o) => ({ label: o.instanceId, description: o.name, detail: outcomeSummary(o), outcome: o })),
    { title: `${diverging.length} of ${outcomes.length} instances of ${hub.taskHub} diverge from ${run.shown}: open one` },
  );
  if (pick) {
    const panel = await ctx.panels.open(new LiveInstanceSource(hub.connection, hub.taskHub, pick.outcome.instanceId, hub.services));
    panel.showReplay(renderReplayOutcome(pick.outcome));
  }
  return outcomes;
}

/** The tree passes an instance (live or offline) or a task hub node. */
export async function checkAgainstCode(ctx: CommandContext, target: InstanceRef | TaskHubNode | undefined): Promise<unknown> {
  if (!target) throw new ReplayRunError('Run Check Against Code on an instance or a task hub of the Edge Durable view.');
  if ('instanceId' in target) return checkInstance(ctx, target);
  return checkHub(ctx, target);
}

/** Sessions started by Debug Replay, with the folder of their bundle (removed when the session ends). */
const debugBundles = new Map<string, { node: NodeApi; dir: string }>();

/**
 * Starts the CLI's replay of the instance under the Node debugger: breakpoints in orchestrator code stop as the
 * recorded history replays. Activities never run, so the session ends where the history does.
 */
export async function debugReplay(ctx: CommandContext, ref: InstanceRef): Promise<vscode.DebugSession | undefined> {
  const node = requireNode('Debug Replay');
  if (!node) return undefined;
  const run = await setup(ctx, node);
  if (!run) return undefined;
  const bundle = await bundleOf(ref);
  const dir = await node.mkdtemp(joinPath(node.tmpdir(), 'edge-durable-debug-'));
  const file = joinPath(dir, `${ref.instanceId.replace(/[^\w.-]+/g, '_')}.history.json`);
  await node.writeFile(file, bundleText(bundle));
  const configuration = debugReplayConfiguration(run.cli, run.appModule, file, run.folder.uri.fsPath, ref.instanceId);
  const started = new Promise<vscode.DebugSession | undefined>((resolve) => {
    const listener = vscode.debug.onDidStartDebugSession((session) => {
      if (session.configuration.name !== configuration.name) return;
      listener.dispose();
      debugBundles.set(session.id, { node, dir });
      resolve(session);
    });
    setTimeout(() => {
      listener.dispose();
      resolve(undefined);
    }, 30_000);
  });
  const ok = await vscode.debug.startDebugging(run.folder, configuration);
  if (!ok) {
    await node.rm(dir);
    const jsDebug = vscode.extensions.getExtension('ms-vscode.js-debug');
    throw new ReplayRunError(
      jsDebug ? 'The Node debug session did not start.' : 'The Node debugger (the built-in extension ms-vscode.js-debug) is not installed in this editor.',
      `Run it in a terminal instead: node ${replayArgs(run.cli, run.appModule, file, { json: false }).join(' ')}`,
    );
  }
  ctx.output.appendLine(`[replay] debugging ${ref.instanceId} against ${run.shown}: node ${configuration.program} ${configuration.args.join(' ')}`);
  return started;
}

/** Removes the bundle of a Debug Replay session once it ends. */
export function trackDebugBundles(): vscode.Disposable {
  return vscode.debug.onDidTerminateDebugSession((session) => {
    const held = debugBundles.get(session.id);
    if (!held) return;
    debugBundles.delete(session.id);
    void held.node.rm(held.dir);
  });
}

/** Opens the file of a divergence at its line (the panel's link). */
export async function openReplayLocation(link: string): Promise<void> {
  const at = decodeLink(link);
  if (!at) throw new ReplayRunError(`Not a source location: ${link}`);
  const position = new vscode.Position(Math.max(at.line - 1, 0), Math.max(at.column - 1, 0));
  await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(position, position) });
}

/** The context key `edgeDurable.nodeHost`: true where the replay commands can run. */
export function setNodeHostContext(): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', 'edgeDurable.nodeHost', nodeApi() !== undefined);
}
