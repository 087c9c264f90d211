/**
 * The HTTP wire of the Durable Functions management API, owned here once: routes, management
 * URLs, statuses and the operation x status matrix, payloads, the ID rules, and the fetch client.
 * @module
 */

export * from './bundle.js';
export * from './client.js';
export * from './endpoint.js';
export * from './errors.js';
export * from './history-rows.js';
export * from './ids.js';
export * from './management.js';
export * from './payloads.js';
export * from './routes.js';
export * from './status.js';
