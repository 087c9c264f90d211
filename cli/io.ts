/**
 * Everything the CLI touches outside itself, injectable so that tests run commands
 * in-process: output streams, environment, files, stdin, prompts, time and the store opener.
 * @module
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { StoreOpener } from './stores.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Whether stdin is a terminal: confirmations are refused without one (unless --yes). */
  stdinIsTTY: boolean;
  /** Whether stderr is a terminal: progress lines are redrawn in place only then. */
  stderrIsTTY: boolean;
  readFile(path: string): Promise<string>;
  /** Writes the whole file or nothing: a failed write leaves no partial file behind. */
  writeFile(path: string, text: string): Promise<void>;
  readStdin(): Promise<string>;
  /** Asks a yes/no question on the terminal. */
  confirm(question: string): Promise<boolean>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Opens `--store PATH`; default: the Node host's SQLite file. */
  openStore?: StoreOpener;
  fetch?: typeof fetch;
  /** `durable serve` runs until this aborts; default: until SIGINT or SIGTERM. */
  stopSignal?: AbortSignal;
}

export function nodeIO(): CliIO {
  // A reader that stopped reading (`durable … | head`) closes the pipe: the rest of the output has
  // nobody to go to, and the command finishes as if it had been read, as Unix tools do.
  let readerGone = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    readerGone = true;
  });
  return {
    stdout: (text) => {
      if (!readerGone) process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    readFile: (path) => readFile(path, 'utf8'),
    writeFile: async (path, text) => {
      const temporary = `${path}.${process.pid}.tmp`;
      try {
        await writeFile(temporary, text, 'utf8');
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    confirm: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(question)).trim());
      } finally {
        rl.close();
      }
    },
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
