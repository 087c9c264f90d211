/**
 * The Azure Functions app of test/azure/app in real workerd (Miniflare): bundled with esbuild's
 * `alias` mapping durable-functions and @azure/functions to edge-durable's entries, served by
 * createAzureFunctionsWorker, task hub in a Durable Object. The same HTTP scenario as on Node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerd, type WorkerdServer } from '../http/workerd.js';
import { azureScenarios } from './scenario.js';

const file = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const AZURE_ALIAS = {
  'durable-functions': file('edge-worker/azure/durable-functions.ts'),
  '@azure/functions': file('edge-worker/azure/azure-functions.ts'),
  'edge-durable/cloudflare': file('edge-worker/cloudflare/index.ts'),
};

describe('Azure Functions app in workerd (createAzureFunctionsWorker, bundler alias)', () => {
  const token = 'admin-token-for-azure-tests';
  let server: WorkerdServer;
  beforeAll(async () => {
    server = await startWorkerd({ DURABLE_TOKEN: token }, { entry: file('test/azure/worker.ts'), alias: AZURE_ALIAS });
  }, 60_000);
  afterAll(() => server?.close());

  azureScenarios(() => ({ url: server.url, headers: { authorization: `Bearer ${token}` } }));

  it('the management API keeps its token; the anonymous HTTP triggers do not need one', async () => {
    expect((await fetch(`${server.url}/runtime/webhooks/durabletask/instances`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/greet/Tokyo`)).status).toBe(200);
  });
});
