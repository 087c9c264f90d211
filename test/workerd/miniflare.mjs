/**
 * A Worker in real workerd through Miniflare, built as `wrangler deploy` builds it: one esbuild
 * bundle (workerd's export conditions, `cloudflare:*` left to the runtime) on the compatibility date
 * of the wrangler.toml files. The Node tests that boot a Worker and the workerd benchmarks start theirs here.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

export const COMPATIBILITY_DATE = '2026-04-01';

/**
 * @param {string} entry path of the Worker's entry module
 * @param {{ minify?: boolean, metafile?: boolean, alias?: Record<string, string> }} [options] `alias`: import specifiers mapped to files, as a consumer's bundler resolves a package
 */
export function bundleForWorkerd(entry, { minify = false, metafile = false, alias } = {}) {
  return build({
    entryPoints: [entry],
    alias,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser', 'import'],
    external: ['cloudflare:*'],
    write: false,
    minify,
    metafile,
    logLevel: 'silent',
  });
}

/**
 * Bundles the entry and runs it in workerd, with no Cloudflare request metadata (`cf: false`).
 * @param {string} entry path of the Worker's entry module
 * @param {object} options Miniflare's options but the Worker's code: its bindings, Durable Objects, host and port
 * @param {{ alias?: Record<string, string> }} [bundling]
 */
export async function startMiniflare(entry, options, bundling = {}) {
  const bundle = await bundleForWorkerd(entry, bundling);
  return new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: COMPATIBILITY_DATE, cf: false, ...options });
}
