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
 * Imports `cloudflare:workers`, so it loads only in workerd (as does `worker.ts`, which binds it);
 * the host, the RPC client and the store (`core/store/durable-object/`) run anywhere, tests included.
 * @module
 */
/// <reference path="./cloudflare-workers.d.ts" />
import { DurableObject } from 'cloudflare:workers';
import type { DurableApp } from '../../core/app.js';
import type { DurableObjectStorageLike } from '../../core/store/durable-object/tx.js';
import type { WorkerOptions } from '../../core/worker/index.js';
import { type AlarmStorageLike, TaskHubHost } from './host.js';
import type { WireResult } from './rpc-errors.js';

export type DurableObjectStateStorage = DurableObjectStorageLike & AlarmStorageLike;

export class TaskHubDurableObject<Env = unknown> extends DurableObject<Env> {
  protected readonly host: TaskHubHost;

  constructor(ctx: unknown, env: Env) {
    super(ctx, env);
    const app = this.app();
    this.host = new TaskHubHost(this.ctx.storage, { app, worker: this.workerOptions() });
  }

  /** The RPC entry point of `DurableObjectStorage`. */
  invoke(hub: string, method: string, args: unknown[]): Promise<WireResult> {
    return this.host.invoke(hub, method, args);
  }

  async alarm(): Promise<void> {
    await this.host.alarm();
  }

  /** The app whose orchestrations and activities this object runs; none by default (storage only). */
  protected app(): DurableApp | undefined {
    return undefined;
  }

  protected workerOptions(): WorkerOptions {
    return {};
  }
}
