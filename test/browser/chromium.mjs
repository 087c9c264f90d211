/**
 * Pages in Debian's Chromium: an entry bundled with esbuild and served from 127.0.0.1 on a free
 * port (`servePage`), the browser launched with playwright-core (`launchChromium`), and a
 * self-reporting entry run to its report (`runInChromium`). Used by the Chromium tests and benchmarks.
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
 * Bundles `entry` to /main.js and serves `html` (which loads it) at every other path, on 127.0.0.1
 * (one origin for every page of a test).
 * @param {string} entry path of the browser entry (TypeScript is fine)
 * @param {{ alias?: Record<string, string>, html?: string }} [options]
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function servePage(entry, { alias = {}, html = '<!doctype html><script type="module" src="/main.js"></script>' } = {}) {
  const { outputFiles } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias,
    logLevel: 'silent',
  });
  const script = outputFiles[0].text;
  const server = createServer((request, response) => {
    if (request.url === '/main.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (request.url === '/favicon.ico') response.writeHead(404).end();
    else response.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve(undefined))) };
}

/** Debian's Chromium, headless, with the flags this machine needs. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

/**
 * Runs a self-reporting entry ('vitest' aliased to the shim) and returns what the page leaves in `globalThis.__report`.
 * @param {string} entry path of the browser entry (TypeScript is fine)
 * @param {{ timeoutMs?: number, onConsole?: (line: string) => void, hash?: string }} [options]
 * @returns {Promise<{ report: any, userAgent: string }>}
 */
export async function runInChromium(entry, { timeoutMs = 300_000, onConsole, hash = '' } = {}) {
  const served = await servePage(entry, { alias: { vitest: fileURLToPath(new URL('./vitest-shim.ts', import.meta.url)) } });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => onConsole?.(message.text()));
    await page.goto(`${served.url}${hash ? `#${encodeURIComponent(hash)}` : ''}`);
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
    await served.close();
  }
}
