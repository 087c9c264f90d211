/** The test Worker's main module: the Durable Object classes under test. */
import type { DurableApp } from '../../core/app.js';
import { TaskHubDurableObject } from '../../edge-worker/cloudflare/object.js';
import { registerSamples } from '../../samples/index.js';

/** Storage only. */
export class TaskHub extends TaskHubDurableObject {}

/** Runs the samples inside the object, woken by calls and by its alarm. */
export class SampleHub extends TaskHubDurableObject {
  protected override app(): DurableApp {
    return registerSamples();
  }
}

export default {
  async fetch(): Promise<Response> {
    return new Response('edge-durable test worker');
  },
};
