/**
 * `@azure/functions` v4's `app`: HTTP triggers are registered (`app.http`, `app.get`,
 * `app.post`, …); every other trigger (`app.timer`, `app.storageQueue`, `app.generic`, …)
 * is refused at load, naming the registration. So are the `input`/`output`/`trigger`
 * binding factories other than the durable client.
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { HttpHandler, HttpMethod } from './http-types.js';
import { type AuthLevel, claimName, describeRegistration, notSupported, registry } from './registry.js';
import { byPrecedence, compileRoute } from './route.js';

export interface HttpFunctionOptions {
  handler: HttpHandler;
  /** Default GET and POST (as @azure/functions). */
  methods?: HttpMethod[];
  /** Default 'anonymous' (as @azure/functions). */
  authLevel?: AuthLevel;
  /** Default: the function name. Served under `/api/`. */
  route?: string;
  extraInputs?: unknown[];
  extraOutputs?: unknown[];
  return?: unknown;
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'DELETE', 'HEAD', 'PATCH', 'PUT', 'OPTIONS', 'TRACE', 'CONNECT']);
const AUTH_LEVELS: ReadonlySet<string> = new Set(['anonymous', 'function', 'admin']);

export function registerHttp(how: string, name: string, options: HttpFunctionOptions | HttpHandler, methods?: HttpMethod[]): void {
  const registration = describeRegistration(how, name);
  const opts: HttpFunctionOptions = typeof options === 'function' ? { handler: options } : options;
  if (typeof opts?.handler !== 'function') throw new InvalidArgumentError(`${registration} needs a handler function.`);
  const chosen = (methods ?? opts.methods ?? ['GET', 'POST']).map((m) => String(m).toUpperCase());
  const bad = chosen.find((m) => !METHODS.has(m));
  if (bad) throw new InvalidArgumentError(`${registration}: '${bad}' is not an HTTP method.`);
  const authLevel = opts.authLevel ?? 'anonymous';
  if (!AUTH_LEVELS.has(authLevel)) throw new InvalidArgumentError(`${registration}: authLevel must be 'anonymous', 'function' or 'admin'; got '${authLevel}'.`);
  if (opts.extraOutputs?.length) throw notSupported(how, name, 'extraOutputs (output bindings) are');
  const route = compileRoute(opts.route ?? name, registration);
  claimName(how, name);
  const http = registry().http;
  http.push({ name, methods: chosen as HttpMethod[], authLevel, route, handler: opts.handler, extraInputs: opts.extraInputs ?? [] });
  http.sort((a, b) => byPrecedence(a.route, b.route));
}

const shortcut =
  (method: HttpMethod, how: string) =>
  (name: string, options: HttpFunctionOptions | HttpHandler): void =>
    registerHttp(how, name, options, [method]);

/** Trigger registrations that Azure Functions has and this layer does not run. */
const UNSUPPORTED_TRIGGERS = [
  'timer',
  'storageBlob',
  'storageQueue',
  'serviceBusQueue',
  'serviceBusTopic',
  'eventHub',
  'eventGrid',
  'cosmosDB',
  'warmup',
  'sql',
  'mySql',
  'webPubSub',
  'mcpTool',
  'generic',
] as const;

type Unsupported = (name: string, options?: unknown) => never;

const refuse =
  (how: string, what: string): Unsupported =>
  (name) => {
    throw notSupported(how, name, what);
  };

/** Refuses any member it does not know, naming it: `app.someNewTrigger(...)` fails as clearly as `app.timer(...)`. */
function strict<T extends object>(prefix: string, known: T, what: (member: string) => string): T {
  return new Proxy(known, {
    get(target, member, receiver) {
      if (typeof member === 'symbol' || member in target) return Reflect.get(target, member, receiver);
      return refuse(`${prefix}.${member}`, what(member));
    },
  });
}

export const app = strict(
  'app',
  {
    http: (name: string, options: HttpFunctionOptions | HttpHandler): void => registerHttp('app.http', name, options),
    get: shortcut('GET', 'app.get'),
    post: shortcut('POST', 'app.post'),
    put: shortcut('PUT', 'app.put'),
    patch: shortcut('PATCH', 'app.patch'),
    deleteRequest: shortcut('DELETE', 'app.deleteRequest'),
    /** Accepted and ignored: HTTP streaming is how this host always serves bodies. */
    setup: (_options?: { enableHttpStream?: boolean }): void => undefined,
    hook: strict('app.hook', {}, (m) => `the ${m} hook is`),
    ...(Object.fromEntries(UNSUPPORTED_TRIGGERS.map((t) => [t, refuse(`app.${t}`, `the ${t} trigger is`)])) as Record<
      (typeof UNSUPPORTED_TRIGGERS)[number],
      Unsupported
    >),
  },
  (m) => `the ${m} trigger is`,
);

const bindingFactory = (kind: string) => strict(kind, {}, (m) => `the ${m} ${kind} binding is`);

/** `@azure/functions`' binding factories: none is supported (the durable client input comes from `durable-functions`). */
export const input = bindingFactory('input');
export const output = bindingFactory('output');
export const trigger = bindingFactory('trigger');
