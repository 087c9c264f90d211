/**
 * Serves the registered HTTP triggers under `/api/` (Azure Functions' route prefix) on a
 * host's Hono app, beside the Durable Functions HTTP API: the route with the highest
 * precedence that matches path and method runs; a function with authLevel 'function' or
 * 'admin' needs the host's admin token (Bearer, `x-functions-key` or `?code=`), an
 * 'anonymous' one none. A handler whose registration lists the durable client gets one for
 * the default task hub, its management URLs on the host's origin.
 * @module
 */
import type { Context, Hono } from 'hono';
import { DEFAULT_TASK_HUB } from '../../core/limits.js';
import type { DurableRoutes } from '../app.js';
import { errorResponse } from '../errors.js';
import type { DurableClientBinding } from './durable-client.js';
import { isDurableClientInput } from './get-client.js';
import { HttpRequest, toWebResponse } from './http-types.js';
import { InvocationContext } from './invocation-context.js';
import { type HttpTrigger, registry } from './registry.js';

export const ROUTE_PREFIX = '/api';

export interface HttpTriggerOptions {
  /** The task hub of the durable client. Default DurableFunctionsHub (Azure: host.json's hubName). */
  taskHub?: string;
  /** Default: the registry of this realm (what the app's modules registered). */
  triggers?: readonly HttpTrigger[];
}

function invocationContext(trigger: HttpTrigger, c: Context, durable: DurableRoutes, taskHub: string): InvocationContext {
  const inputs = new Map<string, unknown>();
  for (const input of trigger.extraInputs) {
    if (!isDurableClientInput(input)) continue;
    const binding: DurableClientBinding = {
      kind: 'edge-durable.durableClient',
      client: durable.client(c, taskHub),
      request: durable.baseUrl ? undefined : c.req.raw,
    };
    inputs.set(input.name, binding);
  }
  return new InvocationContext({ functionName: trigger.name, inputs, extraInputs: trigger.extraInputs });
}

export function serveHttpTriggers(hono: Hono, durable: DurableRoutes, options: HttpTriggerOptions = {}): void {
  const taskHub = options.taskHub ?? DEFAULT_TASK_HUB;
  hono.all(`${ROUTE_PREFIX}/*`, async (c) => {
    const triggers = options.triggers ?? registry().http;
    const path = new URL(c.req.url).pathname.slice(ROUTE_PREFIX.length);
    const method = c.req.method.toUpperCase();
    const matching = triggers.map((trigger) => ({ trigger, params: trigger.route.match(path) })).filter((m) => m.params !== undefined);
    if (matching.length === 0) return errorResponse(404, 'RouteNotFound', `No function serves ${method} ${ROUTE_PREFIX}${path}.`);
    const found = matching.find((m) => m.trigger.methods.includes(method as never) || (method === 'HEAD' && m.trigger.methods.includes('GET')));
    if (!found) {
      const allow = [...new Set(matching.flatMap((m) => m.trigger.methods))].join(', ');
      return errorResponse(405, 'MethodNotAllowed', `${method} is not allowed on ${ROUTE_PREFIX}${path}; use ${allow}.`, { Allow: allow });
    }
    const { trigger, params } = found;
    if (trigger.authLevel !== 'anonymous') await durable.authorize(c.req.raw, 'admin');
    const result = await trigger.handler(new HttpRequest(c.req.raw, params), invocationContext(trigger, c, durable, taskHub));
    return toWebResponse(result);
  });
}
