/** The test Worker's main module: the Durable Object classes under test. */
import { DurableApp } from '../../core/app.js';
import type { OrchestrationContext } from '../../core/index.js';
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

/** One activity whose first delivery never finishes: its lease (5 min) is held until the object is reset. */
function* Stalled(context: OrchestrationContext) {
  const result: string = yield context.df.callActivity('Stall', null);
  return result;
}
const stallApp = new DurableApp()
  .orchestration('Stalled', Stalled)
  .activity('Stall', (_input: null, { deliveryCount }) => (deliveryCount === 1 ? new Promise<never>(() => undefined) : `delivered ${deliveryCount}`));

/** Runs `Stalled` inside the object. */
export class StallHub extends TaskHubDurableObject {
  protected override app(): DurableApp {
    return stallApp;
  }
}

export default {
  async fetch(): Promise<Response> {
    return new Response('edge-durable test worker');
  },
};
