/** The HTTP contract on the Cloudflare Worker entry in real workerd (Miniflare): task hubs in Durable Objects. */
import { describe, expect, it } from 'vitest';
import { runHttpContract } from './contract.case.js';
import { startWorkerd } from './workerd.js';

runHttpContract('cloudflare worker (workerd, Durable Objects)', async () => {
  const tokens = { admin: 'admin-token-for-tests', read: 'read-token-for-tests' };
  const server = await startWorkerd({ DURABLE_TOKEN: tokens.admin, DURABLE_READ_TOKEN: tokens.read });
  return { baseUrl: server.url, fetch, tokens, close: () => server.close() };
});

describe('cloudflare worker configuration', () => {
  it('answers 500 NotConfigured when neither a token nor DURABLE_ANONYMOUS=true is set', async () => {
    const server = await startWorkerd({ DURABLE_ANONYMOUS: 'false' });
    try {
      const res = await fetch(`${server.url}/runtime/webhooks/durabletask/instances`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NotConfigured');
    } finally {
      await server.close();
    }
  }, 60_000);
});

/**
 * The Worker keeps one `DurableObjectStorage` per isolate (Miniflare runs one isolate), so
 * every request below goes through the storage that the first one created. Durable Object
 * stubs are bound to the request that made them: a storage that kept one would fail the
 * second write with "Cannot perform I/O on behalf of a different request". A notification
 * long poll is cancelled with its request: one shared between requests (in the storage or
 * in a shared client) would leave later waits to the polling interval.
 */
describe('cloudflare worker: one storage per isolate, many requests', () => {
  it('writes to the same hub from separate requests, reads the result, and wakes each waiting request by its own notifications', async () => {
    const token = 'admin-token-for-tests';
    const server = await startWorkerd({ DURABLE_TOKEN: token });
    const hub = `Isolate${Date.now().toString(36)}`;
    const call = (method: string, path: string, body?: unknown) => {
      const url = new URL(`/runtime/webhooks/durabletask${path}`, server.url);
      url.searchParams.set('taskHub', hub);
      return fetch(url, {
        method,
        headers: body === undefined ? { authorization: `Bearer ${token}` } : { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    };
    try {
      // Request 1 writes (a new instance in the hub); request 2 writes to the same hub (an event).
      const started = await call('POST', '/orchestrators/Approval/approval', { timeoutSeconds: 3600 });
      expect(started.status, await started.clone().text()).toBe(202);
      const raised = await call('POST', '/instances/approval/raiseEvent/Approval', true);
      expect(raised.status, await raised.clone().text()).toBe(202);
      // Then reads, each its own request, until the object has run the event in.
      const deadline = Date.now() + 15_000;
      let status: { runtimeStatus?: string; output?: unknown } = {};
      while (status.runtimeStatus !== 'Completed' && Date.now() < deadline) {
        const res = await call('GET', '/instances/approval');
        expect(res.status, await res.clone().text()).toBe(200);
        status = (await res.json()) as typeof status;
        if (status.runtimeStatus !== 'Completed') await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'approved' });

      // Start-and-wait on a 1-2 s durable timer, with a 15 s polling interval: only a
      // notification from the request's own long poll can answer within 10 s. First two
      // requests in a row (the first one's poll was cancelled with it), then two at once
      // (the one that ends first must not take the other's notifications with it).
      const startAndWait = async (id: string, timeoutSeconds: number) => {
        const t0 = Date.now();
        const res = await call('POST', `/orchestrators/Approval/${id}?timeout=20&pollingInterval=15`, { timeoutSeconds });
        expect(res.status, await res.clone().text()).toBe(200);
        expect(await res.json()).toBe('timed out');
        const elapsed = Date.now() - t0;
        expect(elapsed).toBeGreaterThanOrEqual(timeoutSeconds * 1000 - 100); // the timer did fire (ms of clock slack)
        expect(elapsed).toBeLessThan(10_000);
      };
      await startAndWait('in-a-row-1', 1);
      await startAndWait('in-a-row-2', 1);
      await Promise.all([startAndWait('at-once-1', 1), startAndWait('at-once-2', 2)]);

      // The registry learned the hub on the first write.
      const hubs = await call('GET', '/taskhubs');
      expect((await hubs.json()) as string[]).toContain(hub);
    } finally {
      await server.close();
    }
  }, 90_000);
});
