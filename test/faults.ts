/** A store wrapper that crashes at its k-th write: the "process" is dead from then on. */
import type { TaskHubStore } from '../core/index.js';

const WRITES = new Set([
  'createInstance',
  'enqueueMessages',
  'abandonOrchestration',
  'commit',
  'discardMessages',
  'completeActivities',
  'abandonActivity',
  'purgeInstance',
  'purgeInstances',
]);

export class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

export interface CrashingStore {
  store: TaskHubStore;
  /** Writes seen so far. */
  readonly writes: number;
  readonly crashed: boolean;
}

/**
 * `when: 'before'` fails the k-th write without applying it; `'after'` applies it and then
 * fails, as when a process dies before it hears the store's answer.
 */
export function crashAtWrite(inner: TaskHubStore, k: number, when: 'before' | 'after' = 'before'): CrashingStore {
  let writes = 0;
  let crashed = false;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'subscribe') return value;
      return async (...args: unknown[]) => {
        if (crashed) throw new InjectedCrash('the worker process is gone');
        if (!WRITES.has(String(prop))) return (value as (...a: unknown[]) => unknown).apply(target, args);
        writes++;
        if (writes !== k) return (value as (...a: unknown[]) => unknown).apply(target, args);
        crashed = true;
        if (when === 'after') await (value as (...a: unknown[]) => unknown).apply(target, args);
        throw new InjectedCrash(`crash at write ${k} (${String(prop)}, ${when})`);
      };
    },
  });
  return {
    store,
    get writes() {
      return writes;
    },
    get crashed() {
      return crashed;
    },
  };
}
