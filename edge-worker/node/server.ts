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
 *
 * The host owns its SQLite file (see `core/store/sqlite/owner.ts`): it takes the owner's lock
 * and claims the file before its workers start, so a second host on the same data directory is refused with a
 * `StoreInUseError` naming the running one, and a host started after one was killed releases
 * the dead host's leases at once, so its work resumes without waiting for them to lapse.
 * Clients (the CLI's `--store`) may open the file meanwhile: the workers pick up what they
 * write through the store's change poll, for task hubs the host did not know of too.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Hono } from 'hono';
import type { DurableApp } from '../../core/app.js';
import { DurableClient } from '../../core/client.js';
import { InvalidArgumentError, isDurableError, StoreInUseError } from '../../core/errors.js';
import { DEFAULT_TASK_HUB } from '../../core/limits.js';
import type { Storage } from '../../core/store/port.js';
import { type Ownership, SqliteStorage, storeInUse } from '../../core/store/sqlite.js';
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
  /**
   * Run a Worker per task hub in this process. Default true: the host then owns its SQLite file (see the module comment). False
   * serves the API only, as a client of the file (workers run elsewhere, e.g. in a host on the same data directory).
   */
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

/** How often the owner records that it is alive (for the message that names it, and to learn if it was taken over). */
const HEARTBEAT_MS = 5_000;

/**
 * The owner's lock: a second SQLite file beside the store, locked exclusively for as long as
 * the connection is open. The system drops the lock when the process ends, however it ends
 * (SIGKILL, a crash, a container stopped), so whether the recorded owner lives is known for
 * certain, whatever its process ID or host name; locks of two connections in one process
 * conflict too. Undefined when another process holds it.
 */
function takeOwnerLock(Database: SqliteDriver, file: string): { close(): unknown } | undefined {
  const lock = new Database(`${file}-owner`, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT;');
    return lock;
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
}

interface DataDir {
  storage: SqliteStorage;
  /** Held by a host that runs workers: the ownership and the lock that proves it. */
  owner?: { ownership: Ownership; lock: { close(): unknown } };
}

/** SQLite in the data directory, claimed by this process unless it runs no workers (see the module comment). */
function openDataDir(Database: SqliteDriver, dataDir: string, owner: boolean, log: (line: string) => void): DataDir {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'durable.sqlite');
  const storage = new SqliteStorage(new Database(file));
  if (!owner) return { storage };
  let lock: { close(): unknown } | undefined;
  try {
    lock = takeOwnerLock(Database, file);
    if (!lock) throw storeInUse(storage.owner(), Date.now());
    // This process holds the lock, so whoever the file names as its owner has ended.
    const ownership = storage.claimOwnership({ pid: process.pid, hostname: hostname(), isAlive: () => false });
    const { previous, released } = ownership;
    if (previous && previous.heartbeat > 0) {
      log(
        `Took over ${file} from process ${previous.pid} on '${previous.hostname}' (owner since ${previous.started}), which did not stop cleanly; ` +
          `released its ${released.instances} instance lock(s) and ${released.activities} activity lease(s).`,
      );
    }
    return { storage, owner: { ownership, lock } };
  } catch (error) {
    lock?.close();
    void storage.close();
    if (isDurableError(error, 'StoreInUse')) throw new StoreInUseError(`${file}: ${error.message}`, { cause: error });
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

  let owned: DataDir | undefined;
  try {
    owned = Database ? openDataDir(Database, resolve(options.dataDir ?? '.data'), options.runWorkers !== false, log) : undefined;
  } catch (error) {
    await closeServer();
    throw error;
  }
  const storage = options.storage ?? owned!.storage;

  const shutdown = new AbortController();
  // Every request that waits for an instance listens for shutdown until it answers: as many listeners as such requests in flight.
  setMaxListeners(0, shutdown.signal);
  const workers = new Map<string, Worker>();
  /** False once another process has taken the store over: this one must not lease any more. */
  let owning = true;
  const ensureWorker = (taskHub: string) => {
    if (options.runWorkers === false || !owning || workers.has(taskHub)) return;
    const worker = new Worker(durableApp, storage.taskHub(taskHub), {
      onError: (e) => console.error(`[edge-durable worker ${taskHub}]`, e),
      ...options.worker,
    });
    workers.set(taskHub, worker);
    worker.start();
  };
  const stopWorkers = () => Promise.all([...workers.values()].map((w) => w.stop()));
  const ensureWorkers = async () => {
    for (const hub of new Set([DEFAULT_TASK_HUB, ...(await storage.listTaskHubs())])) ensureWorker(hub);
  };
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let unwatch: (() => void) | undefined;
  const release = async () => {
    clearInterval(heartbeat);
    unwatch?.();
    await stopWorkers();
    if (owned) {
      owned.owner?.ownership.release();
      await storage.close?.();
      owned.owner?.lock.close();
    }
  };
  try {
    // Work left by a previous run resumes now.
    await ensureWorkers();
  } catch (error) {
    await release();
    await closeServer();
    throw error;
  }
  if (owned?.owner) {
    const { ownership } = owned.owner;
    heartbeat = setInterval(() => {
      try {
        if (ownership.heartbeat()) return;
        console.error(`[edge-durable] Another process has taken over the store; this host stops its workers (its API keeps serving).`);
      } catch (error) {
        // A write that failed (the disk, a long lock) is retried at the next beat; the owner lock, not the heartbeat, tells a claimer that this host lives.
        console.error('[edge-durable] The owner heartbeat failed:', error);
        return;
      }
      owning = false;
      clearInterval(heartbeat);
      void stopWorkers();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    // A client of the file (the CLI's --store) may start work in a task hub this host has no worker for yet.
    unwatch = owned.storage.onExternalWrite(() => void ensureWorkers().catch((e) => console.error('[edge-durable]', e)));
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
        await release();
      })()),
  };
}
