/**
 * The HTTP wire of the edge-durable API, as the extension uses it: core/wire (routes, statuses
 * and the operation x status matrix, payloads, ID rules, the fetch client), inlined by the bundle.
 */
export * from '../../core/wire/index.js';
