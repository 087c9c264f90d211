/**
 * The browser host's hand-over, in Node: fake-indexeddb, and a lock manager that grants one
 * exclusive lock at a time as the Web Locks API does. A leader that stops finishes the activity
 * it is running before the next engine is elected, so that no work runs twice.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { expect, it } from 'vitest';
import { DurableApp } from '../../core/index.js';
import { startBrowserEngine } from '../../edge-worker/browser/index.js';

/** Web Locks' exclusive mode for one origin: requests are granted in order, one holder at a time; an aborted waiter is dropped. */
function fakeLocks(): LockManager {
  let tail: Promise<unknown> = Promise.resolve();
  const request = (name: string, options: LockOptions, callback: LockGrantedCallback<unknown>) => {
    const granted = tail.then(() => {
      if (options.signal?.aborted) throw new DOMException('The request was aborted.', 'AbortError');
      return callback({ name, mode: 'exclusive' } as Lock);
    });
    tail = granted.catch(() => undefined);
    return granted;
  };
  return { request, query: async () => ({}) } as unknown as LockManager;
}

it('a leader that stops finishes its activity in flight before the next engine leads', async () => {
  const locks = fakeLocks();
  const indexedDB = new IDBFactory();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const ran: string[] = [];
  const appFor = (name: string) =>
    new DurableApp()
      .orchestration('One', function* (context) {
        return yield context.df.callActivity('Gated', null);
      })
      .activity('Gated', async () => {
        ran.push(name);
        if (name === 'A') await gate;
        return name;
      });
  const a = await startBrowserEngine(appFor('A'), { locks, storage: { indexedDB } });
  const b = await startBrowserEngine(appFor('B'), { locks, storage: { indexedDB } });
  expect(await a.elected).toBe(true);
  expect(b.isLeader).toBe(false);

  const id = await b.client.startNew('One');
  await expect.poll(() => ran).toEqual(['A']);
  const stopped = a.stop();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(b.isLeader).toBe(false);
  release();
  await stopped;
  expect(await b.elected).toBe(true);
  expect(a.isLeader).toBe(false);
  // A's result was recorded before B took over: B ran nothing again.
  expect((await b.client.waitForCompletion(id, { timeoutInMilliseconds: 5000 })).output).toBe('A');
  expect(ran).toEqual(['A']);
  await b.stop();
});
