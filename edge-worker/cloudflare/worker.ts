/**
 * This repository's own Worker: the samples behind the HTTP API, task hubs in Durable Objects
 * (`createWorker` + `createTaskHub`; configuration in `env.ts`, bindings in `wrangler.toml`).
 * Deploy: `wrangler deploy --config edge-worker/cloudflare/wrangler.toml` (`npm run deploy`).
 * @module
 */
import { registerSamples } from '../../samples/index.js';
import { createWorker } from './create-worker.js';
import { createTaskHub } from './object.js';

const app = registerSamples();

export default createWorker(app);

/** A task hub: its storage and its engine, in one Durable Object. */
export const TaskHub = createTaskHub(app);
