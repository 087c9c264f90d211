import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // unit tests run the extension's code against a hand-written stand-in for the `vscode` module
    alias: { vscode: fileURLToPath(new URL('./test/support/vscode-stub.ts', import.meta.url)) },
  },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 15000,
    pool: 'forks',
    // the HTTP tests mostly wait on real time (fake activities take a few ms), so a third worker pays off even on two cores
    maxWorkers: 3,
  },
});
