/**
 * Loading the user's app module for `durable simulate` and `durable serve`: the module's
 * default export or its `app` export is the DurableApp (or a function returning one).
 * TypeScript modules are loaded through tsx, an optional peer of the package.
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DurableApp } from '../core/app.js';
import { isDurableError } from '../core/errors.js';
import { importPeer, MissingPeerError } from '../edge-worker/node/peer.js';
import type { Context } from './command.js';
import { failedError, usageError } from './errors.js';

const isApp = (value: unknown): value is DurableApp =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as DurableApp).getOrchestrator === 'function' &&
  typeof (value as DurableApp).getActivity === 'function';

/**
 * Imports the module; TypeScript is loaded through tsx, registered before the first import
 * (Node caches a module that failed to load, so registering after a failure is too late).
 */
async function importModule(path: string, command: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?tsx?$/.test(path)) {
    const { register } = await importPeer('tsx', `durable ${command} (to load a TypeScript app module)`, () => import('tsx/esm/api'));
    register();
  }
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

/** A registration the app refused (a name registered twice, an invalid name): the user's module is at fault. */
const registrationError = (modulePath: string, error: Error) =>
  usageError(`The app module '${modulePath}' cannot register its orchestrations: ${error.message}`, 'Fix the registration in the module, then run again.');

export async function loadApp(ctx: Context, modulePath: string): Promise<DurableApp> {
  const path = resolve(ctx.io.cwd, modulePath);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(path, ctx.command);
  } catch (error) {
    if (error instanceof MissingPeerError) throw failedError(error.message, `Install it in the project that holds '${modulePath}'.`);
    if (isDurableError(error, 'InvalidArgument')) throw registrationError(modulePath, error);
    const code = (error as { code?: string }).code;
    const why =
      code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(path)
        ? 'no such file'
        : error instanceof Error
          ? error.message
          : String(error);
    throw usageError(`Cannot load the app module '${modulePath}': ${why}.`, 'Pass the path of a module that exports a DurableApp (default export or `app`).');
  }
  let candidate = mod.default ?? mod.app;
  if (typeof candidate === 'function' && !isApp(candidate)) {
    try {
      candidate = (candidate as () => unknown)();
    } catch (error) {
      if (isDurableError(error, 'InvalidArgument')) throw registrationError(modulePath, error);
      throw error;
    }
  }
  if (!isApp(candidate)) {
    throw usageError(
      `'${modulePath}' exports no DurableApp.`,
      'Export it as the default export or as `app` (a function returning one also works), e.g. `export default registerSamples();`.',
    );
  }
  return candidate;
}
