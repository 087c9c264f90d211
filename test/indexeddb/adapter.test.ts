/** What the IndexedDB adapter promises beyond the port's conformance suite. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { event } from '../../core/history.js';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import type { EpisodeCommit, InstanceRecord, OrchestrationMessage } from '../../core/store/port.js';
import { iso, pendingInstance, T0 } from './fixtures.js';

let n = 0;
const open = (factory = new IDBFactory()) => IndexedDbStorage.open(`adapter-${++n}`, { indexedDB: factory });

const newInstance = (instanceId: string) => pendingInstance(instanceId, 'A');
const raised = (instanceId: string, id: string, visibleAt: number): OrchestrationMessage => ({
  id,
  instanceId,
  event: event('EventRaised', iso(T0), { name: id }),
  visibleAt: iso(visibleAt),
});

function episode(record: InstanceRecord, consumed: string[]): EpisodeCommit {
  const { version: _v, ...row } = record;
  return {
    instanceId: record.instanceId,
    expectedVersion: record.version,
    instance: { ...row, runtimeStatus: 'Running' },
    history: { append: [event('OrchestratorStarted', iso(T0), {})] },
    consumedMessageIds: consumed,
    messages: [],
    activities: [],
    newInstances: [],
  };
}

/** Counts readwrite transactions begun while `body` runs. */
async function writeTransactions(body: () => Promise<unknown>): Promise<number> {
  const transaction = IDBDatabase.prototype.transaction;
  let count = 0;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] === 'readwrite') count++;
    return transaction.apply(this, args);
  } as IDBDatabase['transaction'];
  try {
    await body();
  } finally {
    IDBDatabase.prototype.transaction = transaction;
  }
  return count;
}

describe('IndexedDB adapter', () => {
  it('commits a batch of episodes in one transaction, each with its own outcome', async () => {
    const hub = (await open()).taskHub('Group');
    const records = await Promise.all(Array.from({ length: 10 }, (_, i) => hub.createInstance(newInstance(`g${i}`))));
    const episodes = records.map((r) => episode(r, [`start-${r.instanceId}`]));
    episodes[3] = { ...episodes[3]!, expectedVersion: 9 };
    let outcomes: unknown[] = [];
    expect(
      await writeTransactions(async () => {
        outcomes = await hub.commit(episodes);
      }),
    ).toBe(1);
    expect(outcomes.filter((o) => (o as { ok: boolean }).ok)).toHaveLength(9);
    expect(outcomes[3]).toMatchObject({ ok: false, error: { name: 'VersionConflictError' } });
    expect(await hub.getHistory('g3')).toEqual([]);
    expect((await hub.getHistory('g4')).map((e) => e.type)).toEqual(['OrchestratorStarted']);
    // Concurrent callers share transactions too: ten leases and the completions behind them.
    const leases = await writeTransactions(() => Promise.all(Array.from({ length: 10 }, () => hub.leaseOrchestration(T0, 1000))));
    expect(leases).toBe(1);
  });

  it('delivers messages ordered by when they became due, then by arrival', async () => {
    const hub = (await open()).taskHub('Order');
    const created = await hub.createInstance(newInstance('o1'));
    const start = (await hub.leaseOrchestration(T0, 1000))!;
    await hub.commit([
      {
        ...episode(
          created,
          start.messages.map((m) => m.id),
        ),
        lease: start.lease,
      },
    ]);
    await hub.enqueueMessages([
      raised('o1', 'timer', T0 + 500),
      raised('o1', 'first', T0 + 100),
      raised('o1', 'second', T0 + 100),
      raised('o1', 'later', T0 + 9000),
    ]);
    const item = (await hub.leaseOrchestration(T0 + 1000, 1000))!;
    expect(item.messages.map((m) => m.id)).toEqual(['first', 'second', 'timer']);
    // Abandoned until later, they are not seen before then, and the lease is free again.
    await hub.abandonOrchestration(item, T0 + 5000);
    expect(await hub.leaseOrchestration(T0 + 4999, 1000)).toBeUndefined();
    expect(await hub.nextWakeTime()).toBe(T0 + 5000);
    // Now all three became due at the same time, so they come in arrival order.
    expect((await hub.leaseOrchestration(T0 + 5000, 1000))?.messages.map((m) => m.id)).toEqual(['timer', 'first', 'second']);
  });

  it('hands each ready instance to one of many concurrent leases', async () => {
    const hub = (await open()).taskHub('Many');
    for (let i = 0; i < 30; i++) await hub.createInstance(newInstance(`m${i}`));
    const items = await Promise.all(Array.from({ length: 40 }, () => hub.leaseOrchestration(T0, 1000)));
    const leased = items.flatMap((item) => (item ? [item.instanceId] : []));
    expect(leased).toHaveLength(30);
    expect(new Set(leased).size).toBe(30);
  });

  it('notifies a subscriber on another connection to the same database (BroadcastChannel)', async () => {
    const factory = new IDBFactory();
    const a = await open(factory);
    const b = await IndexedDbStorage.open(`adapter-${n}`, { indexedDB: factory });
    const seen: unknown[] = [];
    const arrived = new Promise<void>((resolve) => {
      b.taskHub('Hub').subscribe!((note) => {
        seen.push(note);
        if (note.kind === 'instance') resolve();
      });
    });
    b.taskHub('Other').subscribe!((note) => seen.push({ wrongHub: note }));
    await a.taskHub('Hub').createInstance(newInstance('n1'));
    await arrived;
    expect(seen).toEqual([{ kind: 'work' }, { kind: 'instance', instanceId: 'n1', runtimeStatus: 'Pending' }]);
  });
});
