/**
 * A task hub's storage in a Cloudflare Durable Object, with no Cloudflare import: the port
 * over the object's storage (`store.ts`, keys in `keys.ts`, writes batched by `tx.ts`, the
 * synchronous SQLite-backed API adapted by `sync.ts`). The hosting (the object class, the
 * engine it runs, the Worker-side RPC client) is in `edge-worker/cloudflare/`.
 * @module
 */
export { DurableObjectTaskHubStore, type DurableObjectTaskHubStoreOptions } from './store.js';
export { isSqliteStorage, type SqliteStorageLike, type SyncKvLike, syncStorage } from './sync.js';
export type { DurableObjectListOptions, DurableObjectStorageLike } from './tx.js';
