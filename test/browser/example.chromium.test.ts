/// <reference types="node" />
/**
 * examples/browser in real Chromium, bundled with the package's import names aliased to the
 * sources: request two approvals (one timing out in 3 s, one waiting for its event), reload the
 * page, and see the timer fire and the approval (a click on its button) complete after it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ENSURE_CHROMIUM, launchChromium, type Served, servePage } from './chromium.mjs';

execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'inherit' });
const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

let served: Served;
let browser: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  served = await servePage(path('../../examples/browser/main.ts'), {
    alias: { 'edge-durable': path('../../core/index.ts'), 'edge-durable/indexeddb': path('../../edge-worker/browser/index.ts') },
    html: readFileSync(path('../../examples/browser/index.html'), 'utf8'),
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

it('runs an approval with a durable timer and an event on IndexedDB, across a reload', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(served.url);
  await expect.poll(() => page.locator('#role').textContent()).toBe('This tab runs the engine.');

  const request = async (seconds: number) => {
    await page.fill('input[name=seconds]', String(seconds));
    await page.click('text=Request approval');
  };
  await request(3);
  await request(60);
  // Newest first: the approval waiting for its event, then the one that times out.
  const rows = page.locator('#instances tr');
  const cells = async (row: number) => (await rows.nth(row).locator('td').allTextContents()).slice(1, 4);
  await expect.poll(async () => [(await cells(0))[0], (await cells(1))[0]]).toEqual(['Running', 'Running']);
  const [approval, timeout] = [await rows.nth(0).locator('td').first().textContent(), await rows.nth(1).locator('td').first().textContent()];

  await page.reload();
  await expect.poll(() => rows.count()).toBe(2);
  expect(await rows.nth(0).locator('td').first().textContent()).toBe(approval);
  expect(await rows.nth(1).locator('td').first().textContent()).toBe(timeout);
  // The timer was still pending at the reload, and fires after it.
  await expect.poll(async () => (await cells(1)).filter((_, i) => i !== 1), { timeout: 10_000 }).toEqual(['Completed', 'timed out']);
  expect((await cells(0))[0]).toBe('Running');
  await rows.nth(0).locator('text=Approve').click();
  await expect.poll(async () => [(await cells(0))[0], (await cells(0))[2]], { timeout: 10_000 }).toEqual(['Completed', 'approved, requester notified']);
  expect(errors).toEqual([]);
});
