/**
 * Runs a Worker in real workerd through Miniflare: by default the repository's own entry
 * (`edge-worker/cloudflare/worker.ts`), bundled with esbuild as `wrangler deploy` would, with the
 * `TASK_HUB` Durable Object binding (SQLite-backed) and token bindings, listening on 127.0.0.1.
 */
import { build } from 'esbuild';
import { Miniflare, type WorkerOptions as MiniflareWorkerOptions } from 'miniflare';

export interface BundleOptions {
  minify?: boolean;
  /** The Worker's main module; default `edge-worker/cloudflare/worker.ts`. */
  entry?: string;
  /** Import specifiers mapped to files (e.g. `edge-durable` to `core/index.ts`), as a consumer's bundler resolves the package. */
  alias?: Record<string, string>;
}

export async function bundleWorker(options: BundleOptions = {}): Promise<string> {
  const out = await build({
    entryPoints: [options.entry ?? new URL('../../edge-worker/cloudflare/worker.ts', import.meta.url).pathname],
    alias: options.alias,
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

export interface WorkerdOptions {
  /** The bundled Worker; default `bundleWorker()`. */
  script?: string;
  /** Default: `TASK_HUB` bound to the class `TaskHub`, SQLite-backed. */
  durableObjects?: MiniflareWorkerOptions['durableObjects'];
  kvNamespaces?: MiniflareWorkerOptions['kvNamespaces'];
}

export async function startWorkerd(bindings: Record<string, string>, options: WorkerdOptions = {}): Promise<WorkerdServer> {
  const script = options.script ?? (await bundleWorker());
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-04-01',
    durableObjects: options.durableObjects ?? { TASK_HUB: { className: 'TaskHub', useSQLite: true } },
    kvNamespaces: options.kvNamespaces,
    bindings,
    host: '127.0.0.1',
    port: 0,
    cf: false,
  });
  const url = await mf.ready;
  return { url: url.origin, mf, close: () => mf.dispose() };
}
