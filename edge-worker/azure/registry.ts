/**
 * What an Azure Functions app registers while its modules load: the orchestrations and
 * activities (into one DurableApp) and the HTTP triggers. Azure Functions apps register as a
 * side effect of being imported (`app.http(...)`, `df.app.orchestration(...)`), so the
 * registry is one per JavaScript realm, kept on `globalThis` under a registered symbol: two
 * copies of this module (a bundle and the host, or `durable-functions` and `@azure/functions`
 * resolved apart) still fill one registry.
 *
 * Function names share one namespace, as in Azure Functions (an HTTP trigger and an activity
 * cannot both be called `Hello`). A refused registration throws an `InvalidArgumentError`
 * naming it; the host loading the app reports the file and starts nothing.
 * @module
 */
import { DurableApp } from '../../core/app.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { HttpHandler, HttpMethod } from './http-types.js';
import type { CompiledRoute } from './route.js';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface HttpTrigger {
  name: string;
  methods: readonly HttpMethod[];
  authLevel: AuthLevel;
  route: CompiledRoute;
  handler: HttpHandler;
  /** The `extraInputs` of the registration: `getClient` needs a durable client among them. */
  extraInputs: readonly unknown[];
}

export interface Registry {
  readonly durableApp: DurableApp;
  readonly http: HttpTrigger[];
  /** Function name → how it was registered (`app.http`, `df.app.activity`, …). */
  readonly names: Map<string, string>;
}

const KEY = Symbol.for('edge-durable.azure-functions.registry');

export function registry(): Registry {
  const holder = globalThis as { [KEY]?: Registry };
  holder[KEY] ??= { durableApp: new DurableApp(), http: [], names: new Map() };
  return holder[KEY];
}

/** Empties the registry: for a host that loads an app again in the same realm (tests). */
export function resetRegistry(): void {
  delete (globalThis as { [KEY]?: Registry })[KEY];
}

/** `app.timer('cleanup')`, as error messages name a registration. */
export const describeRegistration = (how: string, name: unknown): string => `${how}(${typeof name === 'string' ? JSON.stringify(name) : '…'})`;

/** Claims `name` for a function registered by `how`; a name taken already is refused, naming both registrations. */
export function claimName(how: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError(`${how}(...) needs a function name (a non-empty string) first.`);
  const names = registry().names;
  const first = names.get(name);
  if (first) {
    throw new InvalidArgumentError(
      `${describeRegistration(how, name)} registers the function name '${name}' again (first registered by ${describeRegistration(first, name)}); function names are unique in an Azure Functions app: rename one of the two.`,
    );
  }
  names.set(name, how);
  return name;
}

/** The error for a registration this layer does not run (yet). */
export function notSupported(how: string, name: unknown, what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${describeRegistration(how, name)}: ${what} not supported yet by edge-durable (supported: app.http, df.app.orchestration, df.app.activity, df.app.client.http).`,
  );
}
