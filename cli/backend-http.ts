/**
 * The endpoint backend: the Durable Functions HTTP management API of a running host
 * (`{endpoint}/runtime/webhooks/durabletask/...`, see core/wire.ts), plus the extras
 * `GET taskhubs`, `DELETE taskhubs/{name}` and `GET orchestrators`. The token goes in an
 * `Authorization: Bearer` header, never in the URL.
 * @module
 */
import { WEBHOOK_PATH } from '../core/wire.js';
import type { Backend, HistoryRow, InstanceFilter, InstancePage, ListQuery, Started, StatusPayload } from './backend.js';
import { BackendError, type BackendErrorKind } from './errors.js';

const CONTINUATION_HEADER = 'x-ms-continuation-token';

export interface HttpBackendOptions {
  endpoint: string;
  token?: string;
  taskHub: string;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface Reply { status: number; body: unknown; headers: Headers }

/** `http://host:7071/` and `http://host:7071/runtime/webhooks/durabletask` both mean the same host. */
export function normalizeEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new BackendError('InvalidArgument', `--endpoint '${endpoint}' is not a URL; use e.g. http://127.0.0.1:7071.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BackendError('InvalidArgument', `--endpoint '${endpoint}' must be an http:// or https:// URL.`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '').replace(new RegExp(`${WEBHOOK_PATH}$`), '');
}

export class HttpBackend implements Backend {
  readonly mode = 'endpoint' as const;
  readonly taskHub: string;
  readonly description: string;
  private readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpBackendOptions) {
    this.endpoint = normalizeEndpoint(options.endpoint);
    this.token = options.token || undefined;
    this.taskHub = options.taskHub;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.description = `endpoint ${this.endpoint}, task hub '${this.taskHub}'`;
  }

  async startNew(name: string, input: unknown, instanceId?: string): Promise<Started> {
    const route = `orchestrators/${encodeURIComponent(name)}${instanceId !== undefined ? `/${encodeURIComponent(instanceId)}` : ''}`;
    const { body } = await this.request('POST', route, { ...(input !== undefined ? { json: input } : {}) });
    const payload = (body ?? {}) as { id?: unknown; statusQueryGetUri?: unknown };
    if (typeof payload.id !== 'string') throw new BackendError('Failed', 'The endpoint accepted the start but did not return the instance ID.');
    return { id: payload.id, ...(typeof payload.statusQueryGetUri === 'string' ? { statusQueryGetUri: payload.statusQueryGetUri } : {}) };
  }

