/**
 * The Worker that `bench/workerd.mjs` bundles and runs in miniflare: the same workload
 * (orchestrations of `steps` sequential x → x+1 steps) on our engine in a Durable Object
 * and on Cloudflare Workflows. Each route runs one batch and answers when it is done;
 * the caller measures wall time (inside workerd, clocks only move on I/O).
 */
import { DurableObject, WorkflowEntrypoint } from 'cloudflare:workers';
import { DurableApp } from '../core/app.js';
import { DurableClient } from '../core/client.js';
import { event } from '../core/history.js';
import { randomId } from '../core/ids.js';
import type { OrchestrationContext } from '../core/orchestration/context.js';
import type { Storage, TaskHubStore } from '../core/store/port.js';
import { Worker } from '../core/worker/index.js';
import { TaskHubHost } from '../edge-worker/cloudflare/host.js';
import { TaskHubDurableObject } from '../edge-worker/cloudflare/object.js';
import { DurableObjectStorage, type TaskHubNamespaceLike } from '../edge-worker/cloudflare/remote.js';

function* chain(ctx: OrchestrationContext) {
  const steps = ctx.df.getInput() as number;
  let x = 0;
  for (let i = 0; i < steps; i++) x = yield ctx.df.callActivity('Increment', x);
  return x;
}

const benchApp = () => new DurableApp().orchestration('Chain', chain).activity('Increment', (x: number) => x + 1);

interface Env {
  ENGINE_HUB: TaskHubNamespaceLike<unknown>;
  INSIDE_HUB: { idFromName(name: string): unknown; get(id: unknown): InsideHub };
  WORKFLOW: {
    create(options: { params: unknown }): Promise<{ status(): Promise<{ status: string; output?: unknown; error?: unknown }>; [Symbol.dispose]?(): void }>;
  };
}

/** Our engine hosted in the object, driven by RPC calls and its alarm: the deployment shape. */
export class EngineHub extends TaskHubDurableObject {
  protected override app(): DurableApp {
    return benchApp();
  }
}

/** Storage only, plus in-object runs that leave out the RPC hop between Worker and object. */
export class InsideHub extends DurableObject<Env> {
  private readonly host = new TaskHubHost((this.ctx as unknown as { storage: ConstructorParameters<typeof TaskHubHost>[0] }).storage);

  /** The engine with a client in the same object: waits are notified, not polled. */
  async runEngine(n: number, steps: number, mode: string): Promise<number> {
    const store = await this.host.hub('Bench');
    const client = new DurableClient({ storage: single(store), taskHub: 'Bench' });
    const app = benchApp();
    const worker = new Worker(app, store, { onError: (e) => console.error(e) });
    worker.start();
    try {
      const one = async () => {
        const status = await client.startNewAndWait('Chain', { input: steps, timeoutInMilliseconds: 600_000 });
        if (status.output !== steps) throw new Error(`Chain returned ${JSON.stringify(status.output)}`);
      };
      if (mode === 'serial') for (let i = 0; i < n; i++) await one();
      else await Promise.all(Array.from({ length: n }, one));
    } finally {
      await worker.stop();
    }
    return n * steps;
  }

