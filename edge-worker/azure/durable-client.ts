/**
 * durable-functions v3's `DurableClient`, over the engine's client. Where v3 talks HTTP to
 * the Durable Functions extension and maps status codes, this maps the engine's typed errors
 * the same way. The mapping follows the SDK's source (Azure/azure-functions-durable-js,
 * src/durableClient/DurableClient.ts), which wins over its docs where they differ:
 * - `getStatus` of a missing instance rejects (HTTP 404 → Error "…replied with HTTP 404…").
 * - `raiseEvent`, `terminate`, `suspend`, `resume` resolve on a finished instance (HTTP 410);
 *   `rewind` rejects there ("only supported on failed orchestration instances"); all reject
 *   on a missing instance ("No instance with ID '…' found.").
 * - `purgeInstanceHistory` of a missing instance resolves `{ instancesDeleted: 0 }`.
 * - `getStatusAll`/`getStatusBy` follow the continuation token through every page and return
 *   the status payloads as the API sends them (`response.data`: times are strings there).
 * - `waitForCompletionOrCreateCheckStatusResponse` throws when the retry interval exceeds the
 *   timeout; Completed → 200 output, Terminated/Canceled → 200 status, Failed → 500 status,
 *   still running → the 202 check-status response.
 * The responses are edge-worker/check-status.ts's, whose 202 body is the extension's (no
 * `rewindPostUri`; the SDK's own copies the binding's URLs, `rewindPostUri` included).
 * @module
 */
import type { DurableClient as EngineClient } from '../../core/client.js';
import { InvalidArgumentError, isDurableError } from '../../core/errors.js';
import type { RuntimeStatus } from '../../core/history.js';
import type { HttpManagementPayload } from '../../core/wire/management.js';
import { type StatusPayload, toStatusPayload } from '../../core/wire/payloads.js';
import { createCheckStatusResponse, waitForCompletionOrCreateCheckStatusResponse } from '../check-status.js';
import { HttpResponse } from './http-types.js';

export interface StartNewOptions {
  instanceId?: string;
  input?: unknown;
}

export interface GetStatusOptions {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean;
}

export interface OrchestrationFilter {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: RuntimeStatus[];
}

export interface TaskHubOptions {
  taskHubName?: string;
  connectionName?: string;
}

export interface WaitForCompletionOptions {
  timeoutInMilliseconds?: number;
  retryIntervalInMilliseconds?: number;
}

export interface PurgeHistoryResult {
  instancesDeleted: number;
}

/** v3's DurableOrchestrationStatus; `history` holds the `historyEvents` rows when asked for. */
export class DurableOrchestrationStatus {
  readonly name: string;
  readonly instanceId: string;
  readonly createdTime: Date;
  readonly lastUpdatedTime: Date;
  readonly input: unknown;
  readonly output: unknown;
  readonly runtimeStatus: RuntimeStatus;
  readonly customStatus?: unknown;
  readonly history?: Array<unknown>;

  constructor(payload: StatusPayload) {
    this.name = payload.name;
    this.instanceId = payload.instanceId;
    this.createdTime = new Date(payload.createdTime);
    this.lastUpdatedTime = new Date(payload.lastUpdatedTime);
    this.input = payload.input;
    this.output = payload.output;
    this.runtimeStatus = payload.runtimeStatus;
    this.customStatus = payload.customStatus;
    this.history = payload.historyEvents;
  }
}

/** How the host hands a client to `getClient`: the engine's client and, without a configured base URL, the request whose origin the management URLs use. */
export interface DurableClientBinding {
  readonly kind: 'edge-durable.durableClient';
  readonly client: EngineClient;
  readonly request: Request | undefined;
}

const notFound = (instanceId: string) => new Error(`No instance with ID '${instanceId}' found.`);

/** Any `{ url }` (our HttpRequest, a web Request, a test double) as the Request the check-status helpers read the origin from. */
const asRequest = (request: { url?: string } | undefined, fallback: Request | undefined): Request | undefined =>
  request?.url ? new Request(request.url) : fallback;

export class DurableClient {
  readonly taskHubName: string;
  readonly uniqueWebhookOrigins: string[];
  private readonly engine: EngineClient;
  private readonly request: Request | undefined;

  constructor(binding: DurableClientBinding) {
    this.engine = binding.client;
    this.request = binding.request;
    this.taskHubName = this.engine.taskHubName;
    this.uniqueWebhookOrigins = [new URL(this.createHttpManagementPayload('x').statusQueryGetUri).origin];
  }

  startNew(orchestratorFunctionName: string, options: StartNewOptions = {}): Promise<string> {
    if (!orchestratorFunctionName) throw new Error('orchestratorFunctionName must be a valid string.');
    return this.engine.startNew(orchestratorFunctionName, { instanceId: options.instanceId, input: options.input });
  }

  async getStatus(instanceId: string, options: GetStatusOptions = {}): Promise<DurableOrchestrationStatus> {
    const status = await this.engine.getStatus(instanceId, options);
    if (!status) {
      throw new Error(
        `DurableClient error: Durable Functions extension replied with HTTP 404 response. This usually means we could not find any data associated with the instanceId provided: ${instanceId}.`,
      );
    }
    return new DurableOrchestrationStatus(toStatusPayload(status, { showHistoryOutput: options.showHistoryOutput, showInput: options.showInput }));
  }

