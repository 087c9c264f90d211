#!/usr/bin/env node
// `npm test`: every suite, each in the runtime its users meet:
//   0. The type checker over core, samples, tests, CLI and the HTTP layer; Biome's format and lint check.
//   1. Node (vitest): engine, client, storage conformance (memory, SQLite, IndexedDB in
//      fake-indexeddb and in real Chromium), HTTP contract and fuzz, CLI, simulator.
//   2. workerd (vitest-pool-workers): KV and Durable Object stores, samples on the DO store.
//   3. The VS Code extension: unit tests, then end to end in VS Code for the Web and code-server.
// Installs what it needs on a fresh machine (Chromium from Debian, the extension's packages).
// Ends with one line "N passed, M failed" and a non-zero exit code if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const results = new URL('../.test-results/', import.meta.url).pathname;
mkdirSync(results, { recursive: true });
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const offline = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
const totals = { passed: 0, failed: 0 };
const failures = [];

function run(label, command, args, options = {}) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(command, args, {
    cwd: root,
    env: offline,
    stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    ...options,
  });
  if (options.capture) process.stdout.write(r.stdout ?? '');
  console.log(`=== ${label}: exit ${r.status} in ${Math.round((Date.now() - started) / 1000)} s`);
  return r;
}

function vitest(label, args) {
  const out = `${results}${label}.json`;
  const r = run(label, 'npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile=${out}`]);
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    if (report.numTotalTests === 0 || report.numFailedTestSuites > 0) failures.push(`${label}: ${report.numFailedTestSuites} suite(s) failed to run`);
  }
  if (r.status !== 0) failures.push(`${label}: exit ${r.status}`);
}

/** node --test output ends with "ℹ pass N" / "ℹ fail N" lines. */
function nodeTests(label, command, args, cwd) {
  const r = run(label, command, args, { cwd, capture: true });
  const count = (word) => [...(r.stdout ?? '').matchAll(new RegExp(`^(?:ℹ|#) ${word} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  totals.passed += count('pass');
  totals.failed += count('fail');
  if (r.status !== 0) failures.push(`${label}: exit ${r.status}`);
}

for (const check of ['typecheck', 'lint']) {
  if (want(check) && run(check, 'npm', ['run', check]).status !== 0) failures.push(check);
}
if (want('node') || want('workerd')) {
  if (!existsSync('/usr/bin/chromium')) run('chromium', 'bash', ['test/browser/ensure-chromium.sh']);
}
if (want('node')) vitest('node', []);
if (want('workerd')) vitest('workerd', ['--config', 'test/workerd/vitest.config.ts']);
if (want('extension')) {
  const ext = `${root}vscode-extension`;
  const install = run('extension install', 'npm', ['install', '--no-audit', '--no-fund'], { cwd: ext });
  if (install.status !== 0) failures.push('extension install failed');
  const out = `${results}extension.json`;
  const unit = run('extension unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`], { cwd: ext });
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
  }
  if (unit.status !== 0) failures.push(`extension unit: exit ${unit.status}`);
  nodeTests('extension e2e', 'npm', ['run', 'test:e2e'], ext);
}

console.log('');
for (const f of failures) console.log(`FAILED ${f}`);
if (totals.failed === 0 && failures.length) totals.failed = failures.length;
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(failures.length || totals.failed ? 1 : 0);
