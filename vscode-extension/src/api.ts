/**
 * Typed client for the Durable Functions compatible HTTP management API
 * (`{endpoint}/runtime/webhooks/durabletask/...`). Uses only `fetch`, so the same code runs in the
 * Node extension host and in the web-worker extension host of VS Code for the Web.
 */
import type { RuntimeStatus } from './status';

export const API_BASE_PATH = '/runtime/webhooks/durabletask';
const CONTINUATION_HEADER = 'x-ms-continuation-token';

/** One row of DF's merged `historyEvents` view (PascalCase, fields vary by `EventType`). */
export interface HistoryEvent {
  EventType: string;
  Timestamp: string;
  [field: string]: unknown;
}

export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input?: unknown;
  customStatus?: unknown;
  output?: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: HistoryEvent[];
}

/** The 202 body of start and restart: management URLs for the new instance. */
export interface CheckStatusPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri?: string;
  suspendPostUri?: string;
  resumePostUri?: string;
}

export interface InstanceQuery {
  runtimeStatus?: readonly RuntimeStatus[];
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  top?: number;
  continuationToken?: string;
}

export interface InstancePage {
  instances: InstanceStatus[];
  /** Absent when the server has no further page. */
  continuationToken?: string;
}

export interface PurgeQuery {
  createdTimeFrom: string;
  createdTimeTo?: string;
  runtimeStatus?: readonly RuntimeStatus[];
}

/** The server answered with an error status. `code` comes from the `{error: {code, message}}` body when present. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** 401: the token is missing or wrong. */
export class UnauthorizedError extends ApiError {
  override name = 'UnauthorizedError';
}

