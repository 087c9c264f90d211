/**
 * `edge-durable/http`: the Durable Functions HTTP API as a Hono app (`createApp`), for any
 * runtime with `fetch` (Node, Workers, Deno, Bun), and the two responses a function builds
 * for its caller (`createCheckStatusResponse`, `waitForCompletionOrCreateCheckStatusResponse`);
 * and the other side of the wire: `DurableHttpClient`, the client of that API (and of Durable
 * Functions'), with the wire's routes, payloads, statuses and ID rules as `wire`.
 * @module
 */

export { DurableHttpClient, type HttpClientOptions } from '../core/wire/client.js';
export * as wire from '../core/wire/index.js';
export type { ApiHooks, StorageSource } from './api.js';
export { type AppOptions, type CorsOptions, createApp, type DurableHttpApp } from './app.js';
export type { AuthOptions } from './auth.js';
export { type AzureFunctionsFetchOptions, createAzureFunctionsFetch, registeredDurableApp } from './azure/fetch.js';
export { createCheckStatusResponse, waitForCompletionOrCreateCheckStatusResponse } from './check-status.js';
