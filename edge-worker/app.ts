/**
 * The Durable Functions built-in HTTP API as a Hono app, under `/runtime/webhooks/durabletask`.
 * Web-standard Request/Response only: the same app runs on Node, Cloudflare Workers and in
 * a browser. The task hub is chosen per request with `?taskHub=` (default DurableFunctionsHub).
 *
 * @example
 * ```ts
 * const api = createApp({ storage: new MemoryStorage(), app: registerSamples(), auth: { adminTokens: [token] } });
 * const res = await api.fetch(new Request('http://127.0.0.1:7071/runtime/webhooks/durabletask/orchestrators/HelloSequence', { method: 'POST', headers: { authorization: `Bearer ${token}` } }));
 * ```
 * @module
 */

import type { Context, MiddlewareHandler } from 'hono';
import { cors as honoCors } from 'hono/cors';
import { Hono } from 'hono/tiny';
import type { DurableApp } from '../core/app.js';
import type { DurableClient } from '../core/client.js';
import type { Clock } from '../core/clock.js';
import { CONTINUATION_HEADER, WEBHOOK_PATH } from '../core/wire/routes.js';
import { type ApiHooks, createApi, type StorageSource } from './api.js';
import { type AuthOptions, createAuthorizer, isLoopbackOrigin, type Scope } from './auth.js';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import { errorResponse, onError } from './errors.js';
import { openApiDocument } from './openapi.js';
import { explorerRoutes } from './routes/explorer.js';
import { instanceRoutes } from './routes/instances.js';
import { operationRoutes } from './routes/operations.js';
import { orchestratorRoutes } from './routes/orchestrators.js';
import { taskHubRoutes } from './routes/taskhubs.js';

export interface AppOptions {
  /** The storage, or a per-request factory (a client per request; see `StorageSource`). */
  storage: StorageSource;
  /** The registered orchestrators and activities (`startNew` rejects other names with 400). */
  app: DurableApp;
  /** Tokens, or `{ anonymous: true }`; required, so that an open API is always a decision. */
  auth: AuthOptions;
  /**
   * Which browser origins may call the API (CORS). Default: any origin (`'*'`), except under
   * `{ anonymous: true, loopbackOnly: true }`, where only loopback origins (`http://localhost:*`,
   * `http://127.0.0.1:*`, `http://[::1]:*`) are allowed. `false`: no CORS headers at all.
   * Preflights (OPTIONS) are answered without a token.
   */
  cors?: CorsOptions | false;
  /** Origin (and path prefix) for management URLs; default: the request's origin. */
  baseUrl?: string;
  /** Key to put in management URLs as `code=`; none by default (URLs carry no secret). */
  managementKey?: string;
  /** Largest request body; checked while reading. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest serialized input or event payload (core limit). Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Upper bound of `timeout` on start and restart. Default 300 s. */
  maxWaitSeconds?: number;
  clock?: Clock;
  hooks?: ApiHooks;
  /** Abort it when the host shuts down: open waits (start/restart with timeout) answer at once. */
  signal?: AbortSignal;
  /** Where unexpected errors (the 500s) are reported. Default console.error. */
  onError?: (error: unknown) => void;
}

export interface CorsOptions {
  /** Exact origins (`https://vscode.dev`), or `'*'` for any. */
  origins: readonly string[] | '*';
}

/** CORS from a setting (DURABLE_CORS_ORIGINS, CORS_ORIGINS): `*`, or a comma-separated list of origins. */
export function corsFromEnv(value: string): CorsOptions {
  const trimmed = value.trim();
  return {
    origins:
      trimmed === '*'
        ? '*'
        : trimmed
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
  };
}

export type DurableHttpApp = Hono;

/** What a host gives the routes an app adds beside the API (`routes` of createWorker and startNodeServer). */
export interface DurableRoutes {
  /** A client of the request's task hub (`?taskHub=`, default DurableFunctionsHub) or of `taskHub`, on the host's storage. */
  client(c: Context, taskHub?: string): DurableClient;
  /** The API's token check for `scope` (401/403 `HttpError` when refused); on an anonymous host, its loopback rule only. */
  authorize(request: Request, scope: Scope): Promise<void>;
  /** The configured origin for management URLs; undefined: the request's origin. */
  readonly baseUrl: string | undefined;
}

