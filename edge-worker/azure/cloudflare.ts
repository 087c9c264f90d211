/**
 * An Azure Functions app on Cloudflare Workers: the Worker serves its HTTP triggers under
 * `/api/` and the Durable Functions HTTP API, the task-hub object runs its orchestrations and
 * activities. The app's modules are imported first (they register), with the bundler mapping
 * `durable-functions` and `@azure/functions` to edge-durable's entries:
 *
 *   import './functions/hello.js';
 *   import { createAzureFunctionsTaskHub, createAzureFunctionsWorker } from 'edge-durable/cloudflare';
 *   export default createAzureFunctionsWorker();
 *   export const TaskHub = createAzureFunctionsTaskHub();
 * @module
 */
import { type CloudflareWorkerOptions, createWorker, type DurableWorker } from '../cloudflare/create-worker.js';
import { createTaskHub, type TaskHubDurableObject, type TaskHubOptions } from '../cloudflare/object.js';
import { serveHttpTriggers } from './http-triggers.js';
import { registry } from './registry.js';

export interface AzureFunctionsWorkerOptions extends Omit<CloudflareWorkerOptions, 'routes'> {
  /** The durable client's task hub. Default DurableFunctionsHub. */
  taskHub?: string;
}

export function createAzureFunctionsWorker(options: AzureFunctionsWorkerOptions = {}): DurableWorker {
  const { taskHub, ...worker } = options;
  return createWorker(registry().durableApp, { ...worker, routes: (hono, durable) => serveHttpTriggers(hono, durable, { taskHub }) });
}

export function createAzureFunctionsTaskHub<Env = unknown>(options: TaskHubOptions = {}): typeof TaskHubDurableObject<Env> {
  return createTaskHub<Env>(registry().durableApp, options);
}
