/**
 * What examples/cloudflare must do in real workerd (Miniflare), wherever its imports resolve (the
 * sources, or the package installed from its tarball): start, status, raise event and terminate
 * over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerd, type WorkerdOptions, type WorkerdServer } from '../http/workerd.js';

const API = 'http://example.test/runtime/webhooks/durabletask';

interface Status {
  instanceId: string;
  runtimeStatus: string;
  output?: unknown;
  customStatus?: unknown;
}
export interface ErrorBody {
  error: { code: string; message: string };
}

export async function call(server: WorkerdServer, method: string, path: string, body?: unknown) {
  const res = await server.mf.dispatchFetch(`${API}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function waitFor(server: WorkerdServer, id: string, runtimeStatus: string): Promise<Status> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { body } = await call(server, 'GET', `/instances/${id}`);
    if ((body as Status).runtimeStatus === runtimeStatus || Date.now() > deadline) return body as Status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Defines the example's tests; `worker` says where its entry is and how its imports resolve. */
export function describeCloudflareExample(title: string, worker: () => WorkerdOptions | Promise<WorkerdOptions>): void {
  describe(title, () => {
    let server: WorkerdServer;
    beforeAll(async () => {
      server = await startWorkerd({ DURABLE_ANONYMOUS: 'true' }, await worker());
    }, 300_000);
    afterAll(() => server?.close());

    it('runs HelloSequence to its output', async () => {
      const started = await call(server, 'POST', '/orchestrators/HelloSequence');
      expect(started.status).toBe(202);
      const status = await waitFor(server, started.body.id, 'Completed');
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    });

    it('waits for the approval event, then completes with it', async () => {
      const started = await call(server, 'POST', '/orchestrators/Approval/order-1', { timeoutSeconds: 3600 });
      expect(started.status).toBe(202);
      expect(started.body.id).toBe('order-1');
      expect(await waitFor(server, 'order-1', 'Running')).toMatchObject({ runtimeStatus: 'Running', customStatus: 'waiting for approval' });
      expect((await call(server, 'POST', '/instances/order-1/raiseEvent/Approval', true)).status).toBe(202);
      expect(await waitFor(server, 'order-1', 'Completed')).toMatchObject({ runtimeStatus: 'Completed', output: 'approved' });
    });

    it('terminates a waiting instance', async () => {
      expect((await call(server, 'POST', '/orchestrators/Approval/order-2', { timeoutSeconds: 3600 })).status).toBe(202);
      expect(await waitFor(server, 'order-2', 'Running')).toMatchObject({ runtimeStatus: 'Running' });
      expect((await call(server, 'POST', '/instances/order-2/terminate?reason=cancelled')).status).toBe(202);
      expect(await waitFor(server, 'order-2', 'Terminated')).toMatchObject({ runtimeStatus: 'Terminated', output: 'cancelled' });
    });
  });
}
