/**
 * The Node host: the HTTP API on `@hono/node-server`, a `Worker` per task hub in use, and an
 * embedded SQLite store that survives restarts (`.data/durable.sqlite` by default).
 * Without a token it serves anonymously, on loopback only, and says so; on another host it refuses to start.
 *
 * `const { url, close } = await startNodeServer({ app, port: 0 })`. `npm start` (start.ts) and
 * `durable serve` run it from the environment and the command line.
 *
 * Startup order: the peers are loaded and the port is bound before the data directory is
 * created or the store opened, so a missing peer or a taken port leaves nothing behind.
 * Requests that arrive between the bind and the end of startup get 503.
 * @module
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Hono } from 'hono';
import type { DurableApp } from '../../core/app.js';
import { DurableClient } from '../../core/client.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { DEFAULT_TASK_HUB } from '../../core/limits.js';
import type { Storage } from '../../core/store/port.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { Worker, type WorkerOptions } from '../../core/worker/index.js';
import { type CorsOptions, createApp, type DurableRoutes, routeAuthorizer } from '../app.js';
import { type AuthOptions, LOOPBACK_HOSTS, tokenAuth } from '../auth.js';
import { query } from '../params.js';
import { importPeer } from './peer.js';

export interface NodeServerOptions {
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: SQLite in `dataDir` (closed by `close()`); a given storage is left open. */
  storage?: Storage;
  /** Default `.data`. */
  dataDir?: string;
  /** The orchestrations and activities this host runs. */
  app: DurableApp;
  adminToken?: string;
  readToken?: string;
  /** Overrides the tokens. */
  auth?: AuthOptions;
  /** Browser origins allowed (CORS); see `AppOptions.cors`. Default '*' with tokens, loopback origins when anonymous. */
  cors?: CorsOptions | false;
  maxBodyBytes?: number;
  /** Upper bound of `timeout` on start and restart. Default 300 s. */
  maxWaitSeconds?: number;
  baseUrl?: string;
  managementKey?: string;
  worker?: WorkerOptions;
  /** Run a Worker per task hub in this process. Default true; false serves the API only (workers run elsewhere). */
  runWorkers?: boolean;
  /**
   * Adds the app's own routes to the Hono app that serves the API (which lives under
   * `/runtime/webhooks/durabletask`), on the same port. These routes are not behind the API's
   * tokens unless they call `durable.authorize`.
   */
  routes?: (hono: Hono, durable: DurableRoutes) => void;
  /** Startup and shutdown lines. Default console.log. */
  log?: (line: string) => void;
}

export interface NodeServer {
  /** `http://host:port` (no path). */
  url: string;
  port: number;
  storage: Storage;
  /** Stops accepting requests, ends open ones, stops the workers, and closes a storage it opened. */
  close(): Promise<void>;
}

function resolveAuth(options: NodeServerOptions, host: string, log: (line: string) => void): AuthOptions {
  if (options.auth) return options.auth;
  const tokens = tokenAuth(options.adminToken, options.readToken);
  if (tokens) {
    const { adminTokens, readTokens } = tokens;
    log(
      `Auth: bearer tokens (${adminTokens.length ? 'admin' : ''}${adminTokens.length && readTokens.length ? ' + ' : ''}${readTokens.length ? 'read-only' : ''}).`,
    );
    return tokens;
  }
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new InvalidArgumentError(`Refusing to serve ${host} without a token: set DURABLE_TOKEN (and optionally DURABLE_READ_TOKEN), or bind HOST=127.0.0.1.`);
  }
  log(
    'Auth: NONE. No DURABLE_TOKEN is set, so anonymous access is allowed, from loopback only (Host and Origin must be loopback). Set DURABLE_TOKEN before exposing this server.',
  );
  return { anonymous: true, loopbackOnly: true };
}

/**
 * SQLite in the data directory, opened with `locking_mode = EXCLUSIVE`: this process owns the
 * file while it runs. Reads then skip SQLite's per-transaction file locking, and a second host
 * on the same data directory fails to start instead of sharing it.
 */
