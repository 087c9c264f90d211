import { defineConfig } from 'vitest/config';

const file = (path: string) => new URL(path, import.meta.url).pathname;

export default defineConfig({
  // The Azure Functions apps of test/azure import these names, as a bundler alias maps them for users.
  resolve: {
    alias: {
      'durable-functions': file('./edge-worker/azure/durable-functions.ts'),
      '@azure/functions': file('./edge-worker/azure/azure-functions.ts'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
