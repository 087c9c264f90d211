/**
 * The Node host: the HTTP API on `@hono/node-server`, a `Worker` per task hub in use, and an
 * embedded SQLite store that survives restarts (`.data/durable.sqlite` by default).
 *
 * Run it with `npm start`, which bundles this file into dist/server.mjs. Environment: PORT (7071),
 * HOST (127.0.0.1), DURABLE_TOKEN (admin), DURABLE_READ_TOKEN (read-only), DURABLE_DATA_DIR (.data),
 * DURABLE_CORS_ORIGINS (comma-separated browser origins, or `*`; see the README's security section).
 * Without a token it serves anonymously, on loopback only, and says so; on another host it refuses to start.
 *
 * Programmatic use (tests): `const { url, close } = await startNodeServer({ port: 0 })`.
 * @module
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ServerType, serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import type { DurableApp } from '../../core/app.js';
import { DEFAULT_TASK_HUB } from '../../core/limits.js';
import type { Storage } from '../../core/store/port.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { WEBHOOK_PATH } from '../../core/wire/routes.js';
import { Worker, type WorkerOptions } from '../../core/worker/index.js';
import { registerSamples } from '../../samples/index.js';
import { type CorsOptions, createApp } from '../app.js';
import type { AuthOptions } from '../auth.js';

export interface NodeServerOptions {
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: SQLite in `dataDir` (closed by `close()`); a given storage is left open. */
  storage?: Storage;
  /** Default `.data`. */
  dataDir?: string;
  /** Default: the samples. */
  app?: DurableApp;
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

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function resolveAuth(options: NodeServerOptions, host: string, log: (line: string) => void): AuthOptions {
  if (options.auth) return options.auth;
  const adminTokens = options.adminToken ? [options.adminToken] : [];
  const readTokens = options.readToken ? [options.readToken] : [];
  if (adminTokens.length + readTokens.length > 0) {
    log(
      `Auth: bearer tokens (${adminTokens.length ? 'admin' : ''}${adminTokens.length && readTokens.length ? ' + ' : ''}${readTokens.length ? 'read-only' : ''}).`,
    );
    return { adminTokens, readTokens };
  }
  if (!LOOPBACK.has(host)) {
    throw new Error(`Refusing to serve ${host} without a token: set DURABLE_TOKEN (and optionally DURABLE_READ_TOKEN), or bind HOST=127.0.0.1.`);
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
function defaultStorage(dataDir: string): { storage: Storage; file: string } {
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

export async function startNodeServer(options: NodeServerOptions = {}): Promise<NodeServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  const auth = resolveAuth(options, host, log);
  const durableApp = options.app ?? registerSamples();
  const owned = options.storage ? undefined : defaultStorage(resolve(options.dataDir ?? '.data'));
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
  // Work left by a previous run resumes now.
  for (const hub of new Set([DEFAULT_TASK_HUB, ...(await storage.listTaskHubs())])) ensureWorker(hub);

  const api = createApp({
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

  const stopWorkers = () => Promise.all([...workers.values()].map((w) => w.stop()));
  let server!: ServerType;
  let info: AddressInfo;
  try {
    info = await new Promise<AddressInfo>((resolveListen, reject) => {
      server = serve({ fetch: api.fetch, port: options.port ?? 7071, hostname: host }, resolveListen);
      server.once('error', reject);
    });
  } catch (error) {
    // e.g. EADDRINUSE: leave nothing running.
    await stopWorkers();
    if (owned) await storage.close?.();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port: info.port,
    storage,
    close: () =>
      (closing ??= (async () => {
        const http = server as import('node:http').Server;
        shutdown.abort();
        const closed = new Promise<void>((done) => http.close(() => done()));
        http.closeAllConnections?.();
        await closed;
        await stopWorkers();
        if (owned) await storage.close?.();
      })()),
  };
}

/** `*`, or a comma-separated list of origins. */
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

/** `npm start`: reads the environment, prints the URL and a curl example, and shuts down cleanly on SIGINT/SIGTERM. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<NodeServer> {
  const port = env.PORT === undefined || env.PORT === '' ? 7071 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer from 0 to 65535; got '${env.PORT}'.`);
  const dataDir = env.DURABLE_DATA_DIR || '.data';
  const server = await startNodeServer({
    port,
    host: env.HOST || '127.0.0.1',
    dataDir,
    adminToken: env.DURABLE_TOKEN,
    readToken: env.DURABLE_READ_TOKEN,
    cors: env.DURABLE_CORS_ORIGINS ? corsFromEnv(env.DURABLE_CORS_ORIGINS) : undefined,
  });
  const base = `${server.url}${WEBHOOK_PATH}`;
  const authHeader = env.DURABLE_TOKEN ? ' -H "Authorization: Bearer $DURABLE_TOKEN"' : '';
  console.log(
    [
      `edge-durable HTTP API listening on ${base}`,
      `Storage: SQLite at ${resolve(dataDir, 'durable.sqlite')}`,
      `OpenAPI: ${base}/openapi.json`,
      'Try it:',
      `  curl -s -X POST${authHeader} ${base}/orchestrators/HelloSequence`,
      `  curl -s${authHeader} "${base}/instances/<id from the response above>"`,
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`${signal} again: exiting now.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: shutting down (finishing work in flight)...`);
    server.close().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
