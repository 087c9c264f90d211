/// <reference types="node" />
/**
 * What examples/browser must do in real Chromium, wherever its imports resolve (the sources, or
 * the package installed from its tarball): an approval with a durable timer and an event on
 * IndexedDB that survives a reload, and one engine per origin that moves to another tab when its
 * tab closes.
 */
import { execFileSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENSURE_CHROMIUM, launchChromium, type Served } from './chromium.mjs';

const LEADER = 'This tab runs the engine.';

/** Defines the example's tests; `serve` bundles and serves the example page. */
export function describeBrowserExample(title: string, serve: () => Promise<Served>): void {
  describe(title, () => {
    let served: Served;
    let browser: Browser;

    beforeAll(async () => {
      execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'inherit' });
      served = await serve();
      browser = await launchChromium();
    }, 300_000);
    afterAll(async () => {
      await browser?.close();
      await served?.close();
    });

    const open = async (context: Browser | BrowserContext = browser): Promise<{ page: Page; errors: string[] }> => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(served.url);
      return { page, errors };
    };
    const role = (page: Page) => page.locator('#role').textContent();
    const rows = (page: Page) => page.locator('#instances tr');
    const cells = async (page: Page, row: number) => (await rows(page).nth(row).locator('td').allTextContents()).slice(1, 4);
    const request = async (page: Page, seconds: number) => {
      await page.fill('input[name=seconds]', String(seconds));
      await page.click('text=Request approval');
    };

    it('runs an approval with a durable timer and an event on IndexedDB, across a reload', async () => {
      const { page, errors } = await open();
      await expect.poll(() => role(page)).toBe(LEADER);
      await request(page, 3);
      await request(page, 60);
      // Newest first: the approval waiting for its event, then the one that times out.
      await expect.poll(async () => [(await cells(page, 0))[0], (await cells(page, 1))[0]]).toEqual(['Running', 'Running']);
      const ids = [await rows(page).nth(0).locator('td').first().textContent(), await rows(page).nth(1).locator('td').first().textContent()];

      await page.reload();
      await expect.poll(() => rows(page).count()).toBe(2);
      expect([await rows(page).nth(0).locator('td').first().textContent(), await rows(page).nth(1).locator('td').first().textContent()]).toEqual(ids);
      // The timer was still pending at the reload, and fires after it.
      await expect.poll(async () => (await cells(page, 1)).filter((_, i) => i !== 1), { timeout: 10_000 }).toEqual(['Completed', 'timed out']);
      expect((await cells(page, 0))[0]).toBe('Running');
      await rows(page).nth(0).locator('text=Approve').click();
      await expect
        .poll(async () => [(await cells(page, 0))[0], (await cells(page, 0))[2]], { timeout: 10_000 })
        .toEqual(['Completed', 'approved, requester notified']);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('runs one engine per origin, and another tab takes it over when its tab closes', async () => {
      const context = await browser.newContext();
      try {
        const first = await open(context);
        await expect.poll(() => role(first.page)).toBe(LEADER);
        const second = await open(context);
        await expect.poll(() => role(second.page)).toBe('Another tab runs the engine; this one is a client.');
        // A request from the client tab runs on the engine in the other tab.
        await request(second.page, 60);
        await expect.poll(async () => (await cells(second.page, 0))[0]).toBe('Running');

        await first.page.close();
        await expect.poll(() => role(second.page), { timeout: 5_000 }).toBe(LEADER);
        await rows(second.page).nth(0).locator('text=Approve').click();
        await expect.poll(async () => (await cells(second.page, 0))[0], { timeout: 10_000 }).toBe('Completed');
        expect([...first.errors, ...second.errors]).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
}
