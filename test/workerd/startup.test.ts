/**
 * Boots the test Worker as a deployment would (one esbuild bundle, evaluated at startup in
 * workerd). The vitest pool evaluates modules lazily inside a handler, so it cannot catch
 * what workerd refuses at global scope (random values, timers, I/O): this test can.
 */
import { expect, it } from 'vitest';
import { startMiniflare } from './miniflare.mjs';

it('the Worker bundle with the Durable Object classes starts in workerd', async () => {
  const mf = await startMiniflare(new URL('./worker.ts', import.meta.url).pathname, {
    kvNamespaces: ['KV'],
    durableObjects: { TASK_HUB: { className: 'TaskHub', useSQLite: true }, SAMPLE_HUB: { className: 'SampleHub', useSQLite: true } },
  });
  try {
    const response = await mf.dispatchFetch('http://test/');
    expect(await response.text()).toBe('edge-durable test worker');
  } finally {
    await mf.dispose();
  }
}, 60_000);
