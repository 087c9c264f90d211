/**
 * createAzureFunctionsFetch: the HTTP triggers as one fetch function over a client the caller
 * hosts (the browser variant), here on a MemoryStorage hub with a Worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableClient } from '../../core/client.js';
import { MemoryStorage } from '../../core/store/memory.js';
import { Worker } from '../../core/worker/index.js';
import { createAzureFunctionsFetch, registeredDurableApp } from '../../edge-worker/azure/fetch.js';
import { resetRegistry } from '../../edge-worker/azure/registry.js';

let worker: Worker;
let api: (request: Request) => Promise<Response>;
let client: DurableClient;
beforeAll(async () => {
  resetRegistry();
  await import('./app/hello.js');
  await import('./app/starters.js');
  const storage = new MemoryStorage();
  const app = registeredDurableApp();
  worker = new Worker(app, storage.taskHub('DurableFunctionsHub'));
  worker.start();
  client = new DurableClient({ storage, app });
  api = createAzureFunctionsFetch(client);
});
afterAll(() => worker.stop());

describe('createAzureFunctionsFetch', () => {
  it('serves the starter with the given client; the check-status URLs are on the request origin', async () => {
    const res = await api(new Request('http://page.local/api/orchestrators/helloSequence', { method: 'POST' }));
    expect(res.status).toBe(202);
    const { id, statusQueryGetUri } = (await res.json()) as { id: string; statusQueryGetUri: string };
    expect(statusQueryGetUri.startsWith('http://page.local/runtime/webhooks/durabletask/instances/')).toBe(true);
    const done = await client.waitForCompletion(id, { timeoutInMilliseconds: 5000 });
    expect(done.output).toEqual(['Hello, Tokyo (sayHello)', 'Hello, Seattle (sayHello)', 'Hello, Cairo (sayHello)']);
    expect((await api(new Request('http://page.local/runtime/webhooks/durabletask/instances'))).status).toBe(404);
  });
});
