/**
 * Task hubs in Cloudflare Durable Objects: the recommended multi-writer deployment.
 * - `DurableObjectTaskHubStore`: the port over an object's storage (`store.ts`, keys in `keys.ts`);
 * - `TaskHubHost`: what runs in the object, engine included (`host.ts`);
 * - `DurableObjectStorage`: the Worker-side `Storage` that routes each hub to its object (`remote.ts`);
 * - `TaskHubDurableObject` (`object.ts`, workerd only): the class to bind.
 * @module
 */
export { DurableObjectTaskHubStore, type DurableObjectTaskHubStoreOptions } from './store.js';
export { HUB_METHODS, REGISTRY, TaskHubHost, type AlarmStorageLike, type HubMethod, type TaskHubHostOptions } from './host.js';
export { DurableObjectStorage, type TaskHubNamespaceLike, type TaskHubStub } from './remote.js';
export { isSqliteStorage, syncStorage, type SqliteStorageLike, type SyncKvLike } from './sync.js';
export type { DurableObjectListOptions, DurableObjectStorageLike } from './tx.js';
export { fromWire, toWire, type WireError, type WireResult } from './wire.js';
