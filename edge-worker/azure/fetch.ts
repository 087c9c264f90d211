/**
 * An Azure Functions app's HTTP triggers as one `fetch`-style function, for a runtime that
 * hosts the engine itself (a browser page or worker with `startBrowserEngine`, a test): the
 * handlers run in this context and their durable client is the one given. Only `/api/` is
 * served; the management API is the client's (no `/runtime/webhooks/durabletask` here).
 * @module
 */
import { Hono } from 'hono/tiny';
import type { DurableApp } from '../../core/app.js';
import type { DurableClient } from '../../core/client.js';
import { errorResponse, onError } from '../errors.js';
import { serveHttpTriggers } from './http-triggers.js';
import { registry } from './registry.js';

/** The DurableApp the function modules filled (their orchestrations and activities): what a host's engine runs. */
export function registeredDurableApp(): DurableApp {
  return registry().durableApp;
}

export interface AzureFunctionsFetchOptions {
  /** Origin of the management URLs. Default: the request's. */
  baseUrl?: string;
  /** Where unexpected errors (the 500s) are reported. Default console.error. */
  onError?: (error: unknown) => void;
}

export function createAzureFunctionsFetch(client: DurableClient, options: AzureFunctionsFetchOptions = {}): (request: Request) => Promise<Response> {
  const hono = new Hono();
  serveHttpTriggers(hono, { client: () => client, authorize: async () => undefined, baseUrl: options.baseUrl }, { taskHub: client.taskHubName });
  hono.notFound((c) => errorResponse(404, 'RouteNotFound', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
  hono.onError(onError(options.onError ?? ((error: unknown) => console.error('[edge-durable azure-functions]', error))));
  return async (request) => hono.fetch(request);
}