/** `DurableRoutes.authorize` for a host with these auth options: the token may also come as `?code=`, as in Durable Functions. */
export function routeAuthorizer(auth: AuthOptions): DurableRoutes['authorize'] {
  const authorize = createAuthorizer(auth);
  return async (request, scope) => {
    await authorize(request, scope, () => new URL(request.url).searchParams.get('code') ?? undefined);
  };
}

/** Methods, request headers and response headers a browser client of the API needs. */
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'];
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', CONTINUATION_HEADER, 'x-functions-key'];
export const CORS_EXPOSE_HEADERS = [CONTINUATION_HEADER, 'Location', 'Retry-After'];

/** Hono's CORS middleware with the API's methods and headers, or undefined when CORS is off. */
function corsMiddleware(options: AppOptions) {
  if (options.cors === false) return undefined;
  const loopbackOnly = options.auth.anonymous === true && options.auth.loopbackOnly === true;
  const origins = options.cors?.origins ?? (loopbackOnly ? undefined : '*');
  if (origins !== undefined && origins !== '*' && (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string' && o.length > 0))) {
    throw new TypeError("cors.origins: a list of origins (e.g. ['https://vscode.dev']) or '*'.");
  }
  return honoCors({
    // A function: Hono then answers with the request's origin (and Vary: Origin), or no Allow-Origin at all.
    origin: origins === undefined ? (origin) => (isLoopbackOrigin(origin) ? origin : null) : origins === '*' ? '*' : [...origins],
    allowMethods: CORS_ALLOW_METHODS,
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAge: 600,
  });
}

const METHODS = ['GET', 'POST', 'DELETE'] as const;

export function createApp(options: AppOptions): DurableHttpApp {
  const log = options.onError ?? ((error: unknown) => console.error('[edge-durable http]', error));
  const root = new Hono({ strict: false });
  // First: headers on every response (errors included), and preflights answered before auth and routing.
  // Only browsers need CORS headers, and they always send Origin on cross-origin requests.
  // Skipping the middleware otherwise keeps the plain Response intact: adding headers after
  // the handler makes Hono rebuild it with a streamed body, the Node adapter's slow path.
  const cors = corsMiddleware(options);
  const corsHandler: MiddlewareHandler | undefined = cors && ((c, next) => (c.req.header('origin') ? cors(c, next) : next()));
  if (corsHandler) root.use('*', corsHandler);
  const hono = root.basePath(WEBHOOK_PATH);
  const api = createApi(hono, {
    storage: options.storage,
    app: options.app,
    authorize: createAuthorizer(options.auth),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxWaitSeconds: options.maxWaitSeconds ?? 300,
    // 0 is no limit given: the core's default applies.
    maxPayloadBytes: options.maxPayloadBytes || undefined,
    baseUrl: options.baseUrl,
    managementKey: options.managementKey,
    clock: options.clock,
    hooks: options.hooks ?? {},
    signal: options.signal,
  });

  orchestratorRoutes(api);
  instanceRoutes(api);
  operationRoutes(api);
  taskHubRoutes(api);
  explorerRoutes(api);
  const document = JSON.stringify(openApiDocument());
  api.route('GET', '/openapi.json', 'read', (c) => c.body(document, 200, { 'content-type': 'application/json' }));

  root.onError(onError(log));
  // Unknown path → 404; known path, other method → 405 with Allow. Neither needs a token.
  root.notFound((c) => {
    const path = root.getPath(c.req.raw);
    // Routes only: the CORS middleware matches every path and method.
    const allowed = METHODS.filter((m) => root.router.match(m, path)[0].some(([[handler]]) => handler !== corsHandler));
    if (allowed.length === 0) return errorResponse(404, 'RouteNotFound', `No route for ${c.req.method} ${path}.`);
    const allow = (allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed).join(', ');
    return errorResponse(405, 'MethodNotAllowed', `${c.req.method} is not allowed on ${path}; use ${allow}.`, { Allow: allow });
  });
  return root;
}