  async getStatus(instanceId: string, options: { showInput?: boolean } = {}): Promise<StatusPayload | undefined> {
    try {
      const { body } = await this.request('GET', this.instance(instanceId), { query: { showInput: String(options.showInput !== false) } });
      return body as StatusPayload;
    } catch (error) {
      if (error instanceof BackendError && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  async getHistory(instanceId: string): Promise<HistoryRow[]> {
    const { body } = await this.request('GET', this.instance(instanceId), {
      query: { showHistory: 'true', showHistoryOutput: 'true', showInput: 'true' }, notFound: notFound(instanceId),
    });
    const rows = (body as { historyEvents?: unknown } | undefined)?.historyEvents;
    return Array.isArray(rows) ? (rows as HistoryRow[]) : [];
  }

  async listInstances(query: ListQuery): Promise<InstancePage> {
    const { body, headers } = await this.request('GET', 'instances', {
      query: {
        ...filterQuery(query),
        ...(query.top !== undefined ? { top: String(query.top) } : {}),
        showInput: String(query.showInput !== false),
      },
      headers: query.continuationToken ? { [CONTINUATION_HEADER]: query.continuationToken } : {},
    });
    const next = headers.get(CONTINUATION_HEADER);
    return {
      instances: Array.isArray(body) ? (body as StatusPayload[]) : [],
      // Durable Functions sends the literal "null" on the last page.
      ...(next && next !== 'null' ? { continuationToken: next } : {}),
    };
  }

  async raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void> {
    // Only application/json is accepted, and an empty body is not JSON: "no data" is null.
    await this.request('POST', `${this.instance(instanceId)}/raiseEvent/${encodeURIComponent(eventName)}`, {
      json: eventData === undefined ? null : eventData, notFound: notFound(instanceId),
    });
  }

  terminate(instanceId: string, reason?: string): Promise<void> { return this.operation(instanceId, 'terminate', reason); }
  suspend(instanceId: string, reason?: string): Promise<void> { return this.operation(instanceId, 'suspend', reason); }
  resume(instanceId: string, reason?: string): Promise<void> { return this.operation(instanceId, 'resume', reason); }
  rewind(instanceId: string, reason?: string): Promise<void> { return this.operation(instanceId, 'rewind', reason); }

  async restart(instanceId: string, options: { newInstanceId: boolean }): Promise<string> {
    // Durable Functions answers 400 (not 404) for an unknown instance: ask first.
    if (!(await this.getStatus(instanceId, { showInput: false }))) throw notFound(instanceId)();
    const { body } = await this.request('POST', `${this.instance(instanceId)}/restart`, {
      query: { restartWithNewInstanceId: String(options.newInstanceId) }, notFound: notFound(instanceId),
    });
    const id = (body as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') throw new BackendError('Failed', 'The endpoint restarted the instance but did not return its ID.');
    return id;
  }

  async purgeInstance(instanceId: string): Promise<number> {
    const { body } = await this.request('DELETE', this.instance(instanceId), { notFound: notFound(instanceId) });
    return deletedCount(body);
  }

  async purgeInstances(filter: InstanceFilter): Promise<number> {
    try {
      // createdTimeFrom is required by the API.
      const { body } = await this.request('DELETE', 'instances', { query: { createdTimeFrom: '1970-01-01T00:00:00Z', ...filterQuery(filter) } });
      return deletedCount(body);
    } catch (error) {
      // Durable Functions answers 404 when nothing matched.
      if (error instanceof BackendError && error.kind === 'NotFound') return 0;
      throw error;
    }
  }

  async deleteTaskHub(): Promise<boolean> {
    try {
      await this.request('DELETE', `taskhubs/${encodeURIComponent(this.taskHub)}`);
      return true;
    } catch (error) {
      if (error instanceof BackendError && error.kind === 'NotFound') return false;
      throw error;
    }
  }

  async listTaskHubs(): Promise<string[]> {
    const { body } = await this.request('GET', 'taskhubs');
    return Array.isArray(body) ? body.map((h) => (typeof h === 'string' ? h : String((h as { name?: unknown }).name))) : [];
  }

  async listOrchestrators(): Promise<string[]> {
    const { body } = await this.request('GET', 'orchestrators');
    return Array.isArray(body) ? body.map((o) => (typeof o === 'string' ? o : String((o as { name?: unknown }).name))) : [];
  }

  async close(): Promise<void> { /* nothing held open */ }

  // ---- internals ----

  private instance(instanceId: string): string { return `instances/${encodeURIComponent(instanceId)}`; }

  private async operation(instanceId: string, operation: string, reason?: string): Promise<void> {
    await this.request('POST', `${this.instance(instanceId)}/${operation}`, { query: reason !== undefined ? { reason } : {}, notFound: notFound(instanceId) });
  }

  private async request(method: string, route: string, options: {
    query?: Record<string, string>; json?: unknown; headers?: Record<string, string>; notFound?: () => BackendError;
  } = {}): Promise<Reply> {
    const params = new URLSearchParams({ taskHub: this.taskHub, ...options.query });
    const url = `${this.endpoint}${WEBHOOK_PATH}/${route}?${params}`;
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if ('json' in options) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: controller.signal });
      text = await response.text();
    } catch (error) {
      const reason = controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(error);
      throw new BackendError('Unreachable', `Cannot reach ${this.endpoint}: ${reason}.`);
    } finally {
      clearTimeout(timer);
    }
    const parsed = parseJson(text);
    if (response.ok) return { status: response.status, body: parsed, headers: response.headers };
    if (response.status === 404 && options.notFound) throw options.notFound();
    throw toBackendError(response.status, parsed, text, method, route);
  }
}

const notFound = (instanceId: string) => () => new BackendError('NotFound', `No orchestration instance with ID '${instanceId}' exists.`, 404);

function filterQuery(filter: InstanceFilter): Record<string, string> {
  return {
    ...(filter.createdTimeFrom ? { createdTimeFrom: filter.createdTimeFrom } : {}),
    ...(filter.createdTimeTo ? { createdTimeTo: filter.createdTimeTo } : {}),
    ...(filter.runtimeStatus?.length ? { runtimeStatus: filter.runtimeStatus.join(',') } : {}),
    ...(filter.instanceIdPrefix ? { instanceIdPrefix: filter.instanceIdPrefix } : {}),
  };
}

function toBackendError(status: number, body: unknown, text: string, method: string, route: string): BackendError {
  const detail = errorDetail(body);
  const message = detail.message ?? (text.trim() || `HTTP ${status} from ${method} ${route}`);
  let kind: BackendErrorKind;
  if (detail.code === 'UnknownOrchestrator') kind = 'UnknownOrchestrator';
  else if (status === 400) kind = 'InvalidArgument';
  else if (status === 401 || status === 403) kind = 'Unauthorized';
  else if (status === 404) kind = 'NotFound';
  else if (status === 409) kind = detail.code === 'InvalidState' ? 'InvalidState' : 'Conflict';
  else if (status === 410) kind = 'InvalidState';
  else kind = 'Failed';
  return new BackendError(kind, status === 401 || status === 403 ? `The endpoint refused the request (HTTP ${status}): ${message}` : message, status);
}

/** Our `{error: {code, message}}`, and ASP.NET's `{Message, ExceptionMessage}` that Durable Functions returns. */
function errorDetail(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const error = (body as { error?: unknown }).error;
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { ...(typeof code === 'string' ? { code } : {}), ...(typeof message === 'string' ? { message } : {}) };
  }
  if (typeof error === 'string') return { message: error };
  const { Message, ExceptionMessage, message } = body as { Message?: unknown; ExceptionMessage?: unknown; message?: unknown };
  const text = [Message, ExceptionMessage, message].filter((m): m is string => typeof m === 'string').join(' ');
  return text ? { message: text } : {};
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause && (typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : '');
  return detail ? `${error.message} (${detail})` : error.message;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try { return JSON.parse(text); } catch { return text; }
}

function deletedCount(body: unknown): number {
  const n = body && typeof body === 'object' ? (body as { instancesDeleted?: unknown }).instancesDeleted : undefined;
  return typeof n === 'number' ? n : 0;
}
