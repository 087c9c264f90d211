/** Eager dispatch in the worker: chains run without the lease loop, limits hold, and stop() waits for them. */
import { describe, expect, it } from 'vitest';
import { DurableApp, DurableClient, MemoryStorage, type TaskHubStore, Worker, type WorkerOptions } from '../../core/index.js';
import { HELLO_HISTORY } from '../samples.case.js';

const chain = new DurableApp()
  .orchestration('Chain', function* (ctx) {
    let x = 0;
    for (let i = 0; i < ctx.df.getInput<number>(); i++) x = yield ctx.df.callActivity('Inc', x);
    return x;
  })
  .orchestration('Fan', function* (ctx) {
    const n = ctx.df.getInput<number>();
    const xs = (yield ctx.df.Task.all(Array.from({ length: n }, (_, i) => ctx.df.callActivity('Inc', i)))) as number[];
    return xs.reduce((a, b) => a + b, 0);
  })
  .activity('Inc', (x: number) => x + 1);

/** Counts the store's lease calls and the eager leases its answers carry. */
function counting(store: TaskHubStore) {
  const counts = { leaseCalls: 0, eagerActivities: 0, eagerEpisodes: 0, commits: 0, recordedDirectly: 0, completions: 0 };
  return {
    counts,
    store: new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'subscribe') return (value as () => unknown).bind(target);
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (String(prop).startsWith('lease')) counts.leaseCalls++;
          if (prop === 'commit') {
            const episodes = args[0] as { completesActivities?: unknown }[];
            counts.commits += episodes.length;
            episodes.forEach((e, i) => {
              if (e.completesActivities && (result as { ok: boolean }[])[i]!.ok) counts.recordedDirectly++;
            });
            for (const o of result as { ok: boolean; leasedActivities?: unknown[] }[]) counts.eagerActivities += o.ok ? (o.leasedActivities?.length ?? 0) : 0;
          }
          if (prop === 'completeActivities') {
            counts.completions += (args[0] as unknown[]).length;
            for (const o of result as { workItem?: unknown }[]) counts.eagerEpisodes += o.workItem ? 1 : 0;
          }
          return result;
        };
      },
    }) as TaskHubStore,
  };
}

/** A memory store, a client on `app`, and the counting view of the client's task hub. */
function counted(app: DurableApp) {
  const storage = new MemoryStorage();
  const client = new DurableClient({ storage, app });
  return { storage, client, ...counting(storage.taskHub(client.taskHubName)) };
}

/** Runs one instance of a `chain` orchestration to idle on a counted store. */
async function runCounted(name: 'Chain' | 'Fan', input: number, options?: WorkerOptions) {
  const { client, store, counts } = counted(chain);
  const worker = new Worker(chain, store, options);
  const id = await client.startNew(name, { input });
  await worker.runUntilIdle();
  return { client, id, counts, output: (await client.getStatus(id))?.output };
}

