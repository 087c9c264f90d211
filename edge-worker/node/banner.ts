/**
 * What a host started from the command line prints, and how it stops: the URL with a curl line,
 * then a clean shutdown (requests ended, workers stopped, the store closed) on SIGINT or SIGTERM.
 * @module
 */
import { resolve } from 'node:path';
import { WEBHOOK_PATH } from '../../core/wire/routes.js';
import type { NodeServer } from './server.js';

export function bannerLines(server: NodeServer, options: { dataDir?: string; token?: string; orchestrator?: string }): string[] {
  const base = `${server.url}${WEBHOOK_PATH}`;
  const authHeader = options.token ? ' -H "Authorization: Bearer $DURABLE_TOKEN"' : '';
  return [
    `edge-durable HTTP API listening on ${base}`,
    options.dataDir === undefined ? 'Storage: the storage given' : `Storage: SQLite at ${resolve(options.dataDir, 'durable.sqlite')}`,
    `OpenAPI: ${base}/openapi.json`,
    'Try it:',
    `  curl -s -X POST${authHeader} ${base}/orchestrators/${options.orchestrator ?? '<orchestrator name>'}`,
    `  curl -s${authHeader} "${base}/instances/<id from the response above>"`,
  ];
}

/**
 * Resolves with the name of the first SIGINT or SIGTERM (or 'abort' when `signal` aborts);
 * a second signal exits at once with code 1.
 */
export function untilStopped(log: (line: string) => void, signal?: AbortSignal): Promise<string> {
  return new Promise((resolveStop) => {
    let stopping = false;
    const stop = (name: string) => {
      if (stopping) {
        log(`${name} again: exiting now.`);
        process.exit(1);
      }
      stopping = true;
      log(`${name}: shutting down (finishing work in flight)...`);
      resolveStop(name);
    };
    if (signal) {
      if (signal.aborted) stop('abort');
      else signal.addEventListener('abort', () => stop('abort'), { once: true });
      return;
    }
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
