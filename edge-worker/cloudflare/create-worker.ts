/**
 * `createWorker(app)`: a Worker's `fetch` handler that serves the HTTP API with the user's
 * app, task hubs in Durable Objects. Each hub is one task-hub object (SQLite-backed) that
 * stores the hub and runs its engine: calls that add work start its drive loop, and its
 * alarm fires durable timers and retries (see `host.ts`). The Worker holds no hub state.
 *
 *   export default createWorker(app);
 *   export const TaskHub = createTaskHub(app);   // the same app: the object runs what the Worker starts
 *
 * Per isolate, not per request: the Hono app and one `DurableObjectStorage`, which keeps no
 * request-bound I/O (it gets each Durable Object stub per call; see `remote.ts`), so a hub's
 * registration in `#registry` costs one RPC per isolate, not one per write. Per request:
 * the `DurableClient`, so that a waiting request's notification long poll is its own.
 *
 * No `ctx.waitUntil`: nothing needs to drain after the response. Every write is awaited
 * before it, the hub's object starts its own engine on each write (a DO keeps running
 * its work after the call returns) and its alarm fires timers. A waiting request's long
 * poll is deliberately left to be cancelled with its request (see `remote.ts`).
 *
 * Misconfiguration (no Durable Object binding, a binding of another kind, no token and no
 * DURABLE_ANONYMOUS) answers every request with 500 `NotConfigured`, whose message says what
 * to add; nothing is read or written. A binding to a class that is not a task-hub object is
 * found at its first call, which answers the same way.
 * @module
 */
import type { ExecutionContext, Hono } from 'hono';
import type { DurableApp } from '../../core/app.js';
import { DurableClient } from '../../core/client.js';
import { DEFAULT_TASK_HUB } from '../../core/limits.js';
import { createApp, type DurableRoutes, routeAuthorizer } from '../app.js';
import { errorResponse, onError } from '../errors.js';
import { query } from '../params.js';
import { authFrom, DEFAULT_BINDING, httpOptionsFrom, NO_TOKEN, namespaceFrom, type WorkerEnv } from './env.js';
import { type PartitionSettings, parsePartitionsVar, validatePartitionSettings } from './partition-settings.js';
import { DurableObjectStorage, NotATaskHubError } from './remote.js';

export interface CloudflareWorkerOptions {
  /** The name of the Durable Object binding in wrangler.toml. Default `TASK_HUB`. */
  binding?: string;
  /**
   * Adds the Worker's own routes to the Hono app that serves the API (which lives under
   * `/runtime/webhooks/durabletask`). `durable.client(c)` is a client of the request's task hub
   * (`?taskHub=`, default DurableFunctionsHub) for handlers that start or query orchestrations;
   * these routes are not behind the API's tokens.
   */
  routes?: (hono: Hono, durable: DurableRoutes) => void;
  /** Where unexpected errors (the 500s) are reported. Default console.error. */
  onError?: (error: unknown) => void;
  /**
   * Partition objects per task hub: a number for every hub, or `{ default: 1, hubs: { big: 16 } }`
   * (see `partition-settings.ts`); the var `DURABLE_PARTITIONS` (same forms, as JSON) overrides it.
   * Default 1: one object per hub. A hub keeps the count of its first use; a changed count is refused (409).
   */
  partitions?: PartitionSettings;
}

/** `client` gives a new client per call (its long polls end with its request), on the isolate's storage. */
export type { DurableRoutes };

/** What `export default` takes: a module Worker's handler. */
export interface DurableWorker {
  /** `env`: the Worker's bindings, the Durable Object namespace and the vars of `WorkerEnv` among them. */
  fetch(request: Request, env: object, ctx: ExecutionContext): Response | Promise<Response>;
}

export function createWorker(app: DurableApp, options: CloudflareWorkerOptions = {}): DurableWorker {
  const binding = options.binding ?? DEFAULT_BINDING;
  let cached: { env: WorkerEnv; serve: DurableWorker['fetch'] } | undefined;

  /** One Hono app and one storage per isolate (rebuilt if the bindings object changes). */
  const handlerFor = (env: WorkerEnv): DurableWorker['fetch'] => {
    if (cached?.env === env) return cached.serve;
    const serve = build(env);
    cached = { env, serve };
    return serve;
  };

  const build = (env: WorkerEnv): DurableWorker['fetch'] => {
    const namespace = namespaceFrom(env, binding);
    if (typeof namespace === 'string') return () => errorResponse(500, 'NotConfigured', namespace);
    const auth = authFrom(env);
    if (!auth) return () => errorResponse(500, 'NotConfigured', NO_TOKEN);
    let partitions: PartitionSettings | undefined;
    try {
      partitions = env.DURABLE_PARTITIONS ? parsePartitionsVar(env.DURABLE_PARTITIONS) : options.partitions && validatePartitionSettings(options.partitions);
    } catch (error) {
      const message = `${env.DURABLE_PARTITIONS ? 'The var DURABLE_PARTITIONS' : "createWorker's option partitions"}: ${(error as Error).message}`;
      return () => errorResponse(500, 'NotConfigured', message);
    }
    const storage = new DurableObjectStorage(namespace, { partitions });
    const hono = createApp({
      // The isolate's storage, through a factory so that each request gets its own client.
      storage: () => storage,
      app,
      auth,
      ...httpOptionsFrom(env),
      onError: options.onError,
    });
    // A binding to a class that is not a task-hub object shows only at its first call: answered as the missing binding is.
    const otherwise = onError(options.onError ?? ((error: unknown) => console.error('[edge-durable http]', error)));
    hono.onError((error, c) =>
      error instanceof NotATaskHubError ? errorResponse(500, 'NotConfigured', `Binding '${binding}': ${error.message}`) : otherwise(error, c),
    );
    options.routes?.(hono, {
      client: (c, taskHub) =>
        new DurableClient({
          storage,
          app,
          // The API's rule for the query key (matched case-insensitively), so that both reach the same hub.
          taskHub: taskHub ?? (query(c, 'taskHub') || DEFAULT_TASK_HUB),
          baseUrl: env.BASE_URL,
          managementKey: env.MANAGEMENT_KEY,
        }),
      authorize: routeAuthorizer(auth),
      baseUrl: env.BASE_URL,
    });
    return (request, _env, ctx) => hono.fetch(request, env, ctx);
  };

  return {
    fetch(request, env, ctx) {
      return handlerFor(env as WorkerEnv)(request, env, ctx);
    },
  };
}
