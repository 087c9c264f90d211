#!/usr/bin/env node
/**
 * The `durable` executable (package.json "bin"). In the installed package, which ships no
 * sources, it runs dist/package/cli.js: the CLI built with the package's entries, so that an
 * app module importing `edge-durable` shares every module with `durable serve`/`simulate`.
 * In a checkout it runs the CLI from:
 * 1. dist/cli.mjs, the esbuild bundle (`npm run build`, also run by `npm install` via
 *    "prepare"), when it is at least as new as the sources: plain Node, fast start;
 * 2. otherwise the TypeScript sources through tsx (a devDependency): always current;
 * 3. a stale bundle as a last resort, with a warning.
 * `simulate` and `serve` prefer the sources: they import the user's TypeScript app, which must
 * share one copy of core/ with the simulator or the host (a bundle carries its own copy).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const bundle = new URL('dist/cli.mjs', root);
const source = new URL('cli/main.ts', root);
const args = process.argv.slice(2);

/** Newest modification time of the TypeScript the bundle is built from. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['cli', 'core', 'samples']) {
    const path = fileURLToPath(new URL(dir, root));
    if (existsSync(path)) walk(path);
  }
  return newest;
}

async function fromSource() {
  const { register } = await import('tsx/esm/api');
  register();
  return import(source.href);
}

const packaged = new URL('dist/package/cli.js', root);
const hasBundle = existsSync(bundle);
const hasSource = existsSync(source);
const fresh = hasBundle && (!hasSource || statSync(bundle).mtimeMs >= newestSource());
let cli;
if (!hasSource && existsSync(packaged)) {
  cli = await import(packaged.href);
} else if (hasBundle && fresh && (!['simulate', 'serve'].includes(args[0]) || !hasSource)) {
  cli = await import(bundle.href);
} else {
  try {
    cli = await fromSource();
  } catch (error) {
    const tsxMissing = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('tsx');
    if (!tsxMissing || !hasBundle) {
      if (tsxMissing || !hasSource) {
        process.stderr.write('error: the durable CLI is not built.\nhint: run `npm install` (it builds dist/cli.mjs), or `npm run build`.\n');
        process.exit(1);
      }
      throw error;
    }
    process.stderr.write('warning: dist/cli.mjs is older than the sources and tsx is not installed; running the old build (npm run build to refresh).\n');
    cli = await import(bundle.href);
  }
}
process.exitCode = await cli.main(args);
