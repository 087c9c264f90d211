/**
 * A live local endpoint for the CLI tests: the real Node host (`edge-worker/node/server.ts`
 * `startNodeServer`) on a free port, with background workers. Kept in this one helper so the
 * tests do not depend on how the host is started.
 */

import { type DurableApp, MemoryStorage, type Storage } from '../../core/index.js';
import { startNodeServer } from '../../edge-worker/node/server.js';

export interface TestEndpoint {
  url: string;
  token: string;
  storage: Storage;
  close(): Promise<void>;
}

export async function startTestEndpoint(app: DurableApp, options: { token?: string; storage?: Storage } = {}): Promise<TestEndpoint> {
  const token = options.token ?? 'test-admin-token';
  const storage = options.storage ?? new MemoryStorage();
  const server = await startNodeServer({
    port: 0,
    app,
    storage,
    adminToken: token,
    log: () => undefined,
    worker: { pollIntervalMs: 20, onError: () => undefined },
  });
  return { url: server.url, token, storage, close: () => server.close() };
}
