/**
 * Boots the test Worker as a deployment would (one esbuild bundle, evaluated at startup in
 * workerd). The vitest pool evaluates modules lazily inside a handler, so it cannot catch
 * what workerd refuses at global scope (random values, timers, I/O): this test can.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { expect, it } from 'vitest';

it('the Worker bundle with the Durable Object classes starts in workerd', async () => {
  const bundle = await build({
    entryPoints: [new URL('./worker.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    external: ['cloudflare:workers'],
  });
  const mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]!.text,
    compatibilityDate: '2026-04-01',
    cf: false,
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
