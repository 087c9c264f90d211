/**
 * The SQLite file's one owner (core/store/sqlite/owner.ts): a live owner refuses a claim and is
 * named; a dead, stale or stopped one is taken over, and its leases are released in the same
 * step; a client that opens the file claims nothing and releases nothing. And other processes'
 * writes wake a subscriber (the data_version poll).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.js';
import type { StoreNotification } from '../../core/store/port.js';
import { type ClaimOptions, SqliteStorage } from '../../core/store/sqlite.js';
import { newInstance } from '../conformance/store.case.js';
import { tempDatabaseFiles } from './temp-file.js';

const tempFile = tempDatabaseFiles();
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const me = (pid: number, alive: readonly number[] = [], hostname = 'box'): ClaimOptions => ({ pid, hostname, processExists: (p) => alive.includes(p) });

function open(file: string, clock = new VirtualClock(T0)) {
  return { storage: new SqliteStorage(new Database(file), { clock }), clock };
}

/** An instance locked and one activity leased, by the storage's hub 'H'. */
async function holdLeases(storage: SqliteStorage) {
  const hub = storage.taskHub('H');
  const created = await hub.createInstance(newInstance('held'));
  await hub.createInstance(newInstance('locked'));
  const start = (await hub.leaseOrchestration(T0, 30_000))!;
  const activity = { id: 'a1', instanceId: 'held', executionId: created.executionId, taskScheduledId: 0, name: 'F', enqueuedTime: new Date(T0).toISOString() };
  const { version: _v, ...row } = created;
  await hub.commit([
    {
      instanceId: start.instanceId,
      expectedVersion: 1,
      lease: start.lease,
      instance: { ...row, runtimeStatus: 'Running' },
      history: { append: [] },
      consumedMessageIds: start.messages.map((m) => m.id),
      messages: [],
      activities: start.instanceId === 'held' ? [activity] : [],
      newInstances: [],
    },
  ]);
  expect(await hub.leaseOrchestration(T0, 300_000)).toBeDefined();
  expect(await hub.leaseActivity(T0, 300_000)).toBeDefined();
}

