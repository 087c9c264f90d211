/** The HTTP contract on the Node host: a real socket on 127.0.0.1, SQLite in a temporary data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeServer } from '../../edge-worker/node/server.js';
import { registerSamples } from '../../samples/index.js';
import { runHttpContract } from './contract.case.js';

runHttpContract('node host (@hono/node-server, SQLite)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'edge-durable-http-'));
  const tokens = { admin: 'admin-token-for-tests', read: 'read-token-for-tests' };
  const server = await startNodeServer({ app: registerSamples(), port: 0, dataDir, adminToken: tokens.admin, readToken: tokens.read, log: () => undefined });
  return {
    baseUrl: server.url,
    fetch,
    tokens,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
