/**
 * The Durable Object class that owns a task hub's writes: bind it (e.g. as `TASK_HUB`,
 * SQLite-backed), and give Workers `new DurableObjectStorage(env.TASK_HUB)`.
 *
 * To run the engine inside the object (see `host.ts`), bind the class to the app that
 * `createWorker` serves, so that the object runs the orchestrations the Worker starts:
 *
 *   export const TaskHub = createTaskHub(app);
 *
 * or subclass it and override `app()` (and `workerOptions()`):
 *
 *   export class TaskHub extends TaskHubDurableObject {
 *     protected override app() { return app; }
 *   }
 *
 * Imports `cloudflare:workers`, so it loads only in workerd (as does `worker.ts`, which binds it);
 * the host and the RPC client (`host.ts`, `remote.ts`) and the store (`core/store/durable-object/`) run
 * anywhere, tests included.
 * @module
 */
/// <reference path="./cloudflare-workers.d.ts" />
import { DurableObject } from 'cloudflare:workers';
import type { DurableApp } from '../../core/app.js';
import type { DurableObjectStorageLike } from '../../core/store/durable-object/tx.js';
import type { WorkerOptions } from '../../core/worker/index.js';
import { DEFAULT_BINDING, namespaceFrom } from './env.js';
import { type AlarmStorageLike, TaskHubHost } from './host.js';
import type { TaskHubNamespaceLike } from './remote.js';
import type { WireResult } from './rpc-errors.js';

export type DurableObjectStateStorage = DurableObjectStorageLike & AlarmStorageLike;

export class TaskHubDurableObject<Env = unknown> extends DurableObject<Env> {
  protected readonly host: TaskHubHost;

  constructor(ctx: unknown, env: Env) {
    super(ctx, env);
    const app = this.app();
    this.host = new TaskHubHost(this.ctx.storage, { app, worker: this.workerOptions(), peers: this.peers() });
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

  /** The task-hub objects of this class, through which a partition reaches the others of its hub: the binding named by `binding()`. */
  protected peers(): TaskHubNamespaceLike<unknown> | undefined {
    const peers = namespaceFrom(this.env, this.binding());
    return typeof peers === 'string' ? undefined : peers;
  }

  /** The name this class is bound as (`createWorker`'s `binding`), for the partitions of a hub to reach each other. */
  protected binding(): string {
    return DEFAULT_BINDING;
  }
}

export interface TaskHubOptions {
  /** The engine's options inside each hub's object (concurrency, lock times, replay cache). */
  worker?: WorkerOptions;
  /** The name of this class's binding, as given to `createWorker`; default `TASK_HUB`. Partitioned hubs need it. */
  binding?: string;
}

/** The task-hub object class bound to `app`: export it under the class name of the binding (`export const TaskHub = createTaskHub(app)`). */
export function createTaskHub<Env = unknown>(app: DurableApp, options: TaskHubOptions = {}): typeof TaskHubDurableObject<Env> {
  return class TaskHub extends TaskHubDurableObject<Env> {
    protected override app(): DurableApp {
      return app;
    }
    protected override workerOptions(): WorkerOptions {
      return options.worker ?? {};
    }
    protected override binding(): string {
      return options.binding ?? DEFAULT_BINDING;
    }
  };
}
