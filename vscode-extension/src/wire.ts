/**
 * The HTTP wire of the edge-durable API, as the extension uses it: core/wire (routes, statuses
 * and the operation x status matrix, payloads, ID rules, the fetch client), inlined by the bundle.
 */

/** The lossless history as stored (the paged history route and history bundles carry it). */
export type { HistoryEvent } from '../../core/history.js';
export * from '../../core/wire/index.js';
