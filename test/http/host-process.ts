/** The Node host (edge-worker/node/start.ts, the samples) as a child process on a data directory, for tests that kill or share it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const START = fileURLToPath(new URL('../../edge-worker/node/start.ts', import.meta.url));
export const API_PATH = '/runtime/webhooks/durabletask';

export interface HostProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:port/runtime/webhooks/durabletask`. */
  api: string;
  /** Epoch ms when it printed its URL: startup is done (store claimed, workers started). */
  readyAt: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the host and resolves once it listens; rejects with its output if it exits first. */
export async function startHost(dataDir: string): Promise<HostProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', START], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DURABLE_DATA_DIR: dataDir, DURABLE_TOKEN: '', DURABLE_READ_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const api = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host did not start:\n${output}`)), 20_000);
    const read = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${code}):\n${output}`));
    });
  });
  return { child, api, readyAt: Date.now(), output: () => output, exited };
}