/** No HTTP answer at all: DNS, refused connection, CORS rejection in a browser, or timeout. */
export class EndpointUnreachableError extends Error {
  override name = 'EndpointUnreachableError';
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`Cannot reach ${endpoint}: ${reason}`);
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export interface ClientOptions {
  endpoint: string;
  token?: string;
  /** Requests slower than this count as unreachable, so a dead endpoint never leaves the tree spinning. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class DurableApiClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? 15000;
    // bound call: a bare `fetch` reference invoked as a method throws "Illegal invocation" in browsers
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The URL of a route, without any credentials (safe to copy and share). */
  url(route: string, taskHub?: string, query: Record<string, string | undefined> = {}): string {
    const params = new URLSearchParams();
    if (taskHub) params.set('taskHub', taskHub);
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, value);
    const search = params.toString();
    return `${this.endpoint}${API_BASE_PATH}/${route}${search ? `?${search}` : ''}`;
  }

  statusUrl(taskHub: string, instanceId: string): string {
    return this.url(`instances/${encodeURIComponent(instanceId)}`, taskHub);
  }

  async listTaskHubs(): Promise<string[]> {
    const { body } = await this.request('GET', this.url('taskhubs'));
    return asArray(body).map(String);
  }

  async deleteTaskHub(taskHub: string): Promise<void> {
    await this.request('DELETE', this.url(`taskhubs/${encodeURIComponent(taskHub)}`));
  }

  /** Names of the registered orchestrators (the server accepts either `["A"]` or `[{"name":"A"}]`). */
  async listOrchestrators(taskHub: string): Promise<string[]> {
    const { body } = await this.request('GET', this.url('orchestrators', taskHub));
    return asArray(body).map((entry) => (typeof entry === 'string' ? entry : String((entry as { name?: unknown }).name)));
  }

  async startOrchestration(taskHub: string, name: string, input?: unknown, instanceId?: string): Promise<CheckStatusPayload> {
    const route = `orchestrators/${encodeURIComponent(name)}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`;
    const { body } = await this.request('POST', this.url(route, taskHub), input === undefined ? undefined : { json: input });
    return body as CheckStatusPayload;
  }

  /** Throws an `ApiError` with status 404 when the instance does not exist. */
  async getInstance(taskHub: string, instanceId: string, options: { history?: boolean } = {}): Promise<InstanceStatus> {
    const query = options.history
      ? { showHistory: 'true', showHistoryOutput: 'true', showInput: 'true' }
      : { showInput: 'true' };
    try {
      const { body } = await this.request('GET', this.url(`instances/${encodeURIComponent(instanceId)}`, taskHub, query));
      return body as InstanceStatus;
    } catch (error) {
      // Durable Functions (and edge-durable, which keeps it) answer a missing instance with an EMPTY 404 here:
      // give it the code and a message that names the instance.
      if (isNotFound(error) && (error as ApiError).code === 'NotFound') {
        throw new ApiError(404, 'InstanceNotFound', `No instance '${instanceId}' in task hub '${taskHub}'.`);
      }
      throw error;
    }
  }

  async listInstances(taskHub: string, query: InstanceQuery = {}): Promise<InstancePage> {
    const url = this.url('instances', taskHub, {
      runtimeStatus: query.runtimeStatus?.length ? query.runtimeStatus.join(',') : undefined,
      createdTimeFrom: query.createdTimeFrom,
      createdTimeTo: query.createdTimeTo,
      instanceIdPrefix: query.instanceIdPrefix,
      top: query.top === undefined ? undefined : String(query.top),
      // the instance tooltip shows the input
      showInput: 'true',
    });
    const headers: Record<string, string> = {};
    if (query.continuationToken) headers[CONTINUATION_HEADER] = query.continuationToken;
    const { body, response } = await this.request('GET', url, { headers });
    const next = response.headers.get(CONTINUATION_HEADER);
    // DF sends the literal "null" on the last page in some versions
    const continuationToken = next && next !== 'null' ? next : undefined;
    return { instances: asArray(body) as InstanceStatus[], ...(continuationToken ? { continuationToken } : {}) };
  }

  /** Follows continuation tokens until the server has no more pages (used by batch operations). */
  async listAllInstances(taskHub: string, query: InstanceQuery = {}, pageSize = 100): Promise<InstanceStatus[]> {
    const all: InstanceStatus[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.listInstances(taskHub, { ...query, top: pageSize, ...(continuationToken ? { continuationToken } : {}) });
      all.push(...page.instances);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return all;
  }

  async purgeInstance(taskHub: string, instanceId: string): Promise<number> {
    const { body } = await this.request('DELETE', this.url(`instances/${encodeURIComponent(instanceId)}`, taskHub));
    return deletedCount(body);
  }

  /** DF answers 404 when nothing matched; that is reported as 0 deleted rather than as an error. */
  async purgeInstances(taskHub: string, query: PurgeQuery): Promise<number> {
    const url = this.url('instances', taskHub, {
      createdTimeFrom: query.createdTimeFrom,
      createdTimeTo: query.createdTimeTo,
      runtimeStatus: query.runtimeStatus?.length ? query.runtimeStatus.join(',') : undefined,
    });
    try {
      const { body } = await this.request('DELETE', url);
      return deletedCount(body);
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
  }

  async raiseEvent(taskHub: string, instanceId: string, eventName: string, data: unknown): Promise<void> {
    const route = `instances/${encodeURIComponent(instanceId)}/raiseEvent/${encodeURIComponent(eventName)}`;
    // DF rejects anything but application/json, and an empty body is not valid JSON: send `null` for "no data"
    await this.request('POST', this.url(route, taskHub), { json: data === undefined ? null : data });
  }

  terminate(taskHub: string, instanceId: string, reason = ''): Promise<void> {
    return this.postOperation(taskHub, instanceId, 'terminate', reason);
  }

  suspend(taskHub: string, instanceId: string, reason = ''): Promise<void> {
    return this.postOperation(taskHub, instanceId, 'suspend', reason);
  }

  resume(taskHub: string, instanceId: string, reason = ''): Promise<void> {
    return this.postOperation(taskHub, instanceId, 'resume', reason);
  }

  rewind(taskHub: string, instanceId: string, reason = ''): Promise<void> {
    return this.postOperation(taskHub, instanceId, 'rewind', reason);
  }

  async restart(taskHub: string, instanceId: string, restartWithNewInstanceId: boolean): Promise<CheckStatusPayload> {
    const url = this.url(`instances/${encodeURIComponent(instanceId)}/restart`, taskHub, {
      restartWithNewInstanceId: String(restartWithNewInstanceId),
    });
    const { body } = await this.request('POST', url);
    return body as CheckStatusPayload;
  }

  private async postOperation(taskHub: string, instanceId: string, operation: string, reason: string): Promise<void> {
    const url = this.url(`instances/${encodeURIComponent(instanceId)}/${operation}`, taskHub, { reason });
    await this.request('POST', url);
  }

  private async request(
    method: string,
    url: string,
    options: { json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ response: Response; body: unknown }> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let requestBody: string | undefined;
    if ('json' in options) {
      headers['Content-Type'] = 'application/json';
      requestBody = JSON.stringify(options.json);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, { method, headers, body: requestBody, signal: controller.signal });
      text = await response.text();
    } catch (error) {
      const reason = controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(error);
      throw new EndpointUnreachableError(this.endpoint, reason);
    } finally {
      clearTimeout(timer);
    }
    const body = parseJson(text);
    if (!response.ok) throw toApiError(response.status, body, text);
    return { response, body };
  }
}

function toApiError(status: number, body: unknown, text: string): ApiError {
  const detail = extractError(body);
  const code = detail.code ?? defaultCode(status);
  const message = detail.message ?? (text.trim() || `HTTP ${status}`);
  return status === 401 ? new UnauthorizedError(status, code, message) : new ApiError(status, code, message);
}

/** Our `{error: {code, message}}` shape, plus ASP.NET's `{Message, ExceptionMessage}` that DF itself returns. */
function extractError(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const error = (body as { error?: unknown }).error;
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : undefined, message: typeof message === 'string' ? message : undefined };
  }
  if (typeof error === 'string') return { message: error };
  const { Message, ExceptionMessage } = body as { Message?: unknown; ExceptionMessage?: unknown };
  const message = [Message, ExceptionMessage].filter((m) => typeof m === 'string').join(' ');
  return message ? { message } : {};
}

function defaultCode(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 409:
      return 'Conflict';
    case 410:
      return 'Gone';
    default:
      return `Http${status}`;
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    // Node's fetch hides the useful part (ECONNREFUSED...) in `cause`
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail = cause && (typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : '');
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function asArray(body: unknown): unknown[] {
  return Array.isArray(body) ? body : [];
}

function deletedCount(body: unknown): number {
  const count = body && typeof body === 'object' ? (body as { instancesDeleted?: unknown }).instancesDeleted : undefined;
  return typeof count === 'number' ? count : 0;
}
