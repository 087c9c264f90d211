/**
 * The Durable Object class that owns a task hub's writes: bind it (e.g. as `TASK_HUB`,
 * SQLite-backed), and give Workers `new DurableObjectStorage(env.TASK_HUB)`.
 *
 * Subclass it and override `app()` to run the engine inside the object (see `host.ts`):
 *
 *   export class TaskHub extends TaskHubDurableObject {
 *     protected override app() { return registerSamples(); }
 *   }
 *
 * Imports `cloudflare:workers`, so it loads only in workerd; everything else under
 * `durable-object/` is platform-neutral.
 * @module
 */
import { DurableObject } from 'cloudflare:workers';
import type { DurableApp } from '../../app.js';
import type { WorkerOptions } from '../../worker/index.js';
import { TaskHubHost, type AlarmStorageLike } from './host.js';
import type { DurableObjectStorageLike } from './tx.js';
import type { WireResult } from './wire.js';

export type DurableObjectStateStorage = DurableObjectStorageLike & AlarmStorageLike;

export class TaskHubDurableObject<Env = unknown> extends DurableObject<Env> {
  protected readonly host: TaskHubHost;

  constructor(ctx: unknown, env: Env) {
    super(ctx, env);
    const app = this.app();
    this.host = new TaskHubHost(this.ctx.storage, { ...(app ? { app } : {}), worker: this.workerOptions() });
  }

  /** The RPC entry point of `DurableObjectStorage`. */
  invoke(hub: string, method: string, args: unknown[]): Promise<WireResult> {
    return this.host.invoke(hub, method, args);
  }

  async alarm(): Promise<void> {
    await this.host.alarm();
  }

  /** The app whose orchestrations and activities this object runs; none by default (storage only). */
  protected app(): DurableApp | undefined { return undefined; }

  protected workerOptions(): WorkerOptions { return {}; }
}
