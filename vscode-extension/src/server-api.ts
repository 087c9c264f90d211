/**
 * The routes beyond Durable Functions that the explorer reads (paged history, counts, scope), through the one wire
 * client, with what a Durable Functions endpoint (where those routes answer 404) gives instead: the merged
 * `historyEvents` of `GET instances/{id}?showHistory=true`, counts tallied from the instance list, no scope.
 */
import {
  type DurableHttpClient,
  type HistoryPagePayload,
  type InstanceCountsPayload,
  type InstanceFilter,
  isNotFound,
  RUNTIME_STATUSES,
  type ScopePayload,
  type StatusPayload,
} from './wire.js';

/**
 * A page of history rows. `lossless`: one row per stored event (the paged route, a bundle), so a row's 1-based
 * position is reset's `eventId`; otherwise Durable Functions' merged rows, sliced here.
 */
export interface HistoryPage extends HistoryPagePayload {
  lossless: boolean;
}

export type Scope = ScopePayload['scope'];
export type StatusCounts = InstanceCountsPayload;

/** The largest page the paged route serves. */
export const MAX_HISTORY_PAGE = 1000;

export async function getHistoryPage(
  client: DurableHttpClient,
  taskHub: string,
  instanceId: string,
  page: { from: number; top: number },
): Promise<HistoryPage> {
  try {
    return { ...(await client.getHistoryPage(taskHub, instanceId, page)), lossless: true };
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // A 404 is a missing instance or a server without the route; the status request tells which (and throws for the first).
    const all = (await client.getStatus(taskHub, instanceId, { history: true })).historyEvents ?? [];
    const events = all.slice(page.from, page.from + page.top);
    const end = page.from + events.length;
    const body: HistoryPage = { events, from: page.from, total: all.length, lossless: false };
    if (end < all.length) body.nextFrom = end;
    return body;
  }
}

export async function countInstances(
  client: DurableHttpClient,
  taskHub: string,
  filter: Pick<InstanceFilter, 'createdTimeFrom' | 'createdTimeTo'> = {},
): Promise<StatusCounts> {
  try {
    const body = await client.countInstances(taskHub, filter);
    return Object.fromEntries(RUNTIME_STATUSES.map((status) => [status, Number(body?.[status] ?? 0)])) as StatusCounts;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return tally(await client.listAllInstances(taskHub, { ...filter, showInput: false }, 1000));
  }
}

export function tally(instances: readonly Pick<StatusPayload, 'runtimeStatus'>[]): StatusCounts {
  const counts = Object.fromEntries(RUNTIME_STATUSES.map((status) => [status, 0])) as StatusCounts;
  for (const instance of instances) if (instance.runtimeStatus in counts) counts[instance.runtimeStatus]++;
  return counts;
}

/** What the connection's token may do; `undefined` when the server cannot say (no `GET scope` route). */
export async function getScope(client: DurableHttpClient): Promise<Scope | undefined> {
  try {
    const scope = await client.getScope();
    return scope === 'read' || scope === 'admin' || scope === 'anonymous' ? scope : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
