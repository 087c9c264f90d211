/**
 * Runs the Cloudflare Worker entry (`edge-worker/cloudflare/worker.ts`) in real workerd through Miniflare:
 * bundled with esbuild as `wrangler deploy` would, with the `TASK_HUB` Durable Object binding
 * (SQLite-backed) and token bindings, listening on 127.0.0.1.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

export async function bundleWorker(options: { minify?: boolean } = {}): Promise<string> {
  const out = await build({
    entryPoints: [new URL('../../edge-worker/cloudflare/worker.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser', 'import'],
    external: ['cloudflare:*'],
    write: false,
    minify: options.minify ?? false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

export interface WorkerdServer {
  url: string;
  mf: Miniflare;
  close(): Promise<void>;
}

export async function startWorkerd(bindings: Record<string, string>): Promise<WorkerdServer> {
  const script = await bundleWorker();
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-04-01',
    durableObjects: { TASK_HUB: { className: 'TaskHub', useSQLite: true } },
    bindings,
    host: '127.0.0.1',
    port: 0,
    cf: false,
  });
  const url = await mf.ready;
  return { url: url.origin, mf, close: () => mf.dispose() };
}