describe('the SQLite owner', () => {
  it('a live owner refuses the claim and is named: process, host and since when; the refused claim writes nothing', async () => {
    const file = tempFile();
    const first = open(file);
    expect(first.storage.claimOwnership(me(100))).toMatchObject({ epoch: 1, previous: undefined, released: { instances: 0, activities: 0 } });
    const second = open(file);
    const claim = () => second.storage.claimOwnership(me(200, [100]));
    expect(claim).toThrow(expect.objectContaining({ name: 'StoreInUseError', code: 'StoreInUse' }));
    expect(claim).toThrow("owned by process 100 on host 'box' (owner since 2026-01-01T00:00:00.000Z, last heartbeat 0 s ago)");
    // On another host the process cannot be looked at: a fresh heartbeat is enough to refuse.
    expect(() => second.storage.claimOwnership(me(200, [], 'other-box'))).toThrow(/owned by process 100 on host 'box'/);
    expect(second.storage.owner()).toMatchObject({ epoch: 1, pid: 100, hostname: 'box' });
  });

  it('a killed owner (its process gone) is taken over at once, with every lease it held released', async () => {
    const file = tempFile();
    const first = open(file);
    const ownership = first.storage.claimOwnership(me(100));
    await holdLeases(first.storage);
    const other = first.storage.taskHub('Other');
    await other.createInstance(newInstance('o1'));
    expect(await other.leaseOrchestration(T0, 30_000)).toBeDefined();

    const second = open(file);
    const claim = second.storage.claimOwnership(me(200, [200]));
    expect(claim).toMatchObject({ epoch: 2, previous: { epoch: 1, pid: 100, hostname: 'box', heartbeat: T0 }, released: { instances: 2, activities: 1 } });
    // Delivered again at once, long before the 30 s and 5 min leases would lapse.
    const hub = second.storage.taskHub('H');
    expect((await hub.leaseOrchestration(T0 + 1, 30_000))?.instanceId).toBeDefined();
    expect((await hub.leaseActivity(T0 + 1, 300_000))?.deliveryCount).toBe(2);
    expect((await second.storage.taskHub('Other').leaseOrchestration(T0 + 1, 30_000))?.instanceId).toBe('o1');
    // Were the old owner still running, it would learn at its next heartbeat that it lost the file.
    expect(ownership.heartbeat()).toBe(false);
  });

  it('an owner whose heartbeat is stale is dead whatever its process; its heartbeat then fails', () => {
    const file = tempFile();
    const first = open(file);
    const ownership = first.storage.claimOwnership(me(100));
    first.clock.advance(10_000);
    expect(ownership.heartbeat()).toBe(true);
    const second = open(file, new VirtualClock(T0 + 10_000 + 29_999));
    expect(() => second.storage.claimOwnership(me(200, [100, 200]))).toThrow(/last heartbeat 30 s ago/);
    const later = open(file, new VirtualClock(T0 + 10_000 + 30_000));
    expect(later.storage.claimOwnership(me(200, [100, 200]))).toMatchObject({ epoch: 2, previous: { pid: 100, heartbeat: T0 + 10_000 } });
    expect(ownership.heartbeat()).toBe(false);
    // Giving up a file it no longer owns changes nothing.
    ownership.release();
    expect(later.storage.owner()).toMatchObject({ epoch: 2, pid: 200 });
  });

  it('a claimer that knows whether the owner lives (a lock it held) decides alone: heartbeat and host do not count', () => {
    const file = tempFile();
    open(file).storage.claimOwnership(me(100));
    const other = open(file);
    // A fresh heartbeat from another host, but the owner's lock is free: it is dead.
    expect(other.storage.claimOwnership({ pid: 200, hostname: 'new-box', isAlive: () => false })).toMatchObject({ epoch: 2, previous: { pid: 100 } });
    // A live one is refused, named, however old its heartbeat.
    const late = open(file, new VirtualClock(T0 + 3_600_000));
    expect(() => late.storage.claimOwnership({ pid: 300, hostname: 'box', isAlive: (owner) => owner.pid === 200 })).toThrow(
      "owned by process 200 on host 'new-box' (owner since 2026-01-01T00:00:00.000Z, last heartbeat 3600 s ago)",
    );
  });

  it('a clean stop gives the file up: the next claim takes it even though the process lives', () => {
    const file = tempFile();
    const first = open(file);
    first.storage.claimOwnership(me(100)).release();
    const second = open(file);
    expect(second.storage.claimOwnership(me(200, [100]))).toMatchObject({ epoch: 2, previous: { pid: 100, heartbeat: 0 } });
  });

  it('a client opening the file claims nothing and releases no lease', async () => {
    const file = tempFile();
    const host = open(file);
    host.storage.claimOwnership(me(100));
    await holdLeases(host.storage);
    const client = open(file);
    const hub = client.storage.taskHub('H');
    await hub.createInstance(newInstance('from-client'));
    expect(client.storage.owner()).toMatchObject({ epoch: 1, pid: 100 });
    // The host's leases still hold: only the client's new instance is leasable.
    expect((await hub.leaseOrchestration(T0 + 1, 30_000))?.instanceId).toBe('from-client');
    expect(await hub.leaseOrchestration(T0 + 1, 30_000)).toBeUndefined();
    expect(await hub.leaseActivity(T0 + 1, 300_000)).toBeUndefined();
  });

  it("another connection's commits wake a subscriber within a poll; its own writes are told directly", async () => {
    const file = tempFile();
    const host = open(file);
    const seen: StoreNotification[] = [];
    const unsubscribe = host.storage.taskHub('H').subscribe!((n) => seen.push(n));
    let external = 0;
    const unwatch = host.storage.onExternalWrite(() => external++);
    const client = open(file);
    await client.storage.taskHub('New').createInstance(newInstance('c1'));
    expect(seen).toEqual([]);
    host.clock.advance(100);
    expect(seen).toEqual([{ kind: 'work' }]);
    expect(external).toBe(1);
    // Nothing new: the next polls are quiet.
    host.clock.advance(300);
    expect(seen).toHaveLength(1);
    // Its own write is told once, directly, and does not count as another process's.
    await host.storage.taskHub('H').createInstance(newInstance('h1'));
    host.clock.advance(100);
    expect(external).toBe(1);
    // No subscriber, no poll.
    unsubscribe();
    unwatch();
    await client.storage.taskHub('New').createInstance(newInstance('c2'));
    host.clock.advance(1000);
    expect(external).toBe(1);
  });
});
