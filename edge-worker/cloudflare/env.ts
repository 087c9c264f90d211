/**
 * The Worker's configuration, read from its bindings (wrangler.toml vars, secrets, the
 * Durable Object binding). Each problem is a message that says what to add, for the 500
 * `NotConfigured` answer that `createWorker` gives every request until it is fixed.
 * @module
 */
import { type AppOptions, corsFromEnv } from '../app.js';
import { type AuthOptions, tokenAuth } from '../auth.js';
import type { TaskHubNamespaceLike } from './remote.js';

/** The vars and secrets `createWorker` reads; the Durable Object binding is `env[binding]` (see `CloudflareWorkerOptions.binding`). */
export interface WorkerEnv {
  /** Admin token (a secret: `wrangler secret put DURABLE_TOKEN`). */
  DURABLE_TOKEN?: string;
  /** Read-only token (a secret). */
  DURABLE_READ_TOKEN?: string;
  /** `"true"` allows anonymous access; never the default. */
  DURABLE_ANONYMOUS?: string;
  /** Origin (and path prefix) of management URLs; default: the request's origin. */
  BASE_URL?: string;
  /** Key put in management URLs as `code=`. */
  MANAGEMENT_KEY?: string;
  /** Largest request body in bytes (default 1 MiB). */
  MAX_BODY_BYTES?: string;
  /** Browser origins allowed (CORS): `*` or a comma-separated list. Default `*` (a token is always required, unless DURABLE_ANONYMOUS). */
  CORS_ORIGINS?: string;
  /** Partition objects per task hub: `16`, or JSON `{"default":1,"hubs":{"big":16}}` (see `partition-settings.ts`). Default 1. */
  DURABLE_PARTITIONS?: string;
}

/** The binding name `createWorker` uses unless told otherwise, and the class name the templates export. */
export const DEFAULT_BINDING = 'TASK_HUB';

export function authFrom(env: WorkerEnv): AuthOptions | undefined {
  return tokenAuth(env.DURABLE_TOKEN, env.DURABLE_READ_TOKEN) ?? (env.DURABLE_ANONYMOUS === 'true' ? { anonymous: true } : undefined);
}

export const NO_TOKEN = 'No token is configured: run `wrangler secret put DURABLE_TOKEN`, or set the var DURABLE_ANONYMOUS = "true" to allow anonymous access.';

/** The `createApp` options that come from vars: management URLs, body limit, CORS. */
export function httpOptionsFrom(env: WorkerEnv): Pick<AppOptions, 'baseUrl' | 'managementKey' | 'maxBodyBytes' | 'cors'> {
  const maxBodyBytes = Number(env.MAX_BODY_BYTES);
  return {
    baseUrl: env.BASE_URL,
    managementKey: env.MANAGEMENT_KEY,
    maxBodyBytes: Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0 ? maxBodyBytes : undefined,
    cors: env.CORS_ORIGINS ? corsFromEnv(env.CORS_ORIGINS) : undefined,
  };
}

/** The Durable Object namespace bound as `binding`, or the message that says what is wrong with it. */
export function namespaceFrom(env: unknown, binding: string): TaskHubNamespaceLike<unknown> | string {
  const value = env && typeof env === 'object' ? (env as Record<string, unknown>)[binding] : undefined;
  if (isNamespace(value)) return value;
  const found =
    value === undefined ? `The Worker has no binding '${binding}'` : `The binding '${binding}' is ${describe(value)}, not a Durable Object namespace`;
  return `${found}. Add the task hub's Durable Object to wrangler.toml:\n\n${bindingToml(binding)}\nand export the class from the Worker's main module: \`export const TaskHub = createTaskHub(app);\`.`;
}

/** The wrangler.toml lines that bind the task-hub object class `TaskHub` as `binding`. */
function bindingToml(binding: string): string {
  return [
    '[[durable_objects.bindings]]',
    `name = "${binding}"`,
    'class_name = "TaskHub"',
    '',
    '[[migrations]]',
    'tag = "v1"',
    'new_sqlite_classes = ["TaskHub"]',
    '',
  ].join('\n');
}

function isNamespace(value: unknown): value is TaskHubNamespaceLike<unknown> {
  if (!value || typeof value !== 'object') return false;
  const candidate = value as Partial<Record<'idFromName' | 'get', unknown>>;
  return typeof candidate.idFromName === 'function' && typeof candidate.get === 'function';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the var ${JSON.stringify(value)}`;
  if (value === null || typeof value !== 'object') return `a ${typeof value}`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
