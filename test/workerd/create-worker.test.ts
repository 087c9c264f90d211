/** `createWorker` in Node, over Durable Object doubles: the binding option, and the Worker's own routes beside the API. */
import type { ExecutionContext } from 'hono';
import { describe, expect, it } from 'vitest';
import { createCheckStatusResponse } from '../../edge-worker/check-status.js';
import { createWorker } from '../../edge-worker/cloudflare/create-worker.js';
import { registerSamples } from '../../samples/index.js';
import { FakeNamespace } from './do-fakes.js';

const app = registerSamples();
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
const API = 'http://worker.test/runtime/webhooks/durabletask';

async function waitFor(fetchStatus: () => Promise<Response>, runtimeStatus: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const status = (await (await fetchStatus()).json()) as Record<string, unknown>;
    if (status.runtimeStatus === runtimeStatus || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('createWorker', () => {
  it('serves the API from the binding named in its options, and says which binding is missing', async () => {
    const worker = createWorker(app, { binding: 'HUBS' });
    const env = { HUBS: new FakeNamespace({ app }), DURABLE_ANONYMOUS: 'true' };
    const started = await worker.fetch(new Request(`${API}/orchestrators/HelloSequence`, { method: 'POST' }), env, ctx);
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const status = await waitFor(() => Promise.resolve(worker.fetch(new Request(`${API}/instances/${id}`), env, ctx)), 'Completed');
    expect(status.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

    const wrong = await worker.fetch(new Request(`${API}/instances`), { TASK_HUB: new FakeNamespace({ app }), DURABLE_ANONYMOUS: 'true' }, ctx);
    expect(wrong.status).toBe(500);
    const { error } = (await wrong.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('NotConfigured');
    expect(error.message).toContain("The Worker has no binding 'HUBS'");
    expect(error.message).toContain('name = "HUBS"');
  });

  it("adds the Worker's own routes, whose client starts in the request's task hub", async () => {
    const worker = createWorker(app, {
      routes: (hono, durable) => {
        hono.post('/approve/:id', async (c) => {
          const client = durable.client(c);
          const id = await client.startNew('Approval', { instanceId: c.req.param('id'), input: { timeoutSeconds: 3600 } });
          return createCheckStatusResponse(client, c.req.raw, id);
        });
      },
    });
    const env = { TASK_HUB: new FakeNamespace({ app }), DURABLE_TOKEN: 'admin-token' };
    const auth = { authorization: 'Bearer admin-token' };
    const started = await worker.fetch(new Request('http://worker.test/approve/order-7?taskHub=Orders', { method: 'POST' }), env, ctx);
    expect(started.status).toBe(202);
    const body = (await started.json()) as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(body.id).toBe('order-7');
    expect(body.statusQueryGetUri).toBe(`${API}/instances/order-7?taskHub=Orders`);
    // The instance is in the Orders hub, and the API's routes (behind the token) manage it.
    const raised = await worker.fetch(
      new Request(body.sendEventPostUri.replace('{eventName}', 'Approval'), {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: 'true',
      }),
      env,
      ctx,
    );
    expect(raised.status).toBe(202);
    const status = await waitFor(() => Promise.resolve(worker.fetch(new Request(body.statusQueryGetUri, { headers: auth }), env, ctx)), 'Completed');
    expect(status.output).toBe('approved');
    expect((await worker.fetch(new Request(`${API}/instances/order-7`, { headers: auth }), env, ctx)).status).toBe(404);
  });
});
