/** The bindings of `wrangler.toml`, as the tests see them. */
declare module 'cloudflare:workers' {
  export const env: {
    KV: import('../../core/store/kv/index.js').KvNamespaceLike;
    TASK_HUB: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
    SAMPLE_HUB: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
    STALL_HUB: import('../../edge-worker/cloudflare/remote.js').TaskHubNamespaceLike<unknown>;
  };
}

declare module 'cloudflare:test' {
  /** Resets every Durable Object instance (as an eviction would); their storage stays. */
  export function abortAllDurableObjects(): Promise<void>;
}
