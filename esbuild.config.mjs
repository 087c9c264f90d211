#!/usr/bin/env node
/**
 * The one build: `node esbuild.config.mjs [target…]` (npm run build; npm install runs it via
 * "prepare"). Targets:
 *   cli      dist/cli.mjs          the `durable` CLI for plain Node (npm packages stay external)
 *   server   dist/server.mjs       the Node host of the HTTP API (`npm start`)
 *   worker   dist/worker.js        the Cloudflare Worker, minified: the edge bundle whose size we watch
 *   browser  dist/edge-durable.js  core/ as one ES module for browsers and workers
 *   package  dist/package/         the npm package: one module per entry of package.json "exports"
 *                                  and the CLI, sharing chunks; declarations in dist/package/types/
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('./', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const node = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};
const edge = { bundle: true, format: 'esm', target: 'es2022', minify: true, logLevel: 'warning', legalComments: 'none' };

/**
 * The package's entries, named as in dist/package/. One build, so that every entry and the CLI
 * share one copy of each module: an error class thrown through one entry is the class another
 * exports. Platform neutral: node:* modules are imported only by the node entry and the CLI,
 * and stay imports; dependencies and peers stay imports too; not minified (consumers minify).
 */
export const PACKAGE_ENTRIES = {
  index: 'core/index.ts',
  indexeddb: 'edge-worker/browser/index.ts',
  sqlite: 'core/store/sqlite.ts',
  cloudflare: 'edge-worker/cloudflare/index.ts',
  http: 'edge-worker/index.ts',
  node: 'edge-worker/node/index.ts',
  simulator: 'core/simulator/index.ts',
  'durable-functions': 'edge-worker/azure/durable-functions.ts',
  'azure-functions': 'edge-worker/azure/azure-functions.ts',
  cli: 'cli/main.ts',
};

async function buildPackage({ outdir = `${root}dist/package` } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(PACKAGE_ENTRIES).map(([name, path]) => [name, `${root}${path}`])),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    packages: 'external',
    external: ['node:*', 'cloudflare:workers'],
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    define: { 'process.env.DURABLE_CLI_VERSION': JSON.stringify(version) },
  });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const types = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.package.json`, '--outDir', `${outdir}/types`], { stdio: 'inherit' });
  if (types.status !== 0) throw new Error('the package declarations did not build (tsc -p tsconfig.package.json)');
  return outdir;
}

export const targets = {
  cli: ({ outfile = `${root}dist/cli.mjs` } = {}) =>
    build({
      ...node,
      entryPoints: [`${root}cli/main.ts`],
      outfile,
      define: { 'process.env.DURABLE_CLI_VERSION': JSON.stringify(version) },
    }).then(() => outfile),
  server: ({ outfile = `${root}dist/server.mjs` } = {}) => build({ ...node, entryPoints: [`${root}edge-worker/node/start.ts`], outfile }).then(() => outfile),
  worker: ({ outfile = `${root}dist/worker.js` } = {}) =>
    build({
      ...edge,
      platform: 'neutral',
      entryPoints: [`${root}edge-worker/cloudflare/worker.ts`],
      outfile,
      external: ['cloudflare:workers'],
      metafile: true,
    }).then(() => outfile),
  browser: ({ outfile = `${root}dist/edge-durable.js` } = {}) =>
    build({ ...edge, platform: 'browser', entryPoints: [`${root}core/index.ts`], outfile }).then(() => outfile),
  package: buildPackage,
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wanted = process.argv.slice(2);
  for (const name of wanted.length ? wanted : Object.keys(targets)) {
    if (!targets[name]) {
      console.error(`unknown target '${name}'; targets: ${Object.keys(targets).join(', ')}`);
      process.exit(2);
    }
    const outfile = await targets[name]();
    if (wanted.length) console.log(`built ${outfile.slice(root.length)}`);
  }
}
