/** The bindings of `wrangler.toml`, as the tests see them. */
declare module 'cloudflare:workers' {
  export const env: {
    KV: import('../../core/store/kv/index.js').KvNamespaceLike;
    TASK_HUB: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
    SAMPLE_HUB: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
    STALL_HUB: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
    TASK_HUB_4: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
    TASK_HUB_16: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
    LOSSY_HUB: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
  };
}

/** What the tests use of `@cloudflare/vitest-pool-workers`' test module. */
declare module 'cloudflare:test' {
  export function runInDurableObject<R>(stub: unknown, callback: (instance: unknown, state: { storage: unknown }) => R | Promise<R>): Promise<R>;
  export function runDurableObjectAlarm(stub: unknown): Promise<boolean>;
  export function abortAllDurableObjects(): Promise<void>;
}
