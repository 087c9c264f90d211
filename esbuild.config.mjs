#!/usr/bin/env node
/**
 * The one build: `node esbuild.config.mjs [target…]` (npm run build; npm install runs it via
 * "prepare"). Targets:
 *   cli      dist/cli.mjs          the `durable` CLI for plain Node (npm packages stay external)
 *   server   dist/server.mjs       the Node host of the HTTP API (`npm start`)
 *   worker   dist/worker.js        the Cloudflare Worker, minified: the edge bundle whose size we watch
 *   browser  dist/edge-durable.js  core/ as one ES module for browsers and workers
 */
import { readFileSync } from 'node:fs';
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
