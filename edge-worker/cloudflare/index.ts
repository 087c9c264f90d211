/**
 * `edge-durable/cloudflare`: the Workers KV store, the Durable Object store (a Worker-side
 * client of task-hub objects) and the task-hub object class.
 * Loads only in workerd (or a bundle for it): the object class imports `cloudflare:workers`.
 * @module
 */
export { type KvNamespaceLike, KvStorage, KvWriterConflictError } from '../../core/store/kv/index.js';
export { TaskHubDurableObject } from './object.js';
export { DurableObjectStorage, type TaskHubNamespaceLike } from './remote.js';
