/**
 * `durable serve --durable-functions <files or globs>`: loads an Azure Functions app written
 * for durable-functions v3 and `@azure/functions` v4, imports untouched. A Node resolve hook
 * (`module.register`) maps `durable-functions` and `@azure/functions` to this package's
 * compatibility entries, the copies the host itself runs (the sources in a checkout, the
 * package's entries when installed), so that the app's registrations, `RetryOptions` and
 * errors are the host's own.
 *
 * Everything is checked before the host starts: each pattern names files; the nearest
 * package.json of each file asks for durable-functions 3.x if it names it; every file
 * imports and registers without error (an unsupported trigger, a duplicate function name, a
 * route template that cannot be served); something was registered. A failure names the file
 * and the registration.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hono } from 'hono';
import type { DurableApp } from '../core/app.js';
import { isDurableError } from '../core/errors.js';
import type { DurableRoutes } from '../edge-worker/app.js';
import { importPeer, MissingPeerError } from '../edge-worker/node/peer.js';
import type { Context } from './command.js';
import { failedError, usageError } from './errors.js';
import { expandGlob } from './glob.js';

export interface AzureFunctionsApp {
  app: DurableApp;
  routes: (hono: Hono, durable: DurableRoutes) => void;
  files: string[];
  httpTriggers: string[];
}

/** The compatibility entries the app's imports resolve to: the ones this process runs. */
function compatEntries(): Record<string, string> {
  if (import.meta.url.endsWith('.ts')) {
    return {
      'durable-functions': new URL('../edge-worker/azure/durable-functions.ts', import.meta.url).href,
      '@azure/functions': new URL('../edge-worker/azure/azure-functions.ts', import.meta.url).href,
    };
  }
  // The installed package: its own entries, by self-reference.
  return {
    'durable-functions': import.meta.resolve('edge-durable/durable-functions'),
    '@azure/functions': import.meta.resolve('edge-durable/azure-functions'),
  };
}

const HOOK = `
let map = {};
export function initialize(data) { map = data.map; }
export async function resolve(specifier, context, next) {
  const url = map[specifier];
  return next(url ?? specifier, context);
}`;

const HOOKED = Symbol.for('edge-durable.azure-functions.hook');

function registerHook(): void {
  const holder = globalThis as { [HOOKED]?: boolean };
  if (holder[HOOKED]) return;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: { map: compatEntries() } });
  holder[HOOKED] = true;
}

/** durable-functions 3.x in a dependency range: `3`, `^3.1.0`, `~3.0`, `3.x`, `>=3.0.0 <4`. */
const isV3Range = (range: string): boolean => /^\s*(?:[\^~]|>=?|=)?\s*v?3(?:[.\s]|$)/.test(range);

/** The nearest package.json above `file`, if it names durable-functions at a version other than 3.x: its path and the range. */
function wrongDurableFunctions(file: string): { packageJson: string; range: string } | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const packageJson = join(dir, 'package.json');
    if (existsSync(packageJson)) {
      let manifest: Record<string, Record<string, string> | undefined>;
      try {
        manifest = JSON.parse(readFileSync(packageJson, 'utf8'));
      } catch {
        return undefined;
      }
      const range = manifest.dependencies?.['durable-functions'] ?? manifest.devDependencies?.['durable-functions'];
      return range !== undefined && !isV3Range(range) ? { packageJson, range } : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export async function loadAzureFunctionsApp(ctx: Context, patterns: readonly string[]): Promise<AzureFunctionsApp> {
  if (patterns.length === 0) {
    throw usageError('--durable-functions needs the files of the app (paths or globs).', "For example: durable serve --durable-functions 'src/functions/*.ts'");
  }
  const files: string[] = [];
  for (const pattern of patterns) {
    const matched = expandGlob(pattern, ctx.io.cwd);
    if (matched.length === 0)
      throw usageError(`'${pattern}' names no file.`, 'Pass the files that register the functions, or a glob such as src/functions/*.js.');
    for (const file of matched) if (!files.includes(file)) files.push(file);
  }
  const shown = (file: string) => relative(ctx.io.cwd, file) || file;
  for (const file of files) {
    const wrong = wrongDurableFunctions(file);
    if (wrong) {
      throw usageError(
        `${shown(wrong.packageJson)} depends on durable-functions '${wrong.range}'; durable serve --durable-functions runs apps written for durable-functions 3.x (the v4 programming model).`,
        'Move the app to durable-functions 3.x (https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-node-model-upgrade), then run again.',
      );
    }
  }

  // tsx before the hook: hooks registered later run first, so the name is mapped first and tsx then resolves the file it names.
  if (files.some((f) => /\.[cm]?tsx?$/.test(f))) {
    const { register: registerTsx } = await importPeer('tsx', 'durable serve (to load a TypeScript app module)', () => import('tsx/esm/api')).catch(
      (error: unknown) => {
        if (error instanceof MissingPeerError) throw failedError(error.message, 'Install it in the project that holds the functions.');
        throw error;
      },
    );
    registerTsx();
  }
  registerHook();
  const { registry } = await import('../edge-worker/azure/registry.js');
  const { serveHttpTriggers } = await import('../edge-worker/azure/http-triggers.js');
  for (const file of files) {
    try {
      await import(pathToFileURL(file).href);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const hint = isDurableError(error, 'InvalidArgument')
        ? 'Fix or remove that registration; nothing was started.'
        : 'The file must load in Node with durable-functions and @azure/functions mapped to edge-durable; nothing was started.';
      throw usageError(`Cannot load the function file '${shown(file)}': ${message}`, hint);
    }
  }
  const { durableApp, http } = registry();
  if (durableApp.orchestratorNames.length === 0 && http.length === 0) {
    throw usageError(
      `The files given register no function (${files.map(shown).join(', ')}).`,
      "Pass the files that call df.app.orchestration, df.app.activity and app.http (e.g. 'src/functions/*.js').",
    );
  }
  return {
    app: durableApp,
    routes: (hono, durable) => serveHttpTriggers(hono, durable),
    files,
    httpTriggers: http.map((t) => `${t.methods.join(',')} /api/${t.route.template.replace(/^\/+/, '')}`),
  };
}