function openDataDir(Database: SqliteDriver, dataDir: string): { storage: Storage; file: string } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'durable.sqlite');
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    const storage = new SqliteStorage(db);
    // Takes the lock now rather than at the first request.
    db.exec('BEGIN IMMEDIATE; COMMIT;');
    return { storage, file };
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY')
      throw new Error(`${file} is in use by another process (another host on the same DURABLE_DATA_DIR?).`, { cause: error });
    throw error;
  }
}

type SqliteDriver = typeof import('better-sqlite3');
const NEEDED_BY = 'edge-durable/node';

export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  const durableApp = options.app;
  if (!durableApp) throw new TypeError('startNodeServer needs the app: startNodeServer({ app }), where app is your DurableApp.');
  const auth = resolveAuth(options, host, log);
  const { serve } = await importPeer('@hono/node-server', NEEDED_BY, () => import('@hono/node-server'));
  const Database = options.storage ? undefined : (await importPeer('better-sqlite3', NEEDED_BY, () => import('better-sqlite3'))).default;

  let api: { fetch: (request: Request, env: unknown) => Response | Promise<Response> } | undefined;
  const starting = () => new Response('The host is starting.', { status: 503, headers: { 'retry-after': '1' } });
  let server!: Server;
  const info = await new Promise<AddressInfo>((resolveListen, reject) => {
    server = serve(
      { fetch: (request, env) => (api ? api.fetch(request, env) : starting()), port: options.port ?? 7071, hostname: host },
      resolveListen,
    ) as Server;
    server.once('error', reject);
  });
  const closeServer = () =>
    new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections?.();
    });

  let owned: { storage: Storage } | undefined;
  try {
    owned = Database ? openDataDir(Database, resolve(options.dataDir ?? '.data')) : undefined;
  } catch (error) {
    await closeServer();
    throw error;
  }
  const storage = options.storage ?? owned!.storage;

  const shutdown = new AbortController();
  const workers = new Map<string, Worker>();
  const ensureWorker = (taskHub: string) => {
    if (options.runWorkers === false || workers.has(taskHub)) return;
    const worker = new Worker(durableApp, storage.taskHub(taskHub), {
      onError: (e) => console.error(`[edge-durable worker ${taskHub}]`, e),
      ...options.worker,
    });
    workers.set(taskHub, worker);
    worker.start();
  };
  const stopWorkers = () => Promise.all([...workers.values()].map((w) => w.stop()));
  try {
    // Work left by a previous run resumes now.
    for (const hub of new Set([DEFAULT_TASK_HUB, ...(await storage.listTaskHubs())])) ensureWorker(hub);
  } catch (error) {
    await stopWorkers();
    if (owned) await storage.close?.();
    await closeServer();
    throw error;
  }

  const hono = createApp({
    storage,
    app: durableApp,
    auth,
    signal: shutdown.signal,
    cors: options.cors,
    // 0 means the default, as unset does.
    maxBodyBytes: options.maxBodyBytes || undefined,
    maxWaitSeconds: options.maxWaitSeconds || undefined,
    baseUrl: options.baseUrl,
    managementKey: options.managementKey,
    hooks: {
      onWrite: (taskHub) => ensureWorker(taskHub),
      onTaskHubDeleted: async (taskHub) => {
        const worker = workers.get(taskHub);
        workers.delete(taskHub);
        await worker?.stop();
      },
    },
  });
  options.routes?.(hono, {
    client: (c, taskHub) => {
      const hub = taskHub ?? (query(c, 'taskHub') || DEFAULT_TASK_HUB);
      const client = new DurableClient({ storage, app: durableApp, taskHub: hub, baseUrl: options.baseUrl, managementKey: options.managementKey });
      ensureWorker(client.taskHubName);
      return client;
    },
    authorize: routeAuthorizer(auth),
    baseUrl: options.baseUrl,
  });
  api = hono;

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port: info.port,
    storage,
    close: () =>
      (closing ??= (async () => {
        shutdown.abort();
        await closeServer();
        await stopWorkers();
        if (owned) await storage.close?.();
      })()),
  };
}
