/**
 * examples/cloudflare in real workerd (Miniflare), built as a consumer's bundler builds it:
 * `edge-durable` and `edge-durable/cloudflare` resolved to their entries. Drives start,
 * status, raise event and terminate over HTTP; then the Workers that are misconfigured.
 */
import { describe, expect, it } from 'vitest';
import { startWorkerd, type WorkerdOptions, type WorkerdServer } from '../http/workerd.js';
import { call, describeCloudflareExample, type ErrorBody } from './example-scenario.js';

const file = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;

/** The example, with the package names resolved to the entries' sources. */
const example: WorkerdOptions = {
  entry: file('examples/cloudflare/src/index.ts'),
  alias: { 'edge-durable': file('core/index.ts'), 'edge-durable/cloudflare': file('edge-worker/cloudflare/index.ts') },
};

describeCloudflareExample('examples/cloudflare in workerd (sources)', () => example);

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
