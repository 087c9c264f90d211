/**
 * Reading a page of an instance's history through the port: the store's `getHistoryPage`
 * where it has one, else a slice of `getHistory`. The bounds are checked here, once, for every
 * caller (the client, the HTTP route).
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import type { HistoryPage, TaskHubStore } from './port.js';

export const DEFAULT_HISTORY_PAGE = 100;
export const MAX_HISTORY_PAGE = 1000;

/** Refuses a `from` that is not an integer >= 0, or a `top` that is not an integer from 1 to 1000. */
export function checkHistoryPage(from: number, top: number): void {
  if (!Number.isSafeInteger(from) || from < 0) throw new InvalidArgumentError(`'from' must be an integer >= 0 (a 0-based history row); got ${String(from)}.`);
  if (!Number.isInteger(top) || top < 1 || top > MAX_HISTORY_PAGE)
    throw new InvalidArgumentError(`'top' must be an integer from 1 to ${MAX_HISTORY_PAGE}; got ${String(top)}.`);
}

/** Rows `from` to `from + top - 1` of the instance's history (fewer at its end, none past it) and its length. */
export async function historyPage(store: TaskHubStore, instanceId: string, from: number, top: number): Promise<HistoryPage> {
  checkHistoryPage(from, top);
  if (store.getHistoryPage) return store.getHistoryPage(instanceId, from, top);
  const all = await store.getHistory(instanceId);
  return { events: all.slice(from, from + top), total: all.length };
}
