/**
 * The management client: every instance-management operation of Durable Functions, with
 * its semantics (see shared/reference/manage-instances.md). Control operations are queued
 * as messages and take effect at the instance's next episode; operations in the wrong
 * state raise a typed error instead of being silently dropped.
 * @module
 */
import type { DurableApp } from './app.js';
import { type Clock, isoTime, systemClock } from './clock.js';
import { InstanceNotFoundError, InvalidArgumentError, InvalidStateError, TimeoutError, UnknownOrchestratorError } from './errors.js';
import { event, type HistoryEvent, isTerminal, RUNTIME_STATUSES, type RuntimeStatus, TERMINAL_STATUSES } from './history.js';
import { randomId } from './ids.js';
import { serialize } from './json.js';
import { DEFAULT_TASK_HUB, validateInstanceId, validateName, validateTaskHubName } from './limits.js';
import { resetPositionValid } from './orchestration/reset.js';
import { type OrchestrationStatus, type StatusOptions, toStatus } from './status.js';
import { checkHistoryPage, DEFAULT_HISTORY_PAGE, historyPage } from './store/history-page.js';
import type {
  HistoryPage,
  InstanceCounts,
  InstanceQuery,
  InstanceRecord,
  NewInstance,
  OrchestrationMessage,
  PurgeFilter,
  PurgeOptions,
  Storage,
  TaskHubStore,
} from './store/port.js';
import { createHttpManagementPayload, type HttpManagementPayload } from './wire/management.js';
import { acceptedStatuses, accepts, type InstanceOperation } from './wire/status.js';

/** Every status but Pending: what waitForInstanceStart waits for. */
const STARTED = RUNTIME_STATUSES.filter((s) => s !== 'Pending');

export interface ClientOptions {
  storage: Storage;
  taskHub?: string;
  /** When given, `startNew` rejects orchestrator names the app does not register. */
  app?: Pick<DurableApp, 'getOrchestrator' | 'orchestratorNames'>;
  clock?: Clock;
  /** Base URL of the HTTP API for management URLs. Default `http://127.0.0.1:7071`. */
  baseUrl?: string;
  /** Key to put in management URLs (`code=`); none by default. */
  managementKey?: string;
  maxPayloadBytes?: number;
  /** Source of instance, execution and message IDs; inject a deterministic one for reproducible histories. */
  newId?: () => string;
}

export interface StartOptions {
  input?: unknown;
  /** Random when absent. */
  instanceId?: string;
}

export interface ListOptions extends Omit<InstanceQuery, 'createdTimeFrom' | 'createdTimeTo'> {
  createdTimeFrom?: Date | string;
  createdTimeTo?: Date | string;
  showInput?: boolean;
}

export interface InstanceList {
  instances: OrchestrationStatus[];
  continuationToken?: string;
}

export interface PurgeHistoryResult {
  instancesDeleted: number;
}

/** `DurableClient.reset`: where to take the instance back to, and where it continues. */
export interface ResetOptions {
  /**
   * The row to keep up to and including: its 1-based position in the instance's history as
   * `getHistory` returns it. Every row is valid; see `DurableClient.reset` for what each keeps.
   */
  eventId: number;
  /** Fork: continue in a new instance with this ID (the start rules apply), leaving the original untouched. */
  newInstanceId?: string;
  reason?: string;
  /** Deliver the events raised after the row again (default true). */
  reapplyEvents?: boolean;
}

export interface WaitOptions {
  /** Default 10 s (as Durable Functions). */
  timeoutInMilliseconds?: number;
  /** Polling interval when the store cannot notify. Default 1 s. */
  retryIntervalInMilliseconds?: number;
}

const time = (value: Date | string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`'${String(value)}' is not a valid date-time.`);
  return date.toISOString();
};

