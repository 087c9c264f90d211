/**
 * The Worker of the workerd tests: test/azure/app's modules (they register), then the Worker
 * and the task-hub object that serve what they registered. Bundled with `durable-functions`,
 * `@azure/functions` and `edge-durable/cloudflare` aliased, as a user's wrangler `[alias]` does.
 */
import './app/approval.js';
import './app/counter.js';
import './app/hello.js';
import './app/retry.js';
import './app/starters.js';
import './app/suborchestration.js';
import './app/timer.js';
import { createAzureFunctionsTaskHub, createAzureFunctionsWorker } from 'edge-durable/cloudflare';

export default createAzureFunctionsWorker();
export const TaskHub = createAzureFunctionsTaskHub();
