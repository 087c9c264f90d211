/**
 * `edge-durable/durable-functions`: what durable-functions v3 apps import, so that they run
 * unchanged once `durable-functions` resolves here (`durable serve --durable-functions`, or a
 * bundler alias). Orchestrations and activities run on the engine; the client started from an
 * HTTP trigger is v3's `DurableClient`. Entities are refused at load ("not supported yet").
 * No platform imports: it runs in Node, workerd and browsers.
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { entitiesNotSupported } from './durable-client.js';

export { AggregatedError, DurableError, type FailureDetails, TaskFailedError } from '../../core/errors.js';
export type { DurableOrchestrationContext } from '../../core/orchestration/context.js';
export { RetryOptions } from '../../core/orchestration/retry.js';
export { Task, TimerTask } from '../../core/orchestration/task.js';
export {
  type ActivityHandler,
  type ActivityOptions,
  app,
  type HttpDurableClientHandler,
  type HttpDurableClientOptions,
  type OrchestrationContext,
  type OrchestrationHandler,
  type OrchestrationOptions,
} from './durable-app.js';
export {
  DurableClient,
  DurableOrchestrationStatus,
  type GetStatusOptions,
  type OrchestrationFilter,
  type PurgeHistoryResult,
  type StartNewOptions,
  type TaskHubOptions,
  type WaitForCompletionOptions,
} from './durable-client.js';
export { getClient, input } from './get-client.js';

/** v3's string enum of runtime statuses. */
export const OrchestrationRuntimeStatus = {
  Running: 'Running',
  Completed: 'Completed',
  ContinuedAsNew: 'ContinuedAsNew',
  Failed: 'Failed',
  Canceled: 'Canceled',
  Terminated: 'Terminated',
  Pending: 'Pending',
  Suspended: 'Suspended',
} as const;
export type OrchestrationRuntimeStatus = (typeof OrchestrationRuntimeStatus)[keyof typeof OrchestrationRuntimeStatus];

/** Entities are not supported yet: constructing an entity ID says so. */
export class EntityId {
  constructor(name: string, _key: string) {
    throw entitiesNotSupported(`new df.EntityId(${JSON.stringify(name)}, …)`);
  }
}

/** v2's `df.entity(...)`: refused like `df.app.entity`. */
export function entity(): never {
  throw entitiesNotSupported('df.entity');
}

/** `callHttp`'s token source: durable HTTP calls are not supported yet. */
export class ManagedIdentityTokenSource {
  constructor(readonly resource: string) {
    throw new InvalidArgumentError(
      `new df.ManagedIdentityTokenSource(${JSON.stringify(resource)}): durable HTTP calls (callHttp) are not supported yet by edge-durable.`,
    );
  }
}

const triggerNotSupported = (what: string) => (): never => {
  throw new InvalidArgumentError(`df.trigger.${what}(): bindings for app.generic are not supported yet by edge-durable; register with df.app.${what} instead.`);
};

/** v3's binding factories for `app.generic`, which is not supported: each says so. */
export const trigger = {
  orchestration: triggerNotSupported('orchestration'),
  activity: triggerNotSupported('activity'),
  entity: triggerNotSupported('entity'),
};