export class DurableClient {
  readonly taskHubName: string;
  private readonly store: TaskHubStore;
  private readonly storage: Storage;
  private readonly clock: Clock;
  private readonly newId: () => string;
  private readonly watchers = new Map<string, Set<(status: RuntimeStatus) => void>>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: ClientOptions) {
    this.storage = options.storage;
    this.taskHubName = validateTaskHubName(options.taskHub ?? DEFAULT_TASK_HUB);
    this.store = options.storage.taskHub(this.taskHubName);
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? randomId;
  }

  /** A client for another task hub on the same storage. */
  forTaskHub(taskHub: string): DurableClient {
    return new DurableClient({ ...this.options, taskHub });
  }

  // ---- start and query ----

  async startNew(orchestratorName: string, options: StartOptions = {}): Promise<string> {
    const instance = this.newInstance(orchestratorName, options);
    await this.store.createInstance(instance);
    return instance.record.instanceId;
  }

  /**
   * Starts an orchestration and waits until it is Completed, Failed or Terminated: `startNew`
   * then `waitForCompletion`, for callers that want the result (as Temporal's
   * `client.workflow.execute`). A store that can starts and waits in one round trip (a task hub
   * in a Durable Object, via RPC), where the two calls take two. Throws what `startNew` throws;
   * on timeout a `TimeoutError` naming the instance, which runs on (`waitForCompletion` waits
   * again; pass `instanceId` to know it beforehand).
   */
  async startNewAndWait(orchestratorName: string, options: StartOptions & WaitOptions = {}): Promise<OrchestrationStatus> {
    const instance = this.newInstance(orchestratorName, options);
    const { instanceId } = instance.record;
    const store = this.store;
    if (!store.createInstanceAndWait || !store.waitForInstance) {
      await store.createInstance(instance);
      return this.waitForCompletion(instanceId, options);
    }
    return this.waitFor(instanceId, TERMINAL_STATUSES, options, 'complete', (timeoutMs) =>
      store.createInstanceAndWait!(instance, TERMINAL_STATUSES, timeoutMs),
    );
  }

  /** The instance's status, or null if there is no such instance. */
  async getStatus(instanceId: string, options: StatusOptions = {}): Promise<OrchestrationStatus | null> {
    validateInstanceId(instanceId);
    const record = await this.store.getInstance(instanceId);
    if (!record) return null;
    const history = options.showHistory && record.runtimeStatus !== 'Pending' ? await this.store.getHistory(instanceId) : undefined;
    return toStatus(record, options, history);
  }

  /**
   * The stored record, its payloads still JSON text, or undefined if there is no such instance:
   * for callers that pass the payloads on without parsing them (the HTTP status route).
   */
  async getInstanceRecord(instanceId: string): Promise<InstanceRecord | undefined> {
    validateInstanceId(instanceId);
    return this.store.getInstance(instanceId);
  }

  async listInstances(options: ListOptions = {}): Promise<InstanceList> {
    const { showInput, createdTimeFrom, createdTimeTo, ...rest } = options;
    const from = time(createdTimeFrom);
    const to = time(createdTimeTo);
    const page = await this.store.queryInstances({ ...rest, createdTimeFrom: from, createdTimeTo: to });
    return {
      instances: page.instances.map((r) => toStatus(r, { showInput: showInput !== false })),
      continuationToken: page.continuationToken,
    };
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    await this.require(instanceId);
    return this.store.getHistory(instanceId);
  }

  /** Rows `from` (0-based) to `from + top - 1` of the instance's history, and its length; `InstanceNotFoundError` if there is no such instance. */
  async getHistoryPage(instanceId: string, from = 0, top = DEFAULT_HISTORY_PAGE): Promise<HistoryPage> {
    checkHistoryPage(from, top);
    await this.require(instanceId);
    return historyPage(this.store, instanceId, from, top);
  }

  /** How many instances are in each runtime status (all seven keys), created in the range if one is given. */
  async countInstances(filter: { createdTimeFrom?: Date | string; createdTimeTo?: Date | string } = {}): Promise<InstanceCounts> {
    return this.store.countInstances({ createdTimeFrom: time(filter.createdTimeFrom), createdTimeTo: time(filter.createdTimeTo) });
  }

  /** Waits until the instance has left Pending; returns its status. */
  async waitForInstanceStart(instanceId: string, options: WaitOptions = {}): Promise<OrchestrationStatus> {
    return this.waitFor(instanceId, STARTED, options, 'start');
  }

  /** Waits until the instance is Completed, Failed or Terminated; returns its status. */
  async waitForCompletion(instanceId: string, options: WaitOptions = {}): Promise<OrchestrationStatus> {
    return this.waitFor(instanceId, TERMINAL_STATUSES, options, 'complete');
  }

  // ---- control ----

  /** Queues termination; it takes effect at the instance's next episode. */
  async terminate(instanceId: string, reason?: string, options: { recursive?: boolean } = {}): Promise<void> {
    const record = await this.requireAccepting(instanceId, 'terminate', 'terminate');
    const input = serialize('Termination reason', reason);
    await this.send(record, event('ExecutionTerminated', this.nowIso(), { input, recurse: options.recursive || undefined }));
  }

  async suspend(instanceId: string, reason?: string): Promise<void> {
    const record = await this.requireAccepting(instanceId, 'suspend', 'suspend');
    await this.send(record, event('ExecutionSuspended', this.nowIso(), { reason }));
  }

  async resume(instanceId: string, reason?: string): Promise<void> {
    const record = await this.requireAccepting(instanceId, 'resume', 'resume');
    await this.send(record, event('ExecutionResumed', this.nowIso(), { reason }));
  }

  /**
   * Sends an event. It is buffered until the orchestrator waits for it. There is no queue
   * for an instance that does not exist or has finished: those raise an error (the event is discarded).
   */
  async raiseEvent(instanceId: string, eventName: string, eventData?: unknown): Promise<void> {
    validateName('Event', eventName);
    const input = serialize('Event data', eventData, this.options.maxPayloadBytes);
    const record = await this.requireAccepting(instanceId, 'raiseEvent', 'raise an event to');
    await this.send(record, event('EventRaised', this.nowIso(), { name: eventName, input }));
  }

  /** Re-runs the failed activities and sub-orchestrations of a Failed instance, keeping what succeeded. */
  async rewind(instanceId: string, reason?: string): Promise<void> {
    const record = await this.requireAccepting(instanceId, 'rewind', 'rewind');
    await this.send(record, event('ExecutionRewound', this.nowIso(), { reason }));
  }

  /**
   * Takes the instance back to a row of its history (beyond Durable Functions; as Temporal's
   * reset, DBOS's fork): the rows up to and including it are kept, the rest dropped, and the
   * orchestrator runs on from there under a new execution ID. Every row from 1 to the last is
   * a valid point; episodes stay whole, as Temporal resets to a workflow-task boundary:
   * - a row before the ExecutionStarted keeps the ExecutionStarted: the orchestrator runs from its start;
   * - a row inside an episode keeps that episode up to the row, closed there: the results and
   *   events up to the row stay, and the code's decisions after it are made again;
   * - an OrchestratorStarted keeps the episodes before it;
   * - the ExecutionCompleted row or a later one keeps the rows just before the completion (and
   *   before the termination that caused it, if any): the last episode runs again, with the code
   *   deployed now (a failure fixed since completes).
   * Activities and timers after the kept rows run again (timers after the delay they had,
   * counted from then); events raised after them are delivered again unless `reapplyEvents` is
   * false. A sub-orchestration still running that the code creates again (same instance ID,
   * name, input and step) is adopted, not started twice: its result reaches the new execution.
   * With `newInstanceId`, a new instance continues and the original is left as it is (its
   * sub-orchestration IDs are the source's: a running child of the source makes the fork's
   * creation of it fail, a finished one is replaced by the fork's). Queued like the other
   * operations: a running instance is reset at its next episode. Work the old execution had
   * queued or running (activities, timers) still runs; its results are ignored. Returns the ID
   * of the instance that continues.
   */
  async reset(instanceId: string, options: ResetOptions): Promise<string> {
    const { eventId, newInstanceId, reason, reapplyEvents } = options ?? ({} as Partial<ResetOptions>);
    const record = await this.requireAccepting(instanceId, 'reset', 'reset');
    if (reapplyEvents !== undefined && typeof reapplyEvents !== 'boolean') throw new InvalidArgumentError('reapplyEvents must be true or false.');
    if (reason !== undefined && typeof reason !== 'string') throw new InvalidArgumentError('reason must be a string.');
    const rows = (await this.store.getHistory(instanceId)).length;
    if (rows === 0)
      throw new InvalidArgumentError(`Instance '${instanceId}' has no history rows yet (it is ${record.runtimeStatus}); wait for its first episode.`);
    if (typeof eventId !== 'number' || !resetPositionValid(eventId, rows)) {
      throw new InvalidArgumentError(
        `eventId must be the 1-based position of a row of instance '${instanceId}''s history, an integer from 1 to ${rows}; got ${JSON.stringify(eventId) ?? 'none'}.`,
      );
    }
    const now = this.nowIso();
    const order = event('ExecutionReset', now, { position: eventId, reason, reapplyEvents: reapplyEvents === false ? false : undefined });
    if (newInstanceId === undefined || newInstanceId === instanceId) {
      await this.store.enqueueMessages([{ id: this.newId(), instanceId, executionId: record.executionId, event: order, visibleAt: now }]);
      return instanceId;
    }
    validateInstanceId(newInstanceId);
    const executionId = this.newId();
    order.source = { instanceId, executionId: record.executionId };
    await this.store.createInstance({
      record: {
        instanceId: newInstanceId,
        name: record.name,
        executionId,
        runtimeStatus: 'Pending',
        input: record.input,
        createdTime: now,
        lastUpdatedTime: now,
      },
      start: { id: this.newId(), instanceId: newInstanceId, executionId, visibleAt: now, event: order },
    });
    return newInstanceId;
  }

  /**
   * Starts the instance's orchestrator again with its original input. By default under a
   * new random ID; `newInstanceId: false` reuses the ID (the instance must have finished);
   * a string picks the new ID.
   */
  async restart(instanceId: string, options: { newInstanceId?: boolean | string } = {}): Promise<string> {
    const record = await this.require(instanceId);
    const reuse = options.newInstanceId === false;
    if (reuse && !isTerminal(record.runtimeStatus))
      throw new InvalidStateError(instanceId, 'restart under the same ID', record.runtimeStatus, TERMINAL_STATUSES);
    const target = reuse ? instanceId : typeof options.newInstanceId === 'string' ? options.newInstanceId : undefined;
    return this.startNew(record.name, {
      input: record.input === undefined ? undefined : (JSON.parse(record.input) as unknown),
      instanceId: target,
    });
  }

  // ---- clean-up ----

  /** Deletes a Completed, Failed or Terminated instance with its history. */
  async purgeInstanceHistory(instanceId: string): Promise<PurgeHistoryResult> {
    await this.requireAccepting(instanceId, 'purge', 'purge');
    const deleted = await this.store.purgeInstance(instanceId, acceptedStatuses('purge'));
    // Zero means it changed status in between; say so rather than report success.
    if (deleted === 0)
      throw new InvalidStateError(instanceId, 'purge', (await this.store.getInstance(instanceId))?.runtimeStatus ?? 'gone', acceptedStatuses('purge'));
    return { instancesDeleted: deleted };
  }

  /** Deletes the terminal instances matching the filter (by default all three terminal statuses). */
  async purgeInstanceHistoryBy(
    filter: { createdTimeFrom?: Date | string; createdTimeTo?: Date | string; runtimeStatus?: readonly RuntimeStatus[] } = {},
    options: PurgeOptions = {},
  ): Promise<PurgeHistoryResult> {
    const from = time(filter.createdTimeFrom);
    const to = time(filter.createdTimeTo);
    const purge: PurgeFilter = { createdTimeFrom: from, createdTimeTo: to, runtimeStatus: filter.runtimeStatus };
    return { instancesDeleted: await this.store.purgeInstances(purge, options) };
  }

  async listTaskHubs(): Promise<string[]> {
    return this.storage.listTaskHubs();
  }

  /** Deletes a task hub (this client's by default) with everything in it. */
  async deleteTaskHub(taskHub: string = this.taskHubName): Promise<boolean> {
    return this.storage.deleteTaskHub(validateTaskHubName(taskHub));
  }

  // ---- management URLs (the HTTP layer builds the responses: edge-worker/check-status.ts) ----

  createHttpManagementPayload(instanceId: string, request?: Request): HttpManagementPayload {
    validateInstanceId(instanceId);
    return createHttpManagementPayload(instanceId, {
      baseUrl: request ? new URL(request.url).origin : (this.options.baseUrl ?? 'http://127.0.0.1:7071'),
      taskHub: this.taskHubName,
      code: this.options.managementKey,
    });
  }

  // ---- internals ----

  private nowIso(): string {
    return isoTime(this.clock.now());
  }

  /** A new instance with its start message; checks the name, ID and input. */
  private newInstance(orchestratorName: string, options: StartOptions): NewInstance {
    validateName('Orchestrator', orchestratorName);
    const app = this.options.app;
    if (app && !app.getOrchestrator(orchestratorName)) throw new UnknownOrchestratorError(orchestratorName, app.orchestratorNames);
    const instanceId = options.instanceId === undefined ? this.newId() : validateInstanceId(options.instanceId);
    const input = serialize('Orchestration input', options.input, this.options.maxPayloadBytes);
    const now = isoTime(this.clock.now());
    const executionId = this.newId();
    return {
      record: { instanceId, name: orchestratorName, executionId, runtimeStatus: 'Pending', input, createdTime: now, lastUpdatedTime: now },
      start: {
        id: this.newId(),
        instanceId,
        executionId,
        visibleAt: now,
        event: event('ExecutionStarted', now, { name: orchestratorName, input, orchestrationInstance: { instanceId, executionId } }),
      },
    };
  }

  private async require(instanceId: string): Promise<InstanceRecord> {
    validateInstanceId(instanceId);
    const record = await this.store.getInstance(instanceId);
    if (!record) throw new InstanceNotFoundError(instanceId);
    return record;
  }

  /** The instance, if the operation x status matrix (wire/status.ts) accepts `operation` on its status. */
  private async requireAccepting(instanceId: string, operation: InstanceOperation, verb: string): Promise<InstanceRecord> {
    const record = await this.require(instanceId);
    if (!accepts(operation, record.runtimeStatus)) throw new InvalidStateError(instanceId, verb, record.runtimeStatus, acceptedStatuses(operation));
    return record;
  }

  private async send(record: InstanceRecord, e: HistoryEvent): Promise<void> {
    const message: OrchestrationMessage = { id: this.newId(), instanceId: record.instanceId, event: e, visibleAt: e.timestamp };
    await this.store.enqueueMessages([message]);
  }

  /** `firstWait`, for a store that waits: what to call for the first wait instead of `waitForInstance` (see `startNewAndWait`). */
  private async waitFor(
    instanceId: string,
    statuses: readonly RuntimeStatus[],
    options: WaitOptions,
    what: string,
    firstWait?: (timeoutMs: number) => Promise<InstanceRecord | undefined>,
  ): Promise<OrchestrationStatus> {
    validateInstanceId(instanceId);
    const timeout = options.timeoutInMilliseconds ?? 10_000;
    const interval = options.retryIntervalInMilliseconds ?? 1000;
    const deadline = this.clock.now() + timeout;
    const done = (status: RuntimeStatus) => statuses.includes(status);
    const late = (record: InstanceRecord) => new TimeoutError(`Instance '${instanceId}' did not ${what} within ${timeout} ms; it is ${record.runtimeStatus}.`);
    const store = this.store;
    if (store.waitForInstance) {
      // The store waits (a remote one: one round trip per wait, not a read plus a notification per change).
      const wait = (timeoutMs: number) => store.waitForInstance!(instanceId, statuses, timeoutMs);
      for (let next = firstWait ?? wait; ; next = wait) {
        const record = await next(Math.max(0, deadline - this.clock.now()));
        if (!record) throw new InstanceNotFoundError(instanceId);
        if (done(record.runtimeStatus)) return toStatus(record);
        if (deadline - this.clock.now() <= 0) throw late(record);
      }
    }
    // A change seen while the row is being read counts too: `changed` holds it until the next look.
    let changed = false;
    let wake: (() => void) | undefined;
    const stopWatching = this.watch(instanceId, (status) => {
      if (done(status)) {
        changed = true;
        wake?.();
      }
    });
    try {
      for (;;) {
        const record = await this.store.getInstance(instanceId);
        if (!record) throw new InstanceNotFoundError(instanceId);
        if (done(record.runtimeStatus)) return toStatus(record);
        const left = deadline - this.clock.now();
        if (left <= 0) throw late(record);
        if (!changed) {
          await new Promise<void>((resolve) => {
            const cancel = this.clock.setTimer(Math.min(interval, left), resolve);
            wake = () => {
              cancel();
              resolve();
            };
          });
        }
        changed = false;
        wake = undefined;
      }
    } finally {
      stopWatching();
    }
  }

  /** One store subscription per client, fanned out by instance: waiting costs O(1) per change. */
  private watch(instanceId: string, listener: (status: RuntimeStatus) => void): () => void {
    if (!this.store.subscribe) return () => undefined;
    let listeners = this.watchers.get(instanceId);
    if (!listeners) {
      listeners = new Set();
      this.watchers.set(instanceId, listeners);
    }
    listeners.add(listener);
    this.unsubscribe ??= this.store.subscribe((n) => {
      if (n.kind === 'instance') for (const l of this.watchers.get(n.instanceId) ?? []) l(n.runtimeStatus);
    });
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.watchers.delete(instanceId);
      if (this.watchers.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
      }
    };
  }
}
