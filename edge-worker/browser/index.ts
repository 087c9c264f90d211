/**
 * edge-durable/indexeddb: the IndexedDB store, and the browser host that runs one Worker per
 * task hub and origin, in whichever tab (or worker) holds the hub's Web Lock.
 * @module
 */
export { type IndexedDbOptions, IndexedDbStorage } from '../../core/store/indexeddb.js';
export { type BrowserEngine, type BrowserEngineOptions, startBrowserEngine } from './engine.js';
