/**
 * The local-store backend: a DurableClient on the store file. Nothing runs here: work is
 * queued in the store and a host running on the same store picks it up.
 * @module
 */
import { DurableClient } from '../core/client.js';
import type { Storage } from '../core/store/port.js';
import type { BundleBackend } from '../core/wire/bundle.js';
import { toHistoryPagePayload, toStatusPayload } from '../core/wire/payloads.js';
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
import { BackendError, toBackendError } from './errors.js';

export class StoreBackend implements Backend {
  readonly mode = 'store' as const;
  readonly client: DurableClient;
  readonly source: BundleSource;

  constructor(
    private readonly storage: Storage,
    readonly taskHub: string,
    readonly description: string,
    backend: BundleBackend = 'sqlite',
  ) {
    this.client = new DurableClient({ storage, taskHub });
    this.source = { taskHub, backend };
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toBackendError(error);
    }
  }

  startNew(name: string, input: unknown, instanceId?: string): Promise<Started> {
    return this.call(async () => ({ id: await this.client.startNew(name, { input, instanceId }) }));
  }

  getStatus(instanceId: string, options: { showInput?: boolean } = {}): Promise<StatusPayload | undefined> {
    return this.call(async () => {
      const status = await this.client.getStatus(instanceId, { showInput: options.showInput !== false });
      return status ? toStatusPayload(status) : undefined;
    });
  }

  getHistoryPage(instanceId: string, page: { from: number; top: number }): Promise<HistoryPagePayload> {
    return this.call(async () =>
      toHistoryPagePayload(await this.client.getHistoryPage(instanceId, page.from, page.top), page.from, page.top, { showHistoryOutput: true }),
    );
  }

  countInstances(filter: { createdTimeFrom?: string; createdTimeTo?: string }): Promise<InstanceCountsPayload> {
    return this.call(() => this.client.countInstances(filter));
  }

  listInstances(query: ListQuery): Promise<InstancePage> {
    return this.call(async () => {
      const page = await this.client.listInstances({
        ...filterOf(query),
        pageSize: query.top,
        continuationToken: query.continuationToken || undefined,
        showInput: query.showInput !== false,
      });
      return { instances: page.instances.map((s) => toStatusPayload(s)), continuationToken: page.continuationToken };
    });
  }

  raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void> {
    return this.call(() => this.client.raiseEvent(instanceId, eventName, eventData));
  }

  terminate(instanceId: string, reason?: string): Promise<void> {
    return this.call(() => this.client.terminate(instanceId, reason));
  }
  suspend(instanceId: string, reason?: string): Promise<void> {
    return this.call(() => this.client.suspend(instanceId, reason));
  }
  resume(instanceId: string, reason?: string): Promise<void> {
    return this.call(() => this.client.resume(instanceId, reason));
  }
  rewind(instanceId: string, reason?: string): Promise<void> {
    return this.call(() => this.client.rewind(instanceId, reason));
  }

  restart(instanceId: string, options: { newInstanceId: boolean }): Promise<string> {
    return this.call(() => this.client.restart(instanceId, { newInstanceId: options.newInstanceId }));
  }

  reset(instanceId: string, options: ResetRequest): Promise<string> {
    return this.call(() => this.client.reset(instanceId, options));
  }

  purgeInstance(instanceId: string): Promise<number> {
    return this.call(async () => (await this.client.purgeInstanceHistory(instanceId)).instancesDeleted);
  }

  purgeInstances(filter: InstanceFilter, onProgress?: (purged: number) => void): Promise<number> {
    return this.call(async () => (await this.client.purgeInstanceHistoryBy(filterOf(filter), { onProgress })).instancesDeleted);
  }

  deleteTaskHub(): Promise<boolean> {
    return this.call(() => this.client.deleteTaskHub());
  }
  listTaskHubs(): Promise<string[]> {
    return this.call(() => this.client.listTaskHubs());
  }

  async listOrchestrators(): Promise<string[]> {
    throw new BackendError('Unsupported', 'A local store does not know which orchestrators the app registers.');
  }

  async close(): Promise<void> {
    await this.storage.close?.();
  }
}

/** Empty values mean "no filter" (an empty status list would match nothing). */
function filterOf(filter: InstanceFilter): InstanceFilter {
  return {
    createdTimeFrom: filter.createdTimeFrom || undefined,
    createdTimeTo: filter.createdTimeTo || undefined,
    runtimeStatus: filter.runtimeStatus?.length ? filter.runtimeStatus : undefined,
    instanceIdPrefix: filter.instanceIdPrefix || undefined,
  };
}
