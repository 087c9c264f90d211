/**
 * durable-functions v3's `df.app`: `orchestration` and `activity` register into the
 * registry's DurableApp, their handlers given v3's contexts (an `InvocationContext` with
 * `df` for orchestrators; `(input, InvocationContext)` for activities). `client.http` is an
 * HTTP trigger with the durable client. Entities and the other client triggers are refused
 * at load, naming the registration.
 * @module
 */

import { InvalidArgumentError } from '../../core/errors.js';
import type { OrchestrationContext as EngineContext } from '../../core/orchestration/context.js';
import type { Task } from '../../core/orchestration/task.js';
import type { DurableClient } from './durable-client.js';
import { type HttpFunctionOptions, registerHttp } from './functions-app.js';
import { getClient, input } from './get-client.js';
import type { HttpRequest, HttpResponse, HttpResponseInit } from './http-types.js';
import { InvocationContext } from './invocation-context.js';
import { claimName, describeRegistration, notSupported, registry } from './registry.js';

/** What an orchestrator receives: v3's `OrchestrationContext`, an InvocationContext with `df`. */
export type OrchestrationContext = InvocationContext & { df: EngineContext['df'] };
// `any` at the yield boundary and for the input, as v3's types: `const x: string = yield task`, `(input: string) => …`.
// biome-ignore lint/suspicious/noExplicitAny: see above.
export type OrchestrationHandler = (context: OrchestrationContext) => Generator<Task<any>, unknown, any>;
// biome-ignore lint/suspicious/noExplicitAny: see above.
export type ActivityHandler = (input: any, context: InvocationContext) => unknown;

export interface OrchestrationOptions {
  handler: OrchestrationHandler;
}
export interface ActivityOptions {
  handler: ActivityHandler;
  extraInputs?: unknown[];
  extraOutputs?: unknown[];
}

export type HttpDurableClientHandler = (
  request: HttpRequest,
  client: DurableClient,
  context: InvocationContext,
) => HttpResponseInit | HttpResponse | undefined | Promise<HttpResponseInit | HttpResponse | undefined>;

export interface HttpDurableClientOptions extends Omit<HttpFunctionOptions, 'handler'> {
  handler: HttpDurableClientHandler;
}

const isGenerator = (fn: unknown): boolean => typeof fn === 'function' && fn.constructor?.name === 'GeneratorFunction';

function orchestration(name: string, options: OrchestrationHandler | OrchestrationOptions): void {
  const how = 'df.app.orchestration';
  const handler = typeof options === 'function' ? options : options?.handler;
  if (!isGenerator(handler)) throw new InvalidArgumentError(`${describeRegistration(how, name)} needs a generator function (function*) as its handler.`);
  claimName(how, name);
  registry().durableApp.orchestration(name, function* (context: EngineContext) {
    // The instance ID as invocation ID: the same on every replay.
    const invocation = new InvocationContext({ functionName: name, invocationId: context.df.instanceId }) as OrchestrationContext;
    Object.defineProperty(invocation, 'df', { value: context.df, enumerable: true });
    return yield* handler!(invocation);
  });
}

function activity(name: string, options: ActivityOptions): void {
  const how = 'df.app.activity';
  const handler = typeof options === 'function' ? (options as ActivityHandler) : options?.handler;
  if (typeof handler !== 'function') throw new InvalidArgumentError(`${describeRegistration(how, name)} needs { handler }.`);
  if (typeof options === 'object' && (options.extraInputs?.length || options.extraOutputs?.length)) {
    throw notSupported(how, name, 'extraInputs and extraOutputs (bindings) on activities are');
  }
  claimName(how, name);
  registry().durableApp.activity(name, (input: unknown, context) =>
    handler(input, new InvocationContext({ functionName: name, invocationId: `${context.instanceId}:${name}:${context.deliveryCount}` })),
  );
}

function clientHttp(name: string, options: HttpDurableClientOptions): void {
  const handler = options?.handler;
  if (typeof handler !== 'function') throw new InvalidArgumentError(`${describeRegistration('df.app.client.http', name)} needs { handler }.`);
  const clientInput = input.durableClient();
  registerHttp('df.app.client.http', name, {
    ...options,
    extraInputs: [...(options.extraInputs ?? []), clientInput],
    handler: (request, context) => handler(request, getClient(context), context),
  });
}

const refuse =
  (how: string, what: string) =>
  (name: unknown, _options?: unknown): never => {
    throw notSupported(how, name, what);
  };

const CLIENT_TRIGGERS = ['timer', 'storageBlob', 'storageQueue', 'serviceBusQueue', 'serviceBusTopic', 'eventHub', 'eventGrid', 'cosmosDB', 'generic'] as const;

export const app = {
  orchestration,
  activity,
  entity: refuse('df.app.entity', 'durable entities are'),
  client: {
    http: clientHttp,
    ...(Object.fromEntries(CLIENT_TRIGGERS.map((t) => [t, refuse(`df.app.client.${t}`, `the ${t} trigger is`)])) as Record<
      (typeof CLIENT_TRIGGERS)[number],
      (name: string, options?: unknown) => never
    >),
  },
};
