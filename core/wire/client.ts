/**
 * The one client of the HTTP API (`{endpoint}{WEBHOOK_PATH}/...`), for the CLI and the VS Code
 * extension: a method per route, paging, bearer token, timeout and error mapping (see errors.ts).
 * Uses only `fetch`, so it runs in Node, browsers and VS Code's web-worker extension host.
 * The token goes in an `Authorization: Bearer` header, never in a URL.
 * @module
 */
import { InstanceNotFoundError } from '../errors.js';
import { normalizeEndpoint } from './endpoint.js';
import { ApiError, describeNetworkError, EndpointUnreachableError, isNotFound, parseBody, toApiError } from './errors.js';
import type { CheckStatusPayload } from './management.js';
import type {
  HistoryPagePayload,
  HistoryRow,
  InstanceCountsPayload,
  InstancePage,
  ResetAccepted,
  ResetRequest,
  ScopePayload,
  StatusPayload,
} from './payloads.js';
import { CONTINUATION_HEADER, type ControlOperation, routes, WEBHOOK_PATH } from './routes.js';
import type { RuntimeStatus } from './status.js';

export interface HttpClientOptions {
  endpoint: string;
  /** Sent as `Authorization: Bearer`; an empty string means none. */
  token?: string;
  /** A request without an answer after this long fails as unreachable. Default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface InstanceFilter {
  /** ISO 8601, inclusive. */
  createdTimeFrom?: string;
  createdTimeTo?: string;
  runtimeStatus?: readonly RuntimeStatus[];
  instanceIdPrefix?: string;
}

export interface InstanceQuery extends InstanceFilter {
  /** Page size, 1-1000. */
  top?: number;
  continuationToken?: string;
  /** Default true. */
  showInput?: boolean;
}

/** Query values left undefined are not sent. */
type Query = Record<string, string | undefined>;

interface RequestOptions {
  query?: Query;
  json?: unknown;
  headers?: Record<string, string>;
}

