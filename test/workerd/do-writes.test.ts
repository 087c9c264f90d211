/**
 * The Durable Object store reads and writes no more than an operation needs: a key found
 * missing is not read again nor deleted, and a new status moves only the status index key.
 */
import { describe, expect, it } from 'vitest';
import { event } from '../../core/history.js';
import { DurableObjectTaskHubStore } from '../../core/store/durable-object/index.js';
import { ChangeSet } from '../../core/store/durable-object/tx.js';
import { FakeDurableObjectStorage } from './do-fakes.js';
import { leasedEpisode } from './leased-episode.js';

/** Storage that records the keys it is asked to read, write and delete. */
class RecordingStorage extends FakeDurableObjectStorage {
  gets: string[] = [];
  puts: string[] = [];
  deletes: string[] = [];
  override get<T>(keys: string[]): Promise<Map<string, T>> {
    this.gets.push(...keys);
    return super.get<T>(keys);
  }
  override put<T>(entries: Record<string, T>): Promise<void> {
    this.puts.push(...Object.keys(entries));
    return super.put(entries);
  }
  override delete(keys: string[]): Promise<number> {
    this.deletes.push(...keys);
    return super.delete(keys);
  }
}

describe('durable object store: writes', () => {
  it('reads a missing key once, and deleting it writes nothing, even after staging it', async () => {
    const storage = new RecordingStorage();
    await storage.put({ kept: 1 });
    storage.puts = [];
    const tx = new ChangeSet(storage);
    expect(await tx.get('gone')).toBeUndefined();
    expect(await tx.get('gone')).toBeUndefined();
    expect(storage.gets).toEqual(['gone']);
    tx.put('gone', 2);
    expect(await tx.get('gone')).toBe(2);
    tx.delete('gone');
    expect(await tx.get('gone')).toBeUndefined();
    tx.delete('kept'); // never read: deleted
    await tx.commit();
    expect([storage.puts, storage.deletes]).toEqual([[], ['kept']]);
  });

  it('moves only the status index key when an instance changes status', async () => {
    const storage = new RecordingStorage();
    const store = new DurableObjectTaskHubStore('Writes', storage);
    const t = '2026-01-01T00:00:00.000Z';
    await store.createInstance({
      record: { instanceId: 'a', name: 'Chain', executionId: 'e', runtimeStatus: 'Pending', createdTime: t, lastUpdatedTime: t },
      start: {
        id: 'm',
        instanceId: 'a',
        visibleAt: t,
        event: event('ExecutionStarted', t, { name: 'Chain', orchestrationInstance: { instanceId: 'a', executionId: 'e' } }),
      },
    });
    const [item] = await store.leaseOrchestrations(Date.parse(t), 30_000, 1);
    const record = (await store.getInstance('a'))!;
    storage.puts = [];
    storage.deletes = [];
    expect(await store.commit([leasedEpisode(record, item!, t)])).toMatchObject([{ ok: true }]);
    expect(storage.puts.filter((k) => k.startsWith('i'))).toEqual(['i/a', 'is/Running/2026-01-01T00:00:00.000Z/a']);
    expect(storage.deletes.filter((k) => k.startsWith('i'))).toEqual(['is/Pending/2026-01-01T00:00:00.000Z/a']);
    expect((await store.queryInstances({ runtimeStatus: ['Running'] })).instances.map((r) => r.instanceId)).toEqual(['a']);
    expect((await store.queryInstances({})).instances.map((r) => r.instanceId)).toEqual(['a']);
  });
});
