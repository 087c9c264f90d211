/**
 * `edge-durable/cloudflare`: run the engine on Cloudflare Workers.
 *
 *   import { createTaskHub, createWorker } from 'edge-durable/cloudflare';
 *   export default createWorker(app);          // the HTTP API, task hubs in Durable Objects
 *   export const TaskHub = createTaskHub(app); // the task-hub object, bound as TASK_HUB
 *
 * An Azure Functions app (durable-functions 3.x, imports aliased by the bundler):
 * `createAzureFunctionsWorker()` and `createAzureFunctionsTaskHub()` serve what its modules registered.
 * Also the stores on their own: `KvStorage` (Workers KV, one writer per hub) and
 * `DurableObjectStorage` (a Worker-side client of task-hub objects).
 * Loads only in workerd (or a bundle for it): the object class imports `cloudflare:workers`.
 * @module
 */

export { type KvNamespaceLike, KvStorage, type KvStorageOptions, KvWriterConflictError } from '../../core/store/kv/index.js';
export { type AzureFunctionsWorkerOptions, createAzureFunctionsTaskHub, createAzureFunctionsWorker } from '../azure/cloudflare.js';
export { type CloudflareWorkerOptions, createWorker, type DurableRoutes, type DurableWorker } from './create-worker.js';
export { DEFAULT_BINDING, type WorkerEnv } from './env.js';
export { createTaskHub, TaskHubDurableObject, type TaskHubOptions } from './object.js';
export type { PartitionSettings } from './partition-settings.js';
export { DurableObjectStorage, type TaskHubNamespaceLike } from './remote.js';
