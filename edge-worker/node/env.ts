/**
 * The host's settings from the environment, shared by `npm start` and `durable serve` (whose
 * flags override them): PORT (7071), HOST (127.0.0.1), DURABLE_TOKEN (admin),
 * DURABLE_READ_TOKEN (read-only), DURABLE_DATA_DIR (.data), DURABLE_CORS_ORIGINS
 * (comma-separated browser origins, or `*`; see the README's security section).
 * @module
 */
import { type CorsOptions, corsFromEnv } from '../app.js';

export interface HostSettings {
  port: number;
  host: string;
  dataDir: string;
  adminToken?: string;
  readToken?: string;
  cors?: CorsOptions;
}

/** A TCP port, 0 to 65535 (0 picks a free one); `name` says where the value came from. */
export function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be an integer from 0 to 65535; got '${value}'.`);
  return port;
}

export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): HostSettings {
  return {
    port: env.PORT === undefined || env.PORT === '' ? 7071 : parsePort(env.PORT, 'PORT'),
    host: env.HOST || '127.0.0.1',
    dataDir: env.DURABLE_DATA_DIR || '.data',
    adminToken: env.DURABLE_TOKEN || undefined,
    readToken: env.DURABLE_READ_TOKEN || undefined,
    cors: env.DURABLE_CORS_ORIGINS ? corsFromEnv(env.DURABLE_CORS_ORIGINS) : undefined,
  };
}
