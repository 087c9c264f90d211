/**
 * How the extension runs the `durable` CLI for a replay: which script, with which arguments, and the Node
 * debug configuration of Debug Replay. Pure: file existence is asked through `exists`.
 */

/** Where the CLI is, and why that one. */
export interface CliLocation {
  /** The `durable` bin script (cli/bin.mjs of the package). */
  script: string;
  origin: 'installed' | 'checkout';
}

const trim = (path: string) => (path.length > 1 ? path.replace(/[\\/]+$/, '') : path);
/** Joins with '/', which Node accepts on every platform. */
export const joinPath = (base: string, ...parts: string[]) => [trim(base), ...parts].join('/');
const parentOf = (path: string) => {
  const at = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return at <= 0 ? undefined : path.slice(0, at);
};

/**
 * The CLI to run: the workspace's installed package, found the way Node resolves `edge-durable` from the app
 * module's folder (each folder up to the root), else this repository's own bin when the workspace is an
 * edge-durable checkout. Undefined when neither is there.
 */
export async function locateCli(
  appModuleDir: string,
  workspaceRoot: string,
  exists: (path: string) => Promise<boolean>,
  readText: (path: string) => Promise<string | undefined>,
): Promise<CliLocation | undefined> {
  for (let dir: string | undefined = trim(appModuleDir); dir; dir = parentOf(dir)) {
    const script = joinPath(dir, 'node_modules', 'edge-durable', 'cli', 'bin.mjs');
    if (await exists(script)) return { script, origin: 'installed' };
  }
  const manifest = await readText(joinPath(workspaceRoot, 'package.json'));
  const script = joinPath(workspaceRoot, 'cli', 'bin.mjs');
  if (manifest !== undefined && isEdgeDurableManifest(manifest) && (await exists(script))) return { script, origin: 'checkout' };
  return undefined;
}

function isEdgeDurableManifest(text: string): boolean {
  try {
    return (JSON.parse(text) as { name?: unknown }).name === 'edge-durable';
  } catch {
    return false;
  }
}

/** `durable replay <module> --bundle <file> --json`: one history. */
export function replayArgs(cli: CliLocation, appModule: string, bundleFile: string, options: { json?: boolean } = {}): string[] {
  const args = [cli.script, 'replay', appModule, '--bundle', bundleFile];
  if (options.json !== false) args.push('--json');
  return args;
}

/** `durable replay-test <dir> <module> --json`: every bundle of a folder in one process (a hub's instances). */
export function replayTestArgs(cli: CliLocation, bundleDir: string, appModule: string): string[] {
  return [cli.script, 'replay-test', bundleDir, appModule, '--json'];
}

/** The `launch.json`-style configuration Debug Replay starts (type `node`, served by js-debug). */
export interface NodeLaunchConfiguration {
  type: 'node';
  request: 'launch';
  name: string;
  program: string;
  args: string[];
  cwd: string;
  sourceMaps: true;
  skipFiles: string[];
  console: 'internalConsole';
  /** The CLI reports through process.stdout, which js-debug shows only when capturing std streams. */
  outputCapture: 'std';
  [key: string]: unknown;
}

/**
 * Breakpoints in the app's orchestrator code stop while the recorded history replays; the CLI, the engine
 * and Node's internals are skipped, so stepping stays in the user's code.
 */
export function debugReplayConfiguration(cli: CliLocation, appModule: string, bundleFile: string, cwd: string, instanceId: string): NodeLaunchConfiguration {
  const [program, ...args] = replayArgs(cli, appModule, bundleFile, { json: false });
  return {
    type: 'node',
    request: 'launch',
    name: `Debug Replay: ${instanceId}`,
    program: program!,
    args,
    cwd,
    sourceMaps: true,
    skipFiles: ['<node_internals>/**', '**/node_modules/edge-durable/**', '**/node_modules/tsx/**', ...ownFiles(cli)],
    console: 'internalConsole',
    outputCapture: 'std',
  };
}

/** In a checkout the engine is not under node_modules: skip its own folders by path. */
function ownFiles(cli: CliLocation): string[] {
  if (cli.origin !== 'checkout') return [];
  const root = parentOf(parentOf(cli.script) ?? '') ?? '';
  return ['cli', 'core', 'edge-worker', 'dist'].map((dir) => `${root}/${dir}/**`);
}
