/**
 * Runs a browser entry in Debian's Chromium: bundles it with esbuild ('vitest' aliased to the
 * shim), serves it from 127.0.0.1 on a free port, opens it with playwright-core and returns
 * what the page leaves in `globalThis.__report` (a promise). Used by the Chromium tests and benchmarks.
 */

import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { LAUNCHED_CHROMIUM_FLAGS } from './chromium-flags.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', ...LAUNCHED_CHROMIUM_FLAGS];
export const ENSURE_CHROMIUM = fileURLToPath(new URL('./ensure-chromium.sh', import.meta.url));

/**
 * @param {string} entry path of the browser entry (TypeScript is fine)
 * @param {{ timeoutMs?: number, onConsole?: (line: string) => void, hash?: string }} [options]
 * @returns {Promise<{ report: any, userAgent: string }>}
 */
export async function runInChromium(entry, { timeoutMs = 300_000, onConsole, hash = '' } = {}) {
  const { outputFiles } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias: { vitest: fileURLToPath(new URL('./vitest-shim.ts', import.meta.url)) },
    logLevel: 'silent',
  });
  const script = outputFiles[0].text;
  const server = createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/entry.js"></script>');
    else if (request.url === '/entry.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => onConsole?.(message.text()));
    await page.goto(`http://127.0.0.1:${port}/${hash ? `#${encodeURIComponent(hash)}` : ''}`);
    await page
      .waitForFunction(() => globalThis.__report !== undefined, undefined, { timeout: 30_000 })
      .catch(() => {
        throw new Error(`The page did not start its run: ${errors.join('; ') || 'no error reported'}`);
      });
    const report = await page.evaluate(async (ms) => {
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`no report within ${ms} ms`)), ms));
      return Promise.race([globalThis.__report, timeout]);
    }, timeoutMs);
    return { report, userAgent: await page.evaluate(() => navigator.userAgent) };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(() => resolve(undefined)));
  }
}
