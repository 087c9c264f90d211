/**
 * What every route module gets: the per-request task hub client, authorization, the
 * options, and `route()`, which registers a handler behind its scope check.
 * @module
 */
import type { Context, Hono } from 'hono';
import type { DurableApp } from '../core/app.js';
import { DurableClient } from '../core/client.js';
import type { Clock } from '../core/clock.js';
import { DEFAULT_TASK_HUB } from '../core/limits.js';
import type { Storage } from '../core/store/port.js';
import type { Authorizer, Granted, Scope } from './auth.js';
import { toHttpError } from './errors.js';
import { query } from './params.js';

export interface ApiHooks {
  /** After a request wrote to a task hub (start, event, control operation): hosts make sure a worker runs for it. */
  onWrite?(taskHub: string, c: Context): void;
  /** After a task hub was deleted. */
  onTaskHubDeleted?(taskHub: string, c: Context): void | Promise<void>;
}

/**
 * A storage, or a factory called per request. A storage gets one cached client per task
 * hub, shared by all requests (and with it the client's store subscription). With a factory each
 * request gets its own client: for storages bound to the request that made them, or, on
 * Workers, so that no request waits on a subscription run by another request (it ends with
 * that request). The factory may return the same storage every time.
 */
export type StorageSource = Storage | ((c: Context) => Storage);

export interface Api {
  /** The storage for this request. */
  storage(c: Context): Storage;
  readonly app: DurableApp;
  readonly maxBodyBytes: number;
  readonly maxWaitSeconds: number;
  readonly baseUrl: string | undefined;
  readonly hooks: ApiHooks;
  /** Aborted when the host shuts down: waits for completion end early. */
  readonly signal: AbortSignal | undefined;
  /** Epoch ms from the configured clock. */
  now(): number;
  /** The client for the request's `taskHub` (default DurableFunctionsHub); 400 if the name is invalid. */
  client(c: Context): DurableClient;
  /** Registers `handler` behind a check for `scope`; it gets what the request was granted. */
  route(method: 'GET' | 'POST' | 'DELETE', path: string, scope: Scope, handler: (c: Context, granted: Granted) => Promise<Response> | Response): void;
}

export interface ApiConfig {
  storage: StorageSource;
  app: DurableApp;
  authorize: Authorizer;
  maxBodyBytes: number;
  maxWaitSeconds: number;
  maxPayloadBytes?: number;
  baseUrl?: string;
  managementKey?: string;
  clock?: Clock;
  hooks: ApiHooks;
  signal?: AbortSignal;
}

const MAX_CACHED_CLIENTS = 256;

export function createApi(hono: Hono, config: ApiConfig): Api {
  const clients = new Map<string, DurableClient>();
  const perRequest = typeof config.storage === 'function' ? config.storage : undefined;
  const shared = typeof config.storage === 'function' ? undefined : config.storage;
  const newClient = (storage: Storage, taskHub: string): DurableClient => {
    try {
      return new DurableClient({
        storage,
        app: config.app,
        taskHub,
        baseUrl: config.baseUrl,
        managementKey: config.managementKey,
        maxPayloadBytes: config.maxPayloadBytes,
        clock: config.clock,
      });
    } catch (error) {
      throw toHttpError(error);
    }
  };
  const clientFor = (c: Context, taskHub: string): DurableClient => {
    if (perRequest) return newClient(perRequest(c), taskHub);
    let client = clients.get(taskHub);
    if (!client) {
      client = newClient(shared!, taskHub);
      if (clients.size >= MAX_CACHED_CLIENTS) clients.delete(clients.keys().next().value!);
      clients.set(taskHub, client);
    }
    return client;
  };
  return {
    storage: (c) => (perRequest ? perRequest(c) : shared!),
    app: config.app,
    maxBodyBytes: config.maxBodyBytes,
    maxWaitSeconds: config.maxWaitSeconds,
    baseUrl: config.baseUrl,
    hooks: config.hooks,
    signal: config.signal,
    now: () => (config.clock ? config.clock.now() : Date.now()),
    client: (c) => clientFor(c, query(c, 'taskHub') || DEFAULT_TASK_HUB),
    route(method, path, scope, handler) {
      hono.on(method, path, async (c) => {
        const granted = await config.authorize(c.req.raw, scope, () => query(c, 'code'));
        return handler(c, granted);
      });
    },
  };
}
