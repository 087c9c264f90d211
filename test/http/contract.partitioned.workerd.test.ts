/**
 * The HTTP contract on the Cloudflare Worker entry in real workerd with partitioned task hubs
 * (`DURABLE_PARTITIONS`): 4 and 16 partition objects per hub, and the settings' failure modes.
 */
import { describe, expect, it } from 'vitest';
import { runHttpContract } from './contract.case.js';
import { startWorkerd } from './workerd.js';

const tokens = { admin: 'admin-token-for-tests', read: 'read-token-for-tests' };

for (const partitions of ['4', '16']) {
  runHttpContract(`cloudflare worker (workerd, ${partitions} partitions per hub)`, async () => {
    const server = await startWorkerd({ DURABLE_TOKEN: tokens.admin, DURABLE_READ_TOKEN: tokens.read, DURABLE_PARTITIONS: partitions });
    return { baseUrl: server.url, fetch, tokens, close: () => server.close() };
  });
}

describe('cloudflare worker: partition settings', () => {
  it('answers 500 NotConfigured, naming the hub, for a bad DURABLE_PARTITIONS', async () => {
    const bad = await startWorkerd({ DURABLE_TOKEN: tokens.admin, DURABLE_PARTITIONS: '{"hubs":{"big":0}}' });
    try {
      const res = await fetch(`${bad.url}/runtime/webhooks/durabletask/instances`, { headers: { authorization: `Bearer ${tokens.admin}` } });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('NotConfigured');
      expect(body.error.message).toContain("hub 'big'");
    } finally {
      await bad.close();
    }
  }, 60_000);
});