  getStatusAll(): Promise<StatusPayload[]> {
    return this.allPages({});
  }

  getStatusBy(filter: OrchestrationFilter): Promise<StatusPayload[]> {
    return this.allPages({ createdTimeFrom: filter.createdTimeFrom, createdTimeTo: filter.createdTimeTo, runtimeStatus: filter.runtimeStatus });
  }

  async purgeInstanceHistory(instanceId: string): Promise<PurgeHistoryResult> {
    try {
      return await this.engine.purgeInstanceHistory(instanceId);
    } catch (error) {
      if (isDurableError(error, 'InstanceNotFound')) return { instancesDeleted: 0 };
      throw error;
    }
  }

  purgeInstanceHistoryBy(filter: OrchestrationFilter): Promise<PurgeHistoryResult> {
    if (!(filter.createdTimeFrom instanceof Date)) throw new Error('createdTimeFrom must be a valid Date');
    return this.engine.purgeInstanceHistoryBy(filter);
  }

  raiseEvent(instanceId: string, eventName: string, eventData: unknown, options: TaskHubOptions = {}): Promise<void> {
    if (!eventName) throw new Error('eventName must be a valid string.');
    return this.goneIsDone(instanceId, () => this.hub(options).raiseEvent(instanceId, eventName, eventData));
  }

  terminate(instanceId: string, reason: string): Promise<void> {
    return this.goneIsDone(instanceId, () => this.engine.terminate(instanceId, reason));
  }

  suspend(instanceId: string, reason: string): Promise<void> {
    return this.goneIsDone(instanceId, () => this.engine.suspend(instanceId, reason));
  }

  resume(instanceId: string, reason: string): Promise<void> {
    return this.goneIsDone(instanceId, () => this.engine.resume(instanceId, reason));
  }

  async rewind(instanceId: string, reason: string, options: TaskHubOptions = {}): Promise<void> {
    try {
      await this.hub(options).rewind(instanceId, reason);
    } catch (error) {
      if (isDurableError(error, 'InstanceNotFound')) throw notFound(instanceId);
      if (isDurableError(error, 'InvalidState')) throw new Error('The rewind operation is only supported on failed orchestration instances.');
      throw error;
    }
  }

  /** Not in durable-functions 3.1.0; the later SDK's `restart(id, restartWithNewInstanceId = true)`. Resolves with the instance ID started. */
  restart(instanceId: string, restartWithNewInstanceId: boolean | { newInstanceId?: string } = true): Promise<string> {
    const newInstanceId = typeof restartWithNewInstanceId === 'object' ? (restartWithNewInstanceId.newInstanceId ?? true) : restartWithNewInstanceId;
    return this.engine.restart(instanceId, { newInstanceId });
  }

  createHttpManagementPayload(instanceId: string): HttpManagementPayload {
    return this.engine.createHttpManagementPayload(instanceId, this.request);
  }

  createCheckStatusResponse(request: { url?: string } | undefined, instanceId: string): HttpResponse {
    return HttpResponse.from(createCheckStatusResponse(this.engine, asRequest(request, this.request), instanceId));
  }

  async waitForCompletionOrCreateCheckStatusResponse(
    request: { url?: string } | undefined,
    instanceId: string,
    options: WaitForCompletionOptions = {},
  ): Promise<HttpResponse> {
    const response = await waitForCompletionOrCreateCheckStatusResponse(this.engine, asRequest(request, this.request), instanceId, {
      timeoutInMilliseconds: options.timeoutInMilliseconds,
      retryIntervalInMilliseconds: options.retryIntervalInMilliseconds,
    });
    return HttpResponse.from(response);
  }

  readEntityState(): never {
    throw entitiesNotSupported('client.readEntityState');
  }
  signalEntity(): never {
    throw entitiesNotSupported('client.signalEntity');
  }
  getEntities(): never {
    throw entitiesNotSupported('client.getEntities');
  }
  cleanEntityStorage(): never {
    throw entitiesNotSupported('client.cleanEntityStorage');
  }

  private hub(options: TaskHubOptions): EngineClient {
    return options.taskHubName ? this.engine.forTaskHub(options.taskHubName) : this.engine;
  }

  /** v3 resolves on HTTP 410 (the instance finished) and rejects on 404. */
  private async goneIsDone(instanceId: string, operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (isDurableError(error, 'InvalidState')) return;
      if (isDurableError(error, 'InstanceNotFound')) throw notFound(instanceId);
      throw error;
    }
  }

  private async allPages(query: { createdTimeFrom?: Date; createdTimeTo?: Date; runtimeStatus?: RuntimeStatus[] }): Promise<StatusPayload[]> {
    const all: StatusPayload[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.engine.listInstances({ ...query, continuationToken });
      for (const status of page.instances) all.push(toStatusPayload(status));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return all;
  }
}

export function entitiesNotSupported(what: string): InvalidArgumentError {
  return new InvalidArgumentError(`${what}: durable entities are not supported yet by edge-durable.`);
}
