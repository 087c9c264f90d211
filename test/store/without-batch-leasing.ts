import type { TaskHubStore } from '../../core/store/port.js';

/** The store as an adapter without the optional batch methods sees it: the worker then leases one item per call. */
export function withoutBatchLeasing(store: TaskHubStore): TaskHubStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'leaseOrchestrations' || prop === 'leaseActivities') return undefined;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
