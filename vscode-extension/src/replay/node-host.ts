/**
 * The Node parts replay needs (child processes, temp files), reached only in a Node extension host (desktop
 * VS Code, code-server). The bundle is built for the browser too, so nothing here is imported: the modules are
 * required at run time, and in the web worker host `nodeApi()` is undefined and the commands say why.
 */

interface ChildProcess {
  stdout: { on(event: 'data', listener: (chunk: { toString(): string }) => void): void } | null;
  stderr: { on(event: 'data', listener: (chunk: { toString(): string }) => void): void } | null;
  on(event: 'error', listener: (error: Error & { code?: string }) => void): void;
  on(event: 'close', listener: (code: number | null) => void): void;
  kill(signal?: string): boolean;
}

export interface NodeApi {
  spawn(command: string, args: string[], options: { cwd: string; env: Record<string, string | undefined>; windowsHide: boolean }): ChildProcess;
  mkdtemp(prefix: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  rm(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  readText(path: string): Promise<string | undefined>;
  tmpdir(): string;
  execPath: string;
  env: Record<string, string | undefined>;
}

declare const require: ((id: string) => unknown) | undefined;
declare const process: { versions?: { node?: string }; execPath: string; env: Record<string, string | undefined> } | undefined;

/** The module-scoped `require` of the CommonJS bundle; the web worker host's only serves `vscode`. */
const nodeRequire = typeof require === 'function' ? require : undefined;

let cached: NodeApi | null | undefined;

/** The Node API of this extension host, or undefined in a web worker host. */
export function nodeApi(): NodeApi | undefined {
  if (cached === undefined) cached = load() ?? null;
  return cached ?? undefined;
}

export function isNodeHost(): boolean {
  return nodeApi() !== undefined;
}

export const UNAVAILABLE =
  'needs a Node extension host (desktop VS Code or code-server): it runs the durable CLI in a child process, and this window (VS Code for the Web) runs extensions in a browser worker, which cannot start processes.';

function load(): NodeApi | undefined {
  if (typeof process !== 'object' || typeof process?.versions?.node !== 'string' || !nodeRequire) return undefined;
  try {
    const cp = nodeRequire('node:child_process') as { spawn: NodeApi['spawn'] };
    const fs = nodeRequire('node:fs/promises') as {
      mkdtemp(prefix: string): Promise<string>;
      writeFile(path: string, text: string, encoding: 'utf8'): Promise<void>;
      readFile(path: string, encoding: 'utf8'): Promise<string>;
      rm(path: string, options: { recursive: boolean; force: boolean }): Promise<void>;
      access(path: string): Promise<void>;
    };
    const os = nodeRequire('node:os') as { tmpdir(): string };
    const host = process;
    return {
      spawn: (command, args, options) => cp.spawn(command, args, options),
      mkdtemp: (prefix) => fs.mkdtemp(prefix),
      writeFile: (path, text) => fs.writeFile(path, text, 'utf8'),
      rm: (path) => fs.rm(path, { recursive: true, force: true }),
      exists: (path) =>
        fs.access(path).then(
          () => true,
          () => false,
        ),
      readText: (path) => fs.readFile(path, 'utf8').catch(() => undefined),
      tmpdir: () => os.tmpdir(),
      execPath: host.execPath,
      env: host.env,
    };
  } catch {
    return undefined;
  }
}

export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** A replay of a long history takes seconds; a CLI that hangs (a module waiting on I/O at import) is stopped. */
const RUN_TIMEOUT_MS = 120_000;

/**
 * Runs `node <args>` in `cwd`: the `node` on PATH (the one the user runs the CLI with), else this host's own
 * runtime as Node (Electron's binary with ELECTRON_RUN_AS_NODE; code-server's is Node itself).
 */
export async function runNode(node: NodeApi, args: string[], cwd: string): Promise<CliRun> {
  try {
    return await run(node, 'node', args, cwd, node.env);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    return run(node, node.execPath, args, cwd, { ...node.env, ELECTRON_RUN_AS_NODE: '1' });
  }
}

function run(node: NodeApi, command: string, args: string[], cwd: string, env: Record<string, string | undefined>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = node.spawn(command, args, { cwd, env: { ...env, NO_COLOR: '1' }, windowsHide: true });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n(stopped after ${RUN_TIMEOUT_MS / 1000} s without finishing)`;
    }, RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}
