/**
 * examples/cloudflare in real workerd (Miniflare), built as a consumer's bundler builds it:
 * `edge-durable` and `edge-durable/cloudflare` resolved to their entries. Drives start,
 * status, raise event and terminate over HTTP; then the Workers that are misconfigured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerd, type WorkerdOptions, type WorkerdServer } from '../http/workerd.js';

const file = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const API = 'http://example.test/runtime/webhooks/durabletask';

/** The example, with the package names resolved to the entries' sources. */
const example: WorkerdOptions = {
  entry: file('examples/cloudflare/src/index.ts'),
  alias: { 'edge-durable': file('core/index.ts'), 'edge-durable/cloudflare': file('edge-worker/cloudflare/index.ts') },
};

interface Status {
  instanceId: string;
  runtimeStatus: string;
  output?: unknown;
  customStatus?: unknown;
}
interface ErrorBody {
  error: { code: string; message: string };
}

async function call(server: WorkerdServer, method: string, path: string, body?: unknown) {
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

describe('examples/cloudflare in workerd', () => {
  let server: WorkerdServer;
  beforeAll(async () => {
    server = await startWorkerd({ DURABLE_ANONYMOUS: 'true' }, example);
  });
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

describe('a Worker without the task-hub object binding', () => {
  const notConfigured = async (server: WorkerdServer): Promise<string[]> => {
    const messages: string[] = [];
    for (const [method, path] of [
      ['POST', '/orchestrators/HelloSequence'],
      ['GET', '/instances'],
    ] as const) {
      const res = await call(server, method, path);
      expect(res.status).toBe(500);
      expect((res.body as ErrorBody).error.code).toBe('NotConfigured');
      messages.push((res.body as ErrorBody).error.message);
    }
    return messages;
  };

  it('answers every request 500 NotConfigured with the wrangler.toml lines to add', async () => {
    const server = await startWorkerd({ DURABLE_ANONYMOUS: 'true' }, { ...example, durableObjects: {} });
    try {
      for (const message of await notConfigured(server)) {
        expect(message).toContain("The Worker has no binding 'TASK_HUB'");
        expect(message).toContain('[[durable_objects.bindings]]\nname = "TASK_HUB"\nclass_name = "TaskHub"');
        expect(message).toContain('new_sqlite_classes = ["TaskHub"]');
        expect(message).toContain('export const TaskHub = createTaskHub(app);');
      }
    } finally {
      await server.close();
    }
  });

  it('names a binding of another kind, and writes nothing to it', async () => {
    const server = await startWorkerd({ DURABLE_ANONYMOUS: 'true' }, { ...example, durableObjects: {}, kvNamespaces: ['TASK_HUB'] });
    try {
      for (const message of await notConfigured(server)) {
        expect(message).toMatch(/^The binding 'TASK_HUB' is a \w+, not a Durable Object namespace\./);
        expect(message).toContain('[[durable_objects.bindings]]');
      }
      const kv = await server.mf.getKVNamespace('TASK_HUB');
      expect((await kv.list()).keys).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('names a bound class that is not the task-hub object at its first call', async () => {
    const server = await startWorkerd({ DURABLE_ANONYMOUS: 'true' }, { entry: file('test/workerd/not-a-task-hub.ts') });
    try {
      const res = await call(server, 'POST', '/orchestrators/HelloSequence');
      expect(res.status).toBe(500);
      expect((res.body as ErrorBody).error.code).toBe('NotConfigured');
      expect((res.body as ErrorBody).error.message).toMatch(/^Binding 'TASK_HUB': .*not a task-hub object.*export const TaskHub = createTaskHub\(app\)/);
    } finally {
      await server.close();
    }
  });
});
