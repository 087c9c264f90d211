/**
 * `@azure/functions` v4's `InvocationContext`: what every handler gets as its last argument
 * (`log`, `warn`, `error`, `invocationId`, `functionName`, `extraInputs.get(...)`).
 * @module
 */
import { randomId } from '../../core/ids.js';

/** A binding given in `extraInputs` (e.g. `df.input.durableClient()`); matched by identity or by `name`. */
export interface FunctionInput {
  type: string;
  name: string;
  [key: string]: unknown;
}

export interface InvocationContextInit {
  invocationId?: string;
  functionName?: string;
  /** Values of the `extraInputs`, by input name. */
  inputs?: ReadonlyMap<string, unknown>;
  logger?: Pick<Console, 'log' | 'warn' | 'error' | 'debug' | 'info' | 'trace'>;
  /** The registration's bindings (`getClient` looks for the durable client among `extraInputs`). */
  extraInputs?: readonly unknown[];
}

const nameOf = (input: FunctionInput | string): string => (typeof input === 'string' ? input : input.name);

export class InvocationContext {
  readonly invocationId: string;
  readonly functionName: string;
  readonly extraInputs: { get(input: FunctionInput | string): unknown; set(input: FunctionInput | string, value: unknown): void };
  readonly extraOutputs: { get(output: FunctionInput | string): unknown; set(output: FunctionInput | string, value: unknown): void };
  readonly triggerMetadata: Record<string, unknown> = {};
  readonly options: { trigger: unknown; extraInputs: readonly unknown[]; extraOutputs: readonly unknown[] };
  private readonly logger: NonNullable<InvocationContextInit['logger']>;

  constructor(init: InvocationContextInit = {}) {
    this.invocationId = init.invocationId ?? randomId();
    this.functionName = init.functionName ?? 'unknown';
    this.logger = init.logger ?? console;
    this.options = { trigger: undefined, extraInputs: init.extraInputs ?? [], extraOutputs: [] };
    const inputs = new Map(init.inputs);
    const outputs = new Map<string, unknown>();
    this.extraInputs = { get: (input) => inputs.get(nameOf(input)), set: (input, value) => inputs.set(nameOf(input), value) };
    this.extraOutputs = { get: (output) => outputs.get(nameOf(output)), set: (output, value) => outputs.set(nameOf(output), value) };
  }

  log(...args: unknown[]): void {
    this.logger.log(`[${this.functionName}]`, ...args);
  }
  trace(...args: unknown[]): void {
    this.logger.trace(`[${this.functionName}]`, ...args);
  }
  debug(...args: unknown[]): void {
    this.logger.debug(`[${this.functionName}]`, ...args);
  }
  info(...args: unknown[]): void {
    this.logger.info(`[${this.functionName}]`, ...args);
  }
  warn(...args: unknown[]): void {
    this.logger.warn(`[${this.functionName}]`, ...args);
  }
  error(...args: unknown[]): void {
    this.logger.error(`[${this.functionName}]`, ...args);
  }
}
