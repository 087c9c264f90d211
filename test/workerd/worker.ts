/** The test Worker's main module: the Durable Object classes under test. */
import { DurableApp } from '../../core/app.js';
import type { OrchestrationContext } from '../../core/index.js';
import type { SqliteStorageLike } from '../../core/store/durable-object/sync.js';
import { TaskHubDurableObject } from '../../edge-worker/cloudflare/object.js';
import type { TaskHubNamespaceLike, TaskHubStub } from '../../edge-worker/cloudflare/remote.js';
import { registerSamples } from '../../samples/index.js';

/** Storage only. */
export class TaskHub extends TaskHubDurableObject {}

/** Storage only, in namespaces of their own for the 4- and 16-partition conformance runs (each namespace has its own hub registry). */
export class TaskHub4 extends TaskHubDurableObject {
  protected override binding(): string {
    return 'TASK_HUB_4';
  }
}
export class TaskHub16 extends TaskHubDurableObject {
  protected override binding(): string {
    return 'TASK_HUB_16';
  }
}

/** Runs the samples inside the object, woken by calls and by its alarm. */
export class SampleHub extends TaskHubDurableObject {
  protected override app(): DurableApp {
    return registerSamples();
  }
  protected override binding(): string {
    return 'SAMPLE_HUB';
  }
}

/**
 * Storage only, with deliveries between partitions that the test cuts: while the sender's key
 * `test/cut` is `before`, a delivery fails before it leaves; while it is `after`, the receiver
 * takes the transfers in but the acknowledgement is lost.
 */
export class LossyHub extends TaskHubDurableObject {
  protected override binding(): string {
    return 'LOSSY_HUB';
  }
  protected override peers(): TaskHubNamespaceLike<unknown> | undefined {
    const real = super.peers()!;
    const { kv } = this.ctx.storage as unknown as SqliteStorageLike;
    const cut = () => kv.get<string>('test/cut');
    return {
      idFromName: (name) => real.idFromName(name),
      get: (id): TaskHubStub => ({
        async invoke(hub, method, args) {
          if (method !== 'receiveTransfers') return real.get(id).invoke(hub, method, args);
          if (cut() === 'before') throw new Error('cut before delivery (test)');
          const result = await real.get(id).invoke(hub, method, args);
          if (cut() === 'after') throw new Error('acknowledgement lost (test)');
          return result;
        },
      }),
    };
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
