/** A Worker whose `TaskHub` class is a plain Durable Object, not the task-hub object: the mistake `example.test.ts` expects a clear answer to. */
import { DurableObject } from 'cloudflare:workers';
import { createWorker } from '../../edge-worker/cloudflare/create-worker.js';
import { registerSamples } from '../../samples/index.js';

export default createWorker(registerSamples());

export class TaskHub extends DurableObject {}
