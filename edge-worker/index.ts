/**
 * `edge-durable/http`: the Durable Functions HTTP API as a Hono app (`createApp`), for any
 * runtime with `fetch` (Node, Workers, Deno, Bun), and the two responses a function builds
 * for its caller (`createCheckStatusResponse`, `waitForCompletionOrCreateCheckStatusResponse`).
 * @module
 */
export type { ApiHooks, StorageSource } from './api.js';
export { type AppOptions, type CorsOptions, createApp, type DurableHttpApp } from './app.js';
export type { AuthOptions } from './auth.js';
export { createCheckStatusResponse, waitForCompletionOrCreateCheckStatusResponse } from './check-status.js';
