/**
 * `edge-durable/node`: the Node host, `startNodeServer({ app })`. It needs the optional peers
 * `@hono/node-server` and, for its default SQLite store, `better-sqlite3`.
 * @module
 */
export { type HostSettings, settingsFromEnv } from './env.js';
export { MissingPeerError } from './peer.js';
export { type NodeServer, type NodeServerOptions, startNodeServer } from './server.js';
