/** The conformance suite on the Durable Object store in Node: directly over storage, and through the RPC-shaped `DurableObjectStorage`. */

import { DurableObjectTaskHubStore } from '../../core/store/durable-object/index.js';
import type { Storage, TaskHubStore } from '../../core/store/port.js';
import { DurableObjectStorage } from '../../edge-worker/cloudflare/remote.js';
import { runStoreConformance } from '../conformance/store.case.js';
import { FakeDurableObjectStorage, FakeNamespace } from './do-fakes.js';

runStoreConformance('durable object (RPC-shaped, fake storage)', () => new DurableObjectStorage(new FakeNamespace()), { eagerDispatch: true });

/** The store object itself, one storage per hub, as inside the object. */
function direct(): Storage {
  const hubs = new Map<string, DurableObjectTaskHubStore>();
  const hub = (name: string) => {
    let h = hubs.get(name);
    if (!h) hubs.set(name, (h = new DurableObjectTaskHubStore(name, new FakeDurableObjectStorage(), { prefix: 'x:' })));
    return h;
  };
  return {
    taskHub: (name: string): TaskHubStore => hub(name),
    listTaskHubs: async () => (await Promise.all([...hubs].map(async ([n, h]) => ((await h.isEmpty()) ? [] : [n])))).flat().sort(),
    deleteTaskHub: async (name: string) => {
      const h = hub(name);
      if (await h.isEmpty()) return false;
      await h.clear();
      return true;
    },
  };
}
runStoreConformance('durable object store (direct, prefixed keys)', direct, { eagerDispatch: true, releasesLeases: true });
