/**
 * `edge-durable/indexeddb`: the IndexedDB store for browser tabs and workers.
 * @module
 */
export { type IndexedDbOptions, IndexedDbStorage } from '../../core/store/indexeddb.js';