export class DurableHttpClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpClientOptions) {
    this.endpoint = normalizeEndpoint(options.endpoint);
    this.token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    // Bound: a bare `fetch` called as a method throws "Illegal invocation" in browsers.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The URL of a route, without credentials (safe to copy and share). Empty query values are left out. */
  url(route: string, taskHub?: string, query: Query = {}): string {
    const params = new URLSearchParams();
    if (taskHub) params.set('taskHub', taskHub);
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, value);
    const search = params.toString();
    return `${this.endpoint}${WEBHOOK_PATH}/${route}${search ? `?${search}` : ''}`;
  }

  statusUrl(taskHub: string, instanceId: string): string {
    return this.url(routes.instance(instanceId), taskHub);
  }

  async listTaskHubs(): Promise<string[]> {
    return names(await this.request('GET', routes.taskHubs(), undefined));
  }

  /** Throws a NotFound ApiError when there is no such hub. */
  async deleteTaskHub(taskHub: string): Promise<void> {
    await this.request('DELETE', routes.taskHub(taskHub), undefined);
  }

  /** The registered orchestrator names (`["A"]` or `[{"name":"A"}]`). */
  async listOrchestrators(taskHub: string): Promise<string[]> {
    return names(await this.request('GET', routes.orchestrators(), taskHub));
  }

  /** Without input the request has no body; an empty `instanceId` lets the server pick one. */
  async startNew(taskHub: string, name: string, input?: unknown, instanceId?: string): Promise<CheckStatusPayload> {
    const options: RequestOptions = input === undefined ? {} : { json: input };
    return (await this.request('POST', routes.start(name, instanceId), taskHub, options)) as CheckStatusPayload;
  }

  /** `history`: with the merged `historyEvents`, their inputs and outputs. Throws a NotFound ApiError for a missing instance. */
  async getStatus(taskHub: string, instanceId: string, options: { history?: boolean; showInput?: boolean } = {}): Promise<StatusPayload> {
    const query: Query = options.history
      ? { showHistory: 'true', showHistoryOutput: 'true', showInput: 'true' }
      : { showInput: String(options.showInput !== false) };
    return (await this.onInstance(instanceId, () => this.request('GET', routes.instance(instanceId), taskHub, { query }))) as StatusPayload;
  }

  async listInstances(taskHub: string, query: InstanceQuery = {}): Promise<InstancePage> {
    const headers: Record<string, string> = {};
    if (query.continuationToken) headers[CONTINUATION_HEADER] = query.continuationToken;
    const response = await this.send('GET', routes.instances(), taskHub, {
      query: { ...filterQuery(query), top: query.top === undefined ? undefined : String(query.top), showInput: String(query.showInput !== false) },
      headers,
    });
    const next = response.headers.get(CONTINUATION_HEADER);
    // Durable Functions sends the literal "null" on the last page.
    const continuationToken = next && next !== 'null' ? next : undefined;
    return { instances: asArray(response.body) as StatusPayload[], continuationToken };
  }

  /** Follows continuation tokens to the last page. */
  listAllInstances(taskHub: string, query: InstanceQuery = {}, pageSize = 100): Promise<StatusPayload[]> {
    return readAllPages((continuationToken) => this.listInstances(taskHub, { ...query, top: pageSize, continuationToken }));
  }

  /** Per-status instance counts (`GET counts`, beyond Durable Functions), created in the range if one is given. */
  async countInstances(taskHub: string, filter: { createdTimeFrom?: string; createdTimeTo?: string } = {}): Promise<InstanceCountsPayload> {
    return (await this.request('GET', routes.counts(), taskHub, {
      query: { createdTimeFrom: filter.createdTimeFrom, createdTimeTo: filter.createdTimeTo },
    })) as InstanceCountsPayload;
  }

  /**
   * Rows `from` (0-based, default 0) to `from + top - 1` (top 1-1000, default 100) of the instance's
   * history, one per stored event (`GET instances/{id}/history`, beyond Durable Functions).
   * Throws a NotFound ApiError for a missing instance.
   */
  async getHistoryPage(taskHub: string, instanceId: string, page: { from?: number; top?: number } = {}): Promise<HistoryPagePayload> {
    const query = { from: page.from === undefined ? undefined : String(page.from), top: page.top === undefined ? undefined : String(page.top) };
    return (await this.onInstance(instanceId, () => this.request('GET', routes.history(instanceId), taskHub, { query }))) as HistoryPagePayload;
  }

  /** Every row of the instance's history, page after page (`top` rows each) until a page has no `nextFrom`. */
  async getHistoryAll(taskHub: string, instanceId: string, top = 1000): Promise<HistoryRow[]> {
    const rows: HistoryRow[] = [];
    for (let from: number | undefined = 0; from !== undefined; ) {
      const page = await this.getHistoryPage(taskHub, instanceId, { from, top });
      rows.push(...page.events);
      if (page.nextFrom !== undefined && page.nextFrom <= from)
        throw new ApiError(502, 'Failed', `The endpoint's history page at ${from} pointed back to ${page.nextFrom}.`);
      from = page.nextFrom;
    }
    return rows;
  }

  /** What the client's token allows (`GET scope`, beyond Durable Functions): 'admin', 'read', or 'anonymous' on a server without tokens. */
  async getScope(): Promise<ScopePayload['scope']> {
    return ((await this.request('GET', routes.scope(), undefined)) as ScopePayload).scope;
  }

  /** The route takes `application/json` only, and an empty body is not JSON: no data is sent as `null`. */
  async raiseEvent(taskHub: string, instanceId: string, eventName: string, data: unknown): Promise<void> {
    await this.onInstance(instanceId, () =>
      this.request('POST', routes.raiseEvent(instanceId, eventName), taskHub, { json: data === undefined ? null : data }),
    );
  }

  terminate(taskHub: string, instanceId: string, reason?: string): Promise<void> {
    return this.control(taskHub, instanceId, 'terminate', reason);
  }
  suspend(taskHub: string, instanceId: string, reason?: string): Promise<void> {
    return this.control(taskHub, instanceId, 'suspend', reason);
  }
  resume(taskHub: string, instanceId: string, reason?: string): Promise<void> {
    return this.control(taskHub, instanceId, 'resume', reason);
  }
  rewind(taskHub: string, instanceId: string, reason?: string): Promise<void> {
    return this.control(taskHub, instanceId, 'rewind', reason);
  }

  /** A missing instance is a 400 here, as in Durable Functions. */
  async restart(taskHub: string, instanceId: string, newInstanceId: boolean): Promise<CheckStatusPayload> {
    const query = { restartWithNewInstanceId: String(newInstanceId) };
    return (await this.onInstance(instanceId, () => this.request('POST', routes.restart(instanceId), taskHub, { query }))) as CheckStatusPayload;
  }

  /** Takes the instance back to a row of its history (`DurableClient.reset`); returns the ID of the instance that continues. */
  async reset(taskHub: string, instanceId: string, request: ResetRequest): Promise<string> {
    const body = (await this.onInstance(instanceId, () =>
      this.request('POST', routes.reset(instanceId), taskHub, { json: request }),
    )) as Partial<ResetAccepted>;
    if (typeof body?.instanceId !== 'string') throw new ApiError(202, 'InvalidResponse', 'The endpoint accepted the reset but did not return the instance ID.');
    return body.instanceId;
  }

  /** Returns the number deleted (1). */
  async purgeInstance(taskHub: string, instanceId: string): Promise<number> {
    return deletedCount(await this.onInstance(instanceId, () => this.request('DELETE', routes.instance(instanceId), taskHub)));
  }

  /** Returns the number deleted; Durable Functions' 404 for "nothing matched" is 0. */
  async purgeInstances(taskHub: string, filter: InstanceFilter): Promise<number> {
    // The route requires createdTimeFrom.
    const query = { ...filterQuery(filter), createdTimeFrom: filter.createdTimeFrom || '1970-01-01T00:00:00Z' };
    try {
      return deletedCount(await this.request('DELETE', routes.instances(), taskHub, { query }));
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
  }

  private async control(taskHub: string, instanceId: string, operation: ControlOperation, reason: string | undefined): Promise<void> {
    await this.onInstance(instanceId, () => this.request('POST', routes.control(instanceId, operation), taskHub, { query: { reason } }));
  }

  /** A 404 without a code of its own (Durable Functions' empty 404) names the instance. */
  private async onInstance<T>(instanceId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isNotFound(error) && (error as ApiError).code === 'NotFound') {
        throw new ApiError(404, 'InstanceNotFound', new InstanceNotFoundError(instanceId).message);
      }
      throw error;
    }
  }

  private async request(method: string, route: string, taskHub: string | undefined, options: RequestOptions = {}): Promise<unknown> {
    return (await this.send(method, route, taskHub, options)).body;
  }

  private async send(method: string, route: string, taskHub: string | undefined, options: RequestOptions): Promise<{ body: unknown; headers: Headers }> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const init: RequestInit = { method, headers };
    if ('json' in options) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.json);
    }
    const controller = new AbortController();
    init.signal = controller.signal;
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.url(route, taskHub, options.query), init);
      text = await response.text();
    } catch (error) {
      throw new EndpointUnreachableError(this.endpoint, controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(error));
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw toApiError(response.status, text, `${method} ${route}`);
    return { body: parseBody(text), headers: response.headers };
  }
}

/** Reads page after page, each with the previous page's continuation token, until one has none. */
export async function readAllPages<T>(page: (continuationToken: string | undefined) => Promise<{ instances: T[]; continuationToken?: string }>): Promise<T[]> {
  const all: T[] = [];
  let continuationToken: string | undefined;
  do {
    const next = await page(continuationToken);
    all.push(...next.instances);
    continuationToken = next.continuationToken;
  } while (continuationToken);
  return all;
}

function filterQuery(filter: InstanceFilter): Query {
  return {
    createdTimeFrom: filter.createdTimeFrom,
    createdTimeTo: filter.createdTimeTo,
    runtimeStatus: filter.runtimeStatus?.length ? filter.runtimeStatus.join(',') : undefined,
    instanceIdPrefix: filter.instanceIdPrefix,
  };
}

const asArray = (body: unknown): unknown[] => (Array.isArray(body) ? body : []);

function names(body: unknown): string[] {
  return asArray(body).map((entry) => (typeof entry === 'string' ? entry : String((entry as { name?: unknown }).name)));
}

function deletedCount(body: unknown): number {
  const count = body && typeof body === 'object' ? (body as { instancesDeleted?: unknown }).instancesDeleted : undefined;
  return typeof count === 'number' ? count : 0;
}
