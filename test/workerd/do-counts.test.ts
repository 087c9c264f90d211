/** The Durable Object store's per-status counters: rebuilt for a hub written without them, and never ahead of a write that failed. */
import { describe, expect, it } from 'vitest';
import { DurableObjectTaskHubStore } from '../../core/store/durable-object/index.js';
import { newInstance } from '../conformance/store.case.js';
import { FakeDurableObjectStorage } from './do-fakes.js';

const zero = { Pending: 0, Running: 0, Completed: 0, ContinuedAsNew: 0, Failed: 0, Terminated: 0, Suspended: 0 };

describe('durable object store: status counters', () => {
  it('rebuilds the counters from the status index for a hub that has none, then keeps them', async () => {
    const storage = new FakeDurableObjectStorage();
    const first = new DurableObjectTaskHubStore('H', storage, { prefix: 'p:' });
    for (const id of ['a', 'b', 'c']) await first.createInstance(newInstance(id));
    expect(await first.countInstances({})).toEqual({ ...zero, Pending: 3 });
    expect(storage.data.get('p:counts')).toEqual({ ...zero, Pending: 3 });
    // A hub written before the counters existed: the index keys, no counters row.
    await storage.delete(['p:counts']);
    const later = new DurableObjectTaskHubStore('H', storage, { prefix: 'p:' });
    expect(await later.countInstances({})).toEqual({ ...zero, Pending: 3 });
    await later.createInstance(newInstance('d'));
    expect(storage.data.get('p:counts')).toEqual({ ...zero, Pending: 4 });
    expect(await later.countInstances({})).toEqual({ ...zero, Pending: 4 });
  });

  it('does not count a create whose write failed', async () => {
    const storage = new FakeDurableObjectStorage();
    const store = new DurableObjectTaskHubStore('H', storage);
    await store.createInstance(newInstance('a'));
    const put = storage.put.bind(storage);
    storage.put = async () => {
      throw new Error('storage unavailable');
    };
    await expect(store.createInstance(newInstance('b'))).rejects.toThrow('storage unavailable');
    storage.put = put;
    expect(await store.countInstances({})).toEqual({ ...zero, Pending: 1 });
    await store.createInstance(newInstance('c'));
    expect(await store.countInstances({})).toEqual({ ...zero, Pending: 2 });
  });
});
