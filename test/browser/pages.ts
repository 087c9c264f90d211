/// <reference types="node" />
/**
 * Pages for the multi-page Chromium tests: bundles an entry with esbuild (with import aliases),
 * serves it on 127.0.0.1 (one origin for every page of a test) and launches Debian's Chromium.
 * Pages are opened by the test itself, so that it can close, crash and reload them.
 */
import { createServer } from 'node:http';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

export interface Served {
  /** The page's URL, without a query. */
  url: string;
  close(): Promise<void>;
}

/** Bundles `entry` to /main.js and serves `html` (which loads it) at every other path. */
export async function servePage(entry: string, options: { alias?: Record<string, string>; html?: string } = {}): Promise<Served> {
  const { outputFiles } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias: options.alias ?? {},
    logLevel: 'silent',
  });
  const script = outputFiles[0]!.text;
  const html = options.html ?? '<!doctype html><script type="module" src="/main.js"></script>';
  const server = createServer((request, response) => {
    if (request.url === '/main.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (request.url === '/favicon.ico') response.writeHead(404).end();
    else response.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}
