/**
 * The routes beyond Durable Functions that the explorer uses (counts, paged history, scope) and the history
 * bundle parser, behind one adapter. Their owner (core/wire: `DurableHttpClient.countInstances`, `getHistoryPage`,
 * `getHistoryAll`, `getScope`, and `parseBundle` in core/wire/bundle.ts) is built on another branch; every use in
 * the extension goes through these functions so that the merge switches this one file to the real methods.
 *
 * The shapes are the agreed ones (shared interfaces): `GET counts` → `{ [status]: n }`,
 * `GET instances/{id}/history?from=&top=` → `{ events, from, total, nextFrom? }`, `GET scope` → `{ scope }`.
 * A server without one of these routes (404 `RouteNotFound`) gets the Durable Functions equivalent.
 */
import {
  ApiError,
  type DurableHttpClient,
  type HistoryEvent,
  type HistoryRow,
  type InstanceFilter,
  RUNTIME_STATUSES,
  type RuntimeStatus,
  type StatusPayload,
} from './wire.js';

/**
 * A page of history. `lossless`: stored events (the paged route; positions are reset's event IDs). `rows`: Durable
 * Functions' merged rows, from a server without the route (Durable Functions itself), sliced here.
 */
export type HistoryPage =
  | { shape: 'lossless'; events: HistoryEvent[]; from: number; total: number; nextFrom?: number }
  | { shape: 'rows'; events: HistoryRow[]; from: number; total: number; nextFrom?: number };

export type Scope = 'read' | 'admin' | 'anonymous';

/** The largest page the route serves. */
export const MAX_HISTORY_PAGE = 1000;

type RawRequest = (method: string, route: string, taskHub: string | undefined, options?: { query?: Record<string, string | undefined> }) => Promise<unknown>;

/** The client's own request path (token, timeout, error mapping), until the client has a method per route. */
function request(client: DurableHttpClient): RawRequest {
  const raw = (client as unknown as { request: RawRequest }).request;
  return raw.bind(client);
}

const routeMissing = (error: unknown): boolean => error instanceof ApiError && error.status === 404 && error.code === 'RouteNotFound';

export async function getHistoryPage(
  client: DurableHttpClient,
  taskHub: string,
  instanceId: string,
  page: { from: number; top: number },
): Promise<HistoryPage> {
  try {
    const body = (await request(client)('GET', `instances/${encodeURIComponent(instanceId)}/history`, taskHub, {
      query: { from: String(page.from), top: String(page.top) },
    })) as { events?: HistoryEvent[]; from?: number; total?: number; nextFrom?: number };
    return { shape: 'lossless', events: body.events ?? [], from: body.from ?? page.from, total: body.total ?? 0, nextFrom: body.nextFrom };
  } catch (error) {
    if (!routeMissing(error)) throw error;
    const status = await client.getStatus(taskHub, instanceId, { history: true });
    const all = status.historyEvents ?? [];
    const events = all.slice(page.from, page.from + page.top);
    const end = page.from + events.length;
    return { shape: 'rows', events, from: page.from, total: all.length, nextFrom: end < all.length ? end : undefined };
  }
}

/** The whole lossless history, page after page; `onPage` sees each page as it arrives. Throws on a server without the paged route. */
export async function getHistoryAll(
  client: DurableHttpClient,
  taskHub: string,
  instanceId: string,
  options: { top?: number; onPage?: (page: HistoryPage) => void } = {},
): Promise<HistoryEvent[]> {
  const top = options.top ?? MAX_HISTORY_PAGE;
  const events: HistoryEvent[] = [];
  let from: number | undefined = 0;
  while (from !== undefined) {
    const page: HistoryPage = await getHistoryPage(client, taskHub, instanceId, { from, top });
    if (page.shape !== 'lossless')
      throw new Error(`${client.endpoint} has no paged history route (GET instances/{id}/history): its history cannot be exported losslessly.`);
    for (const event of page.events) events.push(event);
    options.onPage?.(page);
    from = page.nextFrom !== undefined && page.events.length > 0 ? page.nextFrom : undefined;
  }
  return events;
}

export type StatusCounts = Record<RuntimeStatus, number>;

export async function countInstances(
  client: DurableHttpClient,
  taskHub: string,
  filter: Pick<InstanceFilter, 'createdTimeFrom' | 'createdTimeTo'> = {},
): Promise<StatusCounts> {
  try {
    const body = (await request(client)('GET', 'counts', taskHub, {
      query: { createdTimeFrom: filter.createdTimeFrom, createdTimeTo: filter.createdTimeTo },
    })) as Partial<StatusCounts>;
    return Object.fromEntries(RUNTIME_STATUSES.map((status) => [status, Number(body?.[status] ?? 0)])) as StatusCounts;
  } catch (error) {
    if (!routeMissing(error)) throw error;
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
    const body = (await request(client)('GET', 'scope', undefined)) as { scope?: unknown };
    return body?.scope === 'read' || body?.scope === 'admin' || body?.scope === 'anonymous' ? body.scope : undefined;
  } catch (error) {
    if (routeMissing(error)) return undefined;
    throw error;
  }
}

export const BUNDLE_FORMAT = 'edge-durable/history-bundle';
export const BUNDLE_VERSION = 1;

/** A sub-orchestration's bundle inside its parent's: the same shape without format and version. */
export interface NestedBundle {
  exportedAt: string;
  source: { taskHub: string; backend?: string; endpoint?: string };
  instance: StatusPayload;
  /** The lossless history as stored. */
  history: HistoryEvent[];
  children?: NestedBundle[];
}

export interface HistoryBundle extends NestedBundle {
  format: typeof BUNDLE_FORMAT;
  version: number;
}

/** The bundle text is not a history bundle this reader understands; `code` is stable. */
export class BundleFormatError extends Error {
  override name = 'BundleFormatError';
  readonly code = 'BundleFormat';
}

export function createBundle(parts: Omit<HistoryBundle, 'format' | 'version'>): HistoryBundle {
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, ...parts };
}

export function parseBundle(text: string): HistoryBundle {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BundleFormatError(`Not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const bundle = value as Partial<HistoryBundle> | null;
  if (!bundle || typeof bundle !== 'object') throw new BundleFormatError('A history bundle is a JSON object.');
  if (bundle.format !== BUNDLE_FORMAT) throw new BundleFormatError(`The "format" field must be "${BUNDLE_FORMAT}".`);
  if (typeof bundle.version !== 'number' || Math.floor(bundle.version) > BUNDLE_VERSION) {
    throw new BundleFormatError(`Unsupported bundle version ${String(bundle.version)}; this reader knows version ${BUNDLE_VERSION}.`);
  }
  checkNested(bundle, 'bundle');
  return bundle as HistoryBundle;
}

function checkNested(bundle: Partial<NestedBundle>, where: string): void {
  if (!bundle.source || typeof bundle.source.taskHub !== 'string') throw new BundleFormatError(`The ${where} has no "source.taskHub".`);
  const instance = bundle.instance as Partial<StatusPayload> | undefined;
  if (!instance || typeof instance.instanceId !== 'string' || typeof instance.runtimeStatus !== 'string') {
    throw new BundleFormatError(`The ${where} has no "instance" with "instanceId" and "runtimeStatus".`);
  }
  if (!Array.isArray(bundle.history)) throw new BundleFormatError(`The ${where} has no "history" array.`);
  for (const [i, child] of (bundle.children ?? []).entries()) checkNested(child, `${where}'s children[${i}]`);
}
