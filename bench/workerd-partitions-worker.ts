/**
 * The Worker that `bench/workerd-partitions.mjs` runs in miniflare: a batch of orchestrations
 * of `steps` sequential x → x+1 activities, started and awaited concurrently from the Worker
 * through a hub of `partitions` partition objects (the engine runs in each partition).
 */
import { DurableApp } from '../core/app.js';
import { DurableClient } from '../core/client.js';
import type { OrchestrationContext } from '../core/orchestration/context.js';
import { createTaskHub } from '../edge-worker/cloudflare/object.js';
import { DurableObjectStorage, type TaskHubNamespaceLike } from '../edge-worker/cloudflare/remote.js';

function* chain(ctx: OrchestrationContext) {
  const steps = ctx.df.getInput() as number;
  let x = 0;
  for (let i = 0; i < steps; i++) x = yield ctx.df.callActivity('Increment', x);
  return x;
}

const app = new DurableApp().orchestration('Chain', chain).activity('Increment', (x: number) => x + 1);

export const PartitionedHub = createTaskHub(app, { binding: 'PARTITIONED_HUB' });

interface Env {
  PARTITIONED_HUB: TaskHubNamespaceLike<unknown>;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? 100);
    const steps = Number(url.searchParams.get('steps') ?? 3);
    const partitions = Number(url.searchParams.get('partitions') ?? 1);
    // One hub per partition count for the whole run, as a deployment keeps its hub.
    const hub = url.searchParams.get('hub') ?? `Bench${partitions}`;
    const client = new DurableClient({ storage: new DurableObjectStorage(env.PARTITIONED_HUB, { partitions }), taskHub: hub });
    await Promise.all(
      Array.from({ length: n }, async () => {
        const status = await client.startNewAndWait('Chain', { input: steps, timeoutInMilliseconds: 600_000 });
        if (status.output !== steps) throw new Error(`Chain returned ${JSON.stringify(status.output)}`);
      }),
    );
    return Response.json({ work: n * steps });
  },
};
