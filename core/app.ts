/**
 * The registry of orchestrators and activities, in the shape of durable-functions v3
 * (`app.orchestration(name, fn)`, `app.activity(name, { handler })`).
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { validateName } from './limits.js';
import type { OrchestrationContext } from './orchestration/context.js';
import type { Task } from './orchestration/task.js';

// `any` at the yield boundary lets orchestrators write `const x: string = yield task`.
export type OrchestratorFunction = (context: OrchestrationContext) => Generator<Task<any>, unknown, any>;

export interface ActivityContext {
  readonly name: string;
  readonly instanceId: string;
  /** 1 on the first delivery; more when a worker died while running it (activities run at least once). */
  readonly deliveryCount: number;
}

export type ActivityHandler<I = any, O = unknown> = (input: I, context: ActivityContext) => O | PromiseLike<O>;

export class DurableApp {
  private readonly orchestrators = new Map<string, OrchestratorFunction>();
  private readonly activities = new Map<string, ActivityHandler>();

  orchestration(name: string, handler: OrchestratorFunction | { handler: OrchestratorFunction }): this {
    const fn = typeof handler === 'function' ? handler : handler.handler;
    if (typeof fn !== 'function' || fn.constructor?.name !== 'GeneratorFunction') {
      throw new InvalidArgumentError(`Orchestrator '${name}' must be a generator function (function*).`);
    }
    this.register(this.orchestrators, 'Orchestrator', name, fn);
    return this;
  }

  activity<I, O>(name: string, handler: ActivityHandler<I, O> | { handler: ActivityHandler<I, O> }): this {
    const fn = typeof handler === 'function' ? handler : handler.handler;
    if (typeof fn !== 'function') throw new InvalidArgumentError(`Activity '${name}' needs a handler function.`);
    this.register(this.activities, 'Activity', name, fn as ActivityHandler);
    return this;
  }

  getOrchestrator(name: string): OrchestratorFunction | undefined {
    return this.orchestrators.get(name);
  }
  getActivity(name: string): ActivityHandler | undefined {
    return this.activities.get(name);
  }
  get orchestratorNames(): string[] {
    return [...this.orchestrators.keys()];
  }
  get activityNames(): string[] {
    return [...this.activities.keys()];
  }

  private register<T extends (...args: any[]) => unknown>(map: Map<string, T>, kind: string, name: string, fn: T): void {
    validateName(kind, name);
    const first = map.get(name);
    if (first) {
      throw new InvalidArgumentError(
        `${kind} '${name}' is already registered (first ${describe(first)}, again ${describe(fn)}); a name is registered once per DurableApp: rename one of the two or remove the second registration.`,
      );
    }
    map.set(name, fn);
  }
}

function describe(fn: (...args: any[]) => unknown): string {
  return fn.name ? `as function ${fn.name}` : 'as an anonymous function';
}
