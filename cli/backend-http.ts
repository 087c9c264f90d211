/**
 * The endpoint backend: the HTTP API of a running host, through the one wire client
 * (core/wire/client.ts). Its errors become `BackendError`s, so both backends report alike.
 * @module
 */
import { InstanceNotFoundError } from '../core/errors.js';
import { DurableHttpClient } from '../core/wire/client.js';
import { endpointProblem, NOT_A_URL } from '../core/wire/endpoint.js';
import { ApiError, EndpointUnreachableError } from '../core/wire/errors.js';
import type {
  Backend,
  BundleSource,
  HistoryPagePayload,
  InstanceCountsPayload,
  InstanceFilter,
  InstancePage,
  ListQuery,
  ResetRequest,
  Started,
  StatusPayload,
} from './backend.js';
import { BackendError } from './errors.js';

export interface HttpBackendOptions {
  endpoint: string;
  token?: string;
  taskHub: string;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Refuses an endpoint the client cannot use, in the words of the `--endpoint` option. */
function checkEndpoint(endpoint: string): void {
  const problem = endpointProblem(endpoint);
  if (problem)
    throw new BackendError('InvalidArgument', `--endpoint '${endpoint}' ${problem}${problem === NOT_A_URL ? '; use e.g. http://127.0.0.1:7071' : ''}.`);
}

export class HttpBackend implements Backend {
  readonly mode = 'endpoint' as const;
  readonly taskHub: string;
  readonly description: string;
  readonly source: BundleSource;
  private readonly client: DurableHttpClient;

  constructor(options: HttpBackendOptions) {
    checkEndpoint(options.endpoint);
    // The client normalizes the endpoint (`http://host:7071/` and `…/runtime/webhooks/durabletask` mean the same host).
    this.client = new DurableHttpClient({ endpoint: options.endpoint, token: options.token, timeoutMs: options.timeoutMs ?? 30_000, fetch: options.fetch });
    this.taskHub = options.taskHub;
    this.description = `endpoint ${this.client.endpoint}, task hub '${this.taskHub}'`;
    this.source = { taskHub: this.taskHub, backend: 'http', endpoint: this.client.endpoint };
  }

  startNew(name: string, input: unknown, instanceId?: string): Promise<Started> {
    return this.call(async () => {
      const payload = (await this.client.startNew(this.taskHub, name, input, instanceId)) as { id?: unknown; statusQueryGetUri?: unknown } | undefined;
      if (typeof payload?.id !== 'string') throw new BackendError('Failed', 'The endpoint accepted the start but did not return the instance ID.');
      return { id: payload.id, statusQueryGetUri: typeof payload.statusQueryGetUri === 'string' ? payload.statusQueryGetUri : undefined };
    });
  }

  async getStatus(instanceId: string, options: { showInput?: boolean } = {}): Promise<StatusPayload | undefined> {
    try {
      return await this.call(() => this.client.getStatus(this.taskHub, instanceId, { showInput: options.showInput }));
    } catch (error) {
      if (error instanceof BackendError && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  getHistoryPage(instanceId: string, page: { from: number; top: number }): Promise<HistoryPagePayload> {
    return this.call(() => this.client.getHistoryPage(this.taskHub, instanceId, page));
  }

  countInstances(filter: { createdTimeFrom?: string; createdTimeTo?: string }): Promise<InstanceCountsPayload> {
    return this.call(() => this.client.countInstances(this.taskHub, filter));
  }

  listInstances(query: ListQuery): Promise<InstancePage> {
    return this.call(() => this.client.listInstances(this.taskHub, query));
  }

  raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void> {
    return this.call(() => this.client.raiseEvent(this.taskHub, instanceId, eventName, eventData));
  }

  terminate(instanceId: string, reason?: string): Promise<void> {
    return this.call(() => this.client.terminate(this.taskHub, instanceId, reason));
  }
  suspend(instanceId: string, reason?: string): Promise<void> {
    return this.call(() => this.client.suspend(this.taskHub, instanceId, reason));
  }
  resume(instanceId: string, reason?: string): Promise<void> {
    return this.call(() => this.client.resume(this.taskHub, instanceId, reason));
  }
  rewind(instanceId: string, reason?: string): Promise<void> {
    return this.call(() => this.client.rewind(this.taskHub, instanceId, reason));
  }

  async restart(instanceId: string, options: { newInstanceId: boolean }): Promise<string> {
    // Durable Functions answers 400 (not 404) for an unknown instance: ask first.
    if (!(await this.getStatus(instanceId, { showInput: false }))) throw notFound(instanceId);
    const payload = (await this.call(() => this.client.restart(this.taskHub, instanceId, options.newInstanceId))) as { id?: unknown } | undefined;
    if (typeof payload?.id !== 'string') throw new BackendError('Failed', 'The endpoint restarted the instance but did not return its ID.');
    return payload.id;
  }

  reset(instanceId: string, options: ResetRequest): Promise<string> {
    return this.call(() => this.client.reset(this.taskHub, instanceId, options));
  }

  purgeInstance(instanceId: string): Promise<number> {
    return this.call(() => this.client.purgeInstance(this.taskHub, instanceId));
  }
  purgeInstances(filter: InstanceFilter): Promise<number> {
    return this.call(() => this.client.purgeInstances(this.taskHub, filter));
  }

  async deleteTaskHub(): Promise<boolean> {
    try {
      await this.call(() => this.client.deleteTaskHub(this.taskHub));
      return true;
    } catch (error) {
      if (error instanceof BackendError && error.kind === 'NotFound') return false;
      throw error;
    }
  }

  listTaskHubs(): Promise<string[]> {
    return this.call(() => this.client.listTaskHubs());
  }
  listOrchestrators(): Promise<string[]> {
    return this.call(() => this.client.listOrchestrators(this.taskHub));
  }

  async close(): Promise<void> {
    /* nothing held open */
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw fromApiError(error);
    }
  }
}

const notFound = (instanceId: string) => new BackendError('NotFound', new InstanceNotFoundError(instanceId).message, 404);

/** A wire error as the CLI reports it (cli/errors.ts maps the engine's own errors). */
function fromApiError(error: unknown): unknown {
  if (error instanceof EndpointUnreachableError) return new BackendError('Unreachable', `${error.message}.`);
  if (!(error instanceof ApiError)) return error;
  const refused = error.kind === 'Unauthorized';
  return new BackendError(error.kind, refused ? `The endpoint refused the request (HTTP ${error.status}): ${error.message}` : error.message, error.status);
}
