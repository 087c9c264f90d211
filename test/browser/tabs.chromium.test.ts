/// <reference types="node" />
/**
 * The browser host in real Chromium, with several tabs of one origin on one database: exactly
 * one tab runs the Worker; a client tab's orchestration runs on it; when the leader tab closes
 * or crashes, another takes over within a second and the work in flight (an activity that was
 * running in the dead tab, a timer, an instance waiting for an event) completes, each
 * scheduled activity recorded once. The page is tabs.entry.ts.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../core/history.js';
import type { BrowserEngine } from '../../edge-worker/browser/index.js';
import { ENSURE_CHROMIUM, launchChromium, type Served, servePage } from './chromium.mjs';

declare global {
  var __engine: BrowserEngine;
  var __tab: { name: string; hang: boolean; hanging: number; electedAt?: number };
}

execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'inherit' });
const TAKEOVER_MS = 1000;

let served: Served;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
const errors: string[] = [];

beforeAll(async () => {
  served = await servePage(fileURLToPath(new URL('./tabs.entry.ts', import.meta.url)));
  browser = await launchChromium();
  context = await browser.newContext();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function open(name: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${name}: ${error}`));
  await page.goto(`${served.url}?tab=${name}`);
  await page.waitForFunction(() => globalThis.__engine !== undefined);
  return page;
}
const isLeader = (page: Page) => page.evaluate(() => __engine.isLeader);
const start = (page: Page, name: string, input?: unknown) =>
  page.evaluate(([name, input]) => __engine.client.startNew(name as string, { input }), [name, input]);
const status = (page: Page, id: string) => page.evaluate((id) => __engine.client.getStatus(id).then((s) => s?.runtimeStatus), id);
const completion = (page: Page, id: string) =>
  page.evaluate(async (id) => {
    const s = await __engine.client.waitForCompletion(id, { timeoutInMilliseconds: 20_000 });
    return { status: s.runtimeStatus, output: s.output };
  }, id);
const history = (page: Page, id: string) => page.evaluate((id) => __engine.storage.taskHub(__engine.client.taskHubName).getHistory(id), id);
async function until(what: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many times each scheduled activity of the history completed. */
function completions(events: HistoryEvent[]): number[] {
  return events
    .filter((e) => e.type === 'TaskScheduled')
    .map((scheduled) => events.filter((e) => e.type === 'TaskCompleted' && e.taskScheduledId === scheduled.eventId).length);
}

async function expectEachActivityOnce(page: Page, instanceIds: string[]): Promise<void> {
  for (const id of instanceIds) {
    const counts = completions(await history(page, id));
    expect(counts.length, id).toBeGreaterThan(0);
    expect(counts, id).toEqual(counts.map(() => 1));
  }
}

/** Ends the leader tab with `end` and returns how long after that `heir` ran the Worker. */
async function takeover(end: () => Promise<unknown>, heir: Page): Promise<number> {
  expect(await isLeader(heir)).toBe(false);
  const before = Date.now();
  void end().catch(() => undefined);
  await heir.waitForFunction(() => __tab.electedAt !== undefined, undefined, { timeout: 10_000 });
  return (await heir.evaluate(() => __tab.electedAt!)) - before;
}

describe('the browser host: one Worker per origin, in real Chromium', () => {
  let a: Page;
  let b: Page;
  let c: Page;
  const ids: string[] = [];

  it('elects exactly one of two tabs on one database', async () => {
    a = await open('A');
    await a.waitForFunction(() => __engine.isLeader);
    b = await open('B');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([await isLeader(a), await isLeader(b)]).toEqual([true, false]);
  });

  it('runs an orchestration started in the client tab on the leader, woken by its notification', async () => {
    const id = await start(b, 'Sequence');
    ids.push(id);
    expect(await completion(b, id)).toEqual({ status: 'Completed', output: ['0@A', '1@A', '2@A'] });
  });

  it(`hands the Worker to the other tab within ${TAKEOVER_MS} ms when the leader tab closes; the work in flight completes, each activity once`, async () => {
    await a.evaluate(() => {
      __tab.hang = true;
    });
    const slow = await start(b, 'Slow');
    const timer = await start(b, 'Timer', 3000);
    const waiting = await start(b, 'Waiting');
    ids.push(slow, timer, waiting);
    await a.waitForFunction(() => __tab.hanging === 1);
    await until(async () => (await status(b, timer)) === 'Running' && (await status(b, waiting)) === 'Running');

    const ms = await takeover(() => a.close(), b);
    console.log(`takeover after the leader tab closed: ${ms} ms`);
    expect(ms).toBeLessThan(TAKEOVER_MS);
    await b.evaluate((id) => __engine.client.raiseEvent(id, 'Go', 'go'), waiting);
    // The activity that was running in the closed tab ran again here at once, not when its 5-minute lease lapsed.
    expect(await completion(b, slow)).toEqual({ status: 'Completed', output: 'slow@B' });
    expect(await completion(b, timer)).toEqual({ status: 'Completed', output: 'timer@B' });
    expect(await completion(b, waiting)).toEqual({ status: 'Completed', output: 'go@B' });
    await expectEachActivityOnce(b, ids);
  });

  it(`hands it on within ${TAKEOVER_MS} ms when the leader tab crashes`, async () => {
    c = await open('C');
    await b.evaluate(() => {
      __tab.hang = true;
    });
    const slow = await start(c, 'Slow');
    const timer = await start(c, 'Timer', 2000);
    await b.waitForFunction(() => __tab.hanging === 1);
    await until(async () => (await status(c, timer)) === 'Running');

    const cdp = await context.newCDPSession(b);
    const ms = await takeover(() => cdp.send('Page.crash'), c);
    console.log(`takeover after the leader tab crashed: ${ms} ms`);
    expect(ms).toBeLessThan(TAKEOVER_MS);
    expect(await completion(c, slow)).toEqual({ status: 'Completed', output: 'slow@C' });
    expect(await completion(c, timer)).toEqual({ status: 'Completed', output: 'timer@C' });
    await expectEachActivityOnce(c, [...ids, slow, timer]);
    expect(errors).toEqual([]);
  });

  it('a leader that stops lets the next tab lead, and the stopped tab keeps no part', async () => {
    const d = await open('D');
    const ms = await takeover(() => c.evaluate(() => __engine.stop()), d);
    expect(ms).toBeLessThan(TAKEOVER_MS);
    expect(await isLeader(c)).toBe(false);
    const id = await start(d, 'Sequence');
    expect(await completion(d, id)).toEqual({ status: 'Completed', output: ['0@D', '1@D', '2@D'] });
    expect(errors).toEqual([]);
  });
});
