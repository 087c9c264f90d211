/**
 * Runs a Worker in real workerd through Miniflare: by default the repository's own entry
 * (`edge-worker/cloudflare/worker.ts`), bundled with esbuild as `wrangler deploy` would, with the
 * `TASK_HUB` Durable Object binding (SQLite-backed) and token bindings, listening on 127.0.0.1.
 */
import type { Miniflare, WorkerOptions as MiniflareWorkerOptions } from 'miniflare';
import { startMiniflare } from '../workerd/miniflare.mjs';

export interface WorkerdServer {
  url: string;
  mf: Miniflare;
  close(): Promise<void>;
}

export interface WorkerdOptions {
  /** The Worker's main module; default `edge-worker/cloudflare/worker.ts`. */
  entry?: string;
  /** Import specifiers mapped to files (e.g. `edge-durable` to `core/index.ts`), as a consumer's bundler resolves the package. */
  alias?: Record<string, string>;
  /** Default: `TASK_HUB` bound to the class `TaskHub`, SQLite-backed. */
  durableObjects?: MiniflareWorkerOptions['durableObjects'];
  kvNamespaces?: MiniflareWorkerOptions['kvNamespaces'];
}

export async function startWorkerd(bindings: Record<string, string>, options: WorkerdOptions = {}): Promise<WorkerdServer> {
  const entry = options.entry ?? new URL('../../edge-worker/cloudflare/worker.ts', import.meta.url).pathname;
  const mf = await startMiniflare(
    entry,
    {
      durableObjects: options.durableObjects ?? { TASK_HUB: { className: 'TaskHub', useSQLite: true } },
      kvNamespaces: options.kvNamespaces,
      bindings,
      host: '127.0.0.1',
      port: 0,
    },
    { alias: options.alias },
  );
  const url = await mf.ready;
  return { url: url.origin, mf, close: () => mf.dispose() };
}
