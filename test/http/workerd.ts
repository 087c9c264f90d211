/**
 * Runs the Cloudflare Worker entry (`edge-worker/cloudflare/worker.ts`) in real workerd through Miniflare:
 * bundled with esbuild as `wrangler deploy` would, with the `TASK_HUB` Durable Object binding
 * (SQLite-backed) and token bindings, listening on 127.0.0.1.
 */
import type { Miniflare } from 'miniflare';
import { startMiniflare } from '../workerd/miniflare.mjs';

export interface WorkerdServer {
  url: string;
  mf: Miniflare;
  close(): Promise<void>;
}

export async function startWorkerd(bindings: Record<string, string>): Promise<WorkerdServer> {
  const mf = await startMiniflare(new URL('../../edge-worker/cloudflare/worker.ts', import.meta.url).pathname, {
    durableObjects: { TASK_HUB: { className: 'TaskHub', useSQLite: true } },
    bindings,
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return { url: url.origin, mf, close: () => mf.dispose() };
}
