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