describe('eager dispatch', () => {
  it('runs a 100-step chain in 101 commits and a handful of lease calls: each step records its result and hands on the next', async () => {
    const { client, id, counts, output } = await runCounted('Chain', 100);
    expect(output).toBe(100);
    expect(counts.eagerActivities).toBe(100);
    // Each activity's result goes into its instance's next episode in one commit, not through the queue.
    expect(counts.recordedDirectly).toBe(100);
    expect(counts.commits).toBe(101);
    expect(counts.completions).toBe(0);
    // Without eager dispatch every step would take two lease calls (an episode and an activity).
    expect(counts.leaseCalls).toBeLessThan(10);
    // The history is the one a queued result makes (a chain's starts as HelloSequence's): the result opens the next episode.
    const history = (await client.getStatus(id, { showHistory: true }))!.history!;
    expect(history.slice(0, 7).map((e) => e.type)).toEqual(HELLO_HISTORY.slice(0, 7));
  });

  it('in strict mode (no replay cache) a result goes through the queue, and its completion leases the instance eagerly', async () => {
    const { counts, output } = await runCounted('Chain', 20, { replayCache: false });
    expect(output).toBe(20);
    expect(counts.recordedDirectly).toBe(0);
    expect(counts.completions).toBe(20);
    expect(counts.eagerEpisodes).toBe(20);
    expect(counts.leaseCalls).toBeLessThan(10);
  });

  it('takes the results of a fan-out together through the queue, not in an episode each', async () => {
    const { counts, output } = await runCounted('Fan', 50);
    expect(output).toBe((50 * 51) / 2);
    expect(counts.completions).toBeGreaterThanOrEqual(49);
    expect(counts.commits).toBeLessThan(10);
  });

  it('with every episode slot taken, a result waits for a slot to record directly, and the limit holds', async () => {
    const storage = new MemoryStorage();
    const client = new DurableClient({ storage, app: chain });
    // Commits that take a timer tick: episodes overlap, and the limit is what keeps them at 2.
    let committing = 0,
      most = 0;
    const hub = storage.taskHub(client.taskHubName);
    const commit = hub.commit.bind(hub);
    hub.commit = async (episodes) => {
      most = Math.max(most, (committing += episodes.length));
      await new Promise((r) => setTimeout(r, 1));
      try {
        return await commit(episodes);
      } finally {
        committing -= episodes.length;
      }
    };
    const { store, counts } = counting(hub);
    const worker = new Worker(chain, store, { maxConcurrentOrchestrations: 2 });
    const ids = await Promise.all(Array.from({ length: 20 }, () => client.startNew('Chain', { input: 3 })));
    await worker.runUntilIdle();
    for (const id of ids) expect((await client.getStatus(id))?.output).toBe(3);
    expect(most).toBe(2);
    expect(counts.recordedDirectly).toBe(60);
    expect(counts.completions).toBe(0);
  });

  it('never runs more activities at once than the limit, eager leases included', async () => {
    let running = 0,
      most = 0;
    const app = new DurableApp()
      .orchestration('Fan', function* (ctx) {
        // One step first: the fan-out then comes from that step's direct record, while no lease call of the worker's is out.
        yield ctx.df.callActivity('Slow', -1);
        return (yield ctx.df.Task.all(Array.from({ length: 40 }, (_, i) => ctx.df.callActivity('Slow', i)))) as number[];
      })
      .activity('Slow', async (x: number) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        return x;
      });
    const { client, store, counts } = counted(app);
    const worker = new Worker(app, store, { maxConcurrentActivities: 8 });
    const id = await client.startNew('Fan');
    await worker.runUntilIdle();
    expect((await client.getStatus(id))?.output).toHaveLength(40);
    expect(most).toBe(8);
    // The fan-out took 7 eagerly (the step before it still held a slot while recording its result);
    // the rest came from the queue as slots freed. (The first step was scheduled while the worker's
    // own lease call for activities was out, which holds the free slots: it came from the queue.)
    expect(counts.eagerActivities).toBe(7);
  });

  it('stop() returns only when eagerly dispatched work has finished, and nothing runs after it', async () => {
    // Activities that take a timer tick: chains are still running when stop() is called.
    const app = new DurableApp().orchestration('Chain', chain.getOrchestrator('Chain')!).activity('Inc', async (x: number) => {
      await new Promise((r) => setTimeout(r, 1));
      return x + 1;
    });
    const { storage, client, store, counts } = counted(app);
    const worker = new Worker(app, store);
    const ids = await Promise.all(Array.from({ length: 20 }, () => client.startNew('Chain', { input: 20 })));
    worker.start();
    await new Promise((r) => setTimeout(r, 10));
    await worker.stop();
    const after = counts.commits;
    expect(after).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(counts.commits).toBe(after);
    // What was left is still queued: a new worker finishes every chain.
    await new Worker(app, storage.taskHub(client.taskHubName)).runUntilIdle();
    for (const id of ids) expect((await client.getStatus(id))?.output).toBe(20);
  });

  it('fan-in results that land together go into one episode', async () => {
    const { counts, output } = await runCounted('Fan', 30);
    expect(output).toBe(465);
    // 30 results, far fewer episodes: completions are group-committed and leased once per call.
    expect(counts.commits).toBeLessThan(10);
  });

  it('takes an activity result returned as a value, a promise or another thenable, and a synchronous throw as a failure', async () => {
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise, as activities may return.
    const thenable = (x: number): PromiseLike<number> => ({ then: (resolve) => Promise.resolve(x + 1).then(resolve) });
    const app = new DurableApp()
      .orchestration('Mixed', function* (ctx) {
        const a = (yield ctx.df.callActivity('Plain', 1)) as number;
        const b = (yield ctx.df.callActivity('Async', a)) as number;
        const c = (yield ctx.df.callActivity('Thenable', b)) as number;
        try {
          yield ctx.df.callActivity('Throws', c);
        } catch (error) {
          return [c, (error as Error).message];
        }
        return [c, 'no failure'];
      })
      .activity('Plain', (x: number) => x + 1)
      .activity('Async', async (x: number) => x + 1)
      .activity('Thenable', (x: number) => thenable(x))
      .activity('Throws', () => {
        throw new Error('at once');
      });
    const { client, store, counts } = counted(app);
    const id = await client.startNew('Mixed');
    await new Worker(app, store).runUntilIdle();
    expect((await client.getStatus(id))?.output).toEqual([4, expect.stringContaining('at once')]);
    expect(counts.recordedDirectly).toBe(4);
  });
});
