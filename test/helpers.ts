import { type DurableApp, DurableClient, MemoryStorage, type Storage, type TaskHubStore, VirtualClock, Worker, type WorkerOptions } from '../core/index.js';
import { registerSamples } from '../samples/index.js';

export interface Harness {
  storage: Storage;
  client: DurableClient;
  /** The client's task hub, which the worker runs. */
  store: TaskHubStore;
  worker: Worker;
  clock: VirtualClock;
  app: DurableApp;
  /** Runs until nothing is due; with `timers`, also fires due timers by advancing the virtual clock. */
  settle(options?: { timers?: boolean }): Promise<void>;
}

/** An engine on the in-memory store with a virtual clock, driven step by step. */
export function harness(options: { app?: DurableApp; storage?: Storage; worker?: WorkerOptions } = {}): Harness {
  const storage = options.storage ?? new MemoryStorage();
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  const app = options.app ?? registerSamples();
  const client = new DurableClient({ storage, app, clock });
  const store = storage.taskHub(client.taskHubName);
  const worker = new Worker(app, store, {
    clock,
    onError: (e) => {
      throw e;
    },
    ...options.worker,
  });
  return {
    storage,
    client,
    store,
    worker,
    clock,
    app,
    async settle({ timers = false } = {}) {
      for (;;) {
        await worker.runUntilIdle();
        if (!timers) return;
        const next = await store.nextWakeTime();
        if (next === undefined) return;
        clock.advanceTo(Math.max(next, clock.now()));
      }
    },
  };
}
