/**
 * The part of the `cloudflare:workers` module that `object.ts` uses, so that the repo
 * type-checks without the global Workers types (they clash with the DOM lib).
 */
declare module 'cloudflare:workers' {
  export abstract class DurableObject<Env = unknown> {
    protected ctx: { storage: import('./object.js').DurableObjectStateStorage; waitUntil(promise: Promise<unknown>): void };
    protected env: Env;
    constructor(ctx: unknown, env: Env);
  }
}
