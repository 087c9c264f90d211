/**
 * The HTTP backend the api, tree, command and e2e tests talk to: the REAL edge-durable Node host
 * (`startNodeServer` from edge-worker/node/server.ts: the Hono HTTP API, a Worker running the samples, SQLite in a
 * throwaway data directory), started in-process on a free loopback port. Or, with EDGE_DURABLE_ENDPOINT (and
 * EDGE_DURABLE_TOKEN if the server needs one), a server that is already running.
 *
 * The samples are the real ones (samples/index.ts): HelloSequence; FanOutFanIn takes an integer n and returns
 * 1² + … + n²; Approval waits for the event "Approval" (true → "approved") or a timer of input.timeoutSeconds;
 * FlakyActivity {failTimes} fails that many calls of its activity (rewind → "recovered"); LongTimer {seconds};
 * ParentChild calls HelloSequence as `{parentId}:0000`; Counter ("Add"/"Stop" events).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeServer } from '../../../edge-worker/node/server.js';
import { registerSamples } from '../../../samples/index.js';

export interface BackendOptions {
  /**
   * The server's admin token: requests without it get 401. Without one the server runs the way `npm start`
   * runs without DURABLE_TOKEN: anonymous, loopback Host and Origin only.
   */
  token?: string;
  /** A read-scope token the server also accepts (DURABLE_READ_TOKEN). */
  readToken?: string;
  /** Browser origins allowed (CORS); the server's default otherwise. */
  corsOrigins?: string[] | '*';
}

export interface Backend {
  /** `http://127.0.0.1:<port>` (no path). */
  endpoint: string;
  token: string | undefined;
  /** True when the tests run against EDGE_DURABLE_ENDPOINT instead of a server this process started. */
  external: boolean;
  close(): Promise<void>;
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const endpoint = process.env.EDGE_DURABLE_ENDPOINT;
  if (endpoint) {
    const token = process.env.EDGE_DURABLE_TOKEN || undefined;
    if (options.token && !token) throw new Error('This test needs a server with a token: set EDGE_DURABLE_TOKEN.');
    // a real server has one token for every client; tests that want "no token" build their client without it
    return { endpoint: endpoint.replace(/\/+$/, ''), token, external: true, close: async () => {} };
  }
  return startRealServer(options);
}

/** The edge-durable Node host on a free port with its own SQLite data directory, removed again by close(). */
export async function startRealServer(options: BackendOptions = {}, port = 0): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edge-durable-ext-test-'));
  try {
    const server = await startNodeServer({
      app: registerSamples(),
      port,
      host: '127.0.0.1',
      dataDir,
      adminToken: options.token,
      readToken: options.readToken,
      cors: options.corsOrigins ? { origins: options.corsOrigins } : undefined,
      log: () => {},
    });
    return {
      endpoint: server.url,
      token: options.token,
      external: false,
      close: async () => {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
