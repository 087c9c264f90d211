/**
 * Tests that run inside real workerd (miniflare), with the bindings of `wrangler.toml`:
 *   WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false npx vitest run --config test/workerd/vitest.config.ts
 * Only `*.spec.ts` files run here; the `*.test.ts` files beside them are Node tests of the same adapters.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: new URL('./wrangler.toml', import.meta.url).pathname },
      miniflare: { cf: false },
    }),
  ],
  test: {
    include: ['test/workerd/**/*.spec.ts'],
    testTimeout: 30_000,
  },
});