  /** The port alone: per step, lease → commit (schedules an activity) → lease activity → complete. Returns commits made. */
  async portLoop(n: number, steps: number): Promise<number> {
    const store = await this.host.hub('Port');
    const now = () => Date.now();
    const t = new Date().toISOString();
    for (let i = 0; i < n; i++) {
      const instanceId = `p${i}`;
      await store.createInstance({
        record: { instanceId, name: 'Chain', executionId: `e${i}`, runtimeStatus: 'Pending', createdTime: t, lastUpdatedTime: t },
        start: {
          id: randomId(),
          instanceId,
          event: event('ExecutionStarted', t, { name: 'Chain', orchestrationInstance: { instanceId, executionId: `e${i}` } }),
          visibleAt: t,
        },
      });
    }
    let commits = 0;
    for (;;) {
      const item = await store.leaseOrchestration(now(), 30_000);
      if (!item) {
        const leased = await store.leaseActivity(now(), 30_000);
        if (!leased) return commits;
        const result = event('TaskCompleted', t, { taskScheduledId: leased.item.taskScheduledId, result: '1' });
        await store.completeActivities([
          { leased, result: { id: randomId(), instanceId: leased.item.instanceId, executionId: leased.item.executionId, event: result, visibleAt: t } },
        ]);
        continue;
      }
      const record = (await store.getInstance(item.instanceId))!;
      const done =
        (await store.getHistory(item.instanceId)).filter((e) => e.type === 'TaskCompleted').length +
        item.messages.filter((m) => m.event.type === 'TaskCompleted').length;
      const { version: _v, ...row } = record;
      const finished = done >= steps;
      await store.commit([
        {
          instanceId: item.instanceId,
          expectedVersion: record.version,
          lease: item.lease,
          instance: { ...row, runtimeStatus: finished ? 'Completed' : 'Running', lastUpdatedTime: t },
          history: {
            append: [
              event('OrchestratorStarted', t, {}),
              ...item.messages.map((m) => m.event),
              ...(finished ? [] : [event('TaskScheduled', t, { name: 'Increment' }, done)]),
            ],
          },
          consumedMessageIds: item.messages.map((m) => m.id),
          messages: [],
          newInstances: [],
          activities: finished
            ? []
            : [{ id: randomId(), instanceId: item.instanceId, executionId: record.executionId, taskScheduledId: done, name: 'Increment', enqueuedTime: t }],
        },
      ]);
      commits++;
    }
  }
}

/** Three durable steps, x → x+1 each. */
export class ThreeSteps extends WorkflowEntrypoint<Env, { x: number }> {
  async run(event: { payload: { x: number } }, step: { do<T>(name: string, fn: () => Promise<T>): Promise<T> }): Promise<number> {
    let x = event.payload.x;
    for (const name of ['one', 'two', 'three']) x = await step.do(name, async () => x + 1);
    return x;
  }
}

function single(store: TaskHubStore): Storage {
  return { taskHub: () => store, listTaskHubs: async () => [store.taskHub], deleteTaskHub: async () => false };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runBatch(n: number, mode: string, one: () => Promise<void>): Promise<void> {
  if (mode === 'serial') for (let i = 0; i < n; i++) await one();
  else await Promise.all(Array.from({ length: n }, one));
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? 100);
    const steps = Number(url.searchParams.get('steps') ?? 3);
    const mode = url.searchParams.get('mode') ?? 'serial';
    // The task hub lives across batches, as a deployment's does ('hub'); without one, a fresh one.
    const run = url.searchParams.get('hub') ?? randomId();
    let work = n * steps;
    switch (url.pathname) {
      case '/engine': {
        // Worker-side client, engine in the object, over RPC.
        const ns = env.ENGINE_HUB;
        const storage = new DurableObjectStorage({ idFromName: (name) => ns.idFromName(`${run}/${name}`), get: (id) => ns.get(id) });
        const client = new DurableClient({ storage, taskHub: 'Bench' });
        await runBatch(n, mode, async () => {
          const status = await client.startNewAndWait('Chain', { input: steps, timeoutInMilliseconds: 600_000 });
          if (status.output !== steps) throw new Error(`Chain returned ${JSON.stringify(status.output)}`);
        });
        break;
      }
      case '/inside':
        work = await env.INSIDE_HUB.get(env.INSIDE_HUB.idFromName(run)).runEngine(n, steps, mode);
        break;
      case '/port':
        work = await env.INSIDE_HUB.get(env.INSIDE_HUB.idFromName(run)).portLoop(n, steps);
        break;
      case '/workflows':
        await runBatch(n, mode, async () => {
          const instance = await env.WORKFLOW.create({ params: { x: 0 } });
          try {
            for (;;) {
              const s = await instance.status();
              if (s.status === 'complete') {
                if (s.output !== 3) throw new Error(`workflow returned ${JSON.stringify(s.output)}`);
                return;
              }
              if (s.status === 'errored' || s.status === 'terminated') throw new Error(`workflow ${s.status}: ${JSON.stringify(s.error)}`);
              await sleep(5);
            }
          } finally {
            instance[Symbol.dispose]?.(); // an RPC stub: release it now, not at GC
          }
        });
        work = n * 3;
        break;
      default:
        return new Response('not found', { status: 404 });
    }
    return Response.json({ work });
  },
};
