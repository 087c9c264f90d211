/**
 * The flags of every test Chromium (the Chromium tests and benchmarks, the VS Code e2e suites):
 * one list, so that each browser runs the same way.
 */

/** A quiet browser: no GPU, no QUIC, no first-run UI, no traffic of its own. */
export const QUIET_CHROMIUM_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A quiet browser that the test process launches itself, in a container: no sandbox, no /dev/shm. */
export const LAUNCHED_CHROMIUM_FLAGS = ['--no-sandbox', ...QUIET_CHROMIUM_FLAGS, '--disable-dev-shm-usage'];
