// Child processes of the scale benchmarks: a Node host (host.mjs) and a load generator, each
// answering one message per job.
import { fork } from 'node:child_process';

/** Forks `module` (relative to this folder) and returns `ask(job)`, which resolves with its next message. */
export function child(module, args = [], execArgv = []) {
  const proc = fork(new URL(module, import.meta.url), args, { stdio: 'inherit', execArgv });
  const waiting = [];
  proc.on('message', (m) => waiting.shift()?.(m));
  const next = () =>
    new Promise((resolve, reject) => {
      waiting.push((m) => (m?.error ? reject(new Error(m.error)) : resolve(m)));
    });
  return {
    proc,
    next,
    ask: (job) => {
      const answer = next();
      proc.send(job);
      return answer;
    },
    close: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(undefined);
        proc.once('exit', () => resolve(undefined));
        proc.disconnect();
      }),
  };
}

/** A Node host on SQLite in `dataDir`, in a child process; `url` once it listens. */
export async function hostProcess(dataDir, execArgv = []) {
  const host = child('./host.mjs', [dataDir], ['--import', 'tsx', '--expose-gc', ...execArgv]);
  const { url } = await host.next();
  return { ...host, url, token: 'bench-admin' };
}
