/**
 * The Cloudflare Worker entry: the HTTP API in the Worker, task hubs in Durable Objects.
 * Each hub is one `TaskHub` object (SQLite-backed) that stores the hub and runs its engine:
 * calls that add work start its drive loop, and its alarm fires durable timers and retries
 * (see `host.ts`). The Worker holds no hub state.
 *
 * Per isolate, not per request: the app and one `DurableObjectStorage`, which keeps no
 * request-bound I/O (it gets each Durable Object stub per call; see `remote.ts`), so a hub's
 * registration in `#registry` costs one RPC per isolate, not one per write. Per request:
 * the `DurableClient`, so that a waiting request's notification long poll is its own.
 *
 * No `ctx.waitUntil`: nothing needs to drain after the response. Every write is awaited
 * before it, the hub's object starts its own engine on each write (a DO keeps running
 * its work after the call returns) and its alarm fires timers. A waiting request's long
 * poll is deliberately left to be cancelled with its request (see `remote.ts`).
 *
 * Configuration (wrangler.toml + secrets):
 * - `TASK_HUB`: the Durable Object binding (class `TaskHub`, exported here);
 * - `DURABLE_TOKEN` / `DURABLE_READ_TOKEN`: secrets (`wrangler secret put DURABLE_TOKEN`);
 * - `DURABLE_ANONYMOUS = "true"`: a var that allows anonymous access (never the default);
 * - `BASE_URL`, `MANAGEMENT_KEY`, `MAX_BODY_BYTES`: optional vars.
 * Deploy: `wrangler deploy --config edge-worker/cloudflare/wrangler.toml` (`npm run deploy`).
 * @module
 */
import type { ExecutionContext } from 'hono';
import type { DurableApp } from '../../core/app.js';
import { registerSamples } from '../../samples/index.js';
import { createApp, type DurableHttpApp } from '../app.js';
import type { AuthOptions } from '../auth.js';
import { errorResponse } from '../errors.js';
import { TaskHubDurableObject } from './object.js';
import { DurableObjectStorage, type TaskHubNamespaceLike } from './remote.js';

export interface Env {
  TASK_HUB: TaskHubNamespaceLike<unknown>;
  DURABLE_TOKEN?: string;
  DURABLE_READ_TOKEN?: string;
  DURABLE_ANONYMOUS?: string;
  BASE_URL?: string;
  MANAGEMENT_KEY?: string;
  MAX_BODY_BYTES?: string;
  /** Browser origins allowed (CORS): `*` or a comma-separated list. Default `*` (a token is always required here, unless DURABLE_ANONYMOUS). */
  CORS_ORIGINS?: string;
}

/** The orchestrations and activities this deployment runs (inside the task hub objects). */
function durableApp(): DurableApp {
  return registerSamples();
}

/** A task hub: its storage and its engine, in one Durable Object. */
export class TaskHub extends TaskHubDurableObject<Env> {
  protected override app(): DurableApp {
    return durableApp();
  }
}

function authFrom(env: Env): AuthOptions | undefined {
  const adminTokens = env.DURABLE_TOKEN ? [env.DURABLE_TOKEN] : [];
  const readTokens = env.DURABLE_READ_TOKEN ? [env.DURABLE_READ_TOKEN] : [];
  if (adminTokens.length + readTokens.length > 0) return { adminTokens, readTokens };
  if (env.DURABLE_ANONYMOUS === 'true') return { anonymous: true };
  return undefined;
}

let cached: { env: Env; app: DurableHttpApp | undefined } | undefined;

/** One app and one storage per isolate (rebuilt if the bindings object changes). */
function appFor(env: Env): DurableHttpApp | undefined {
  if (cached?.env === env) return cached.app;
  const auth = authFrom(env);
  const maxBodyBytes = Number(env.MAX_BODY_BYTES);
  const storage = new DurableObjectStorage(env.TASK_HUB);
  const app =
    auth &&
    createApp({
      // The isolate's storage, through a factory so that each request gets its own client.
      storage: () => storage,
      app: durableApp(),
      auth,
      baseUrl: env.BASE_URL,
      managementKey: env.MANAGEMENT_KEY,
      maxBodyBytes: Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0 ? maxBodyBytes : undefined,
      cors: env.CORS_ORIGINS
        ? {
            origins:
              env.CORS_ORIGINS.trim() === '*'
                ? ('*' as const)
                : env.CORS_ORIGINS.split(',')
                    .map((o) => o.trim())
                    .filter(Boolean),
          }
        : undefined,
    });
  cached = { env, app };
  return app;
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    const app = appFor(env);
    if (!app) {
      return errorResponse(
        500,
        'NotConfigured',
        'No token is configured: run `wrangler secret put DURABLE_TOKEN`, or set the var DURABLE_ANONYMOUS = "true" to allow anonymous access.',
      );
    }
    return app.fetch(request, env, ctx);
  },
};
