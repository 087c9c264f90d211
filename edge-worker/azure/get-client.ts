/**
 * `df.input.durableClient()` and `df.getClient(context)`: a function that lists the durable
 * client among its `extraInputs` gets a `DurableClient` for its invocation. As in v3, a
 * function without that input is told to add it.
 * @module
 */
import { DurableClient, type DurableClientBinding } from './durable-client.js';
import type { FunctionInput, InvocationContext } from './invocation-context.js';

export const DURABLE_CLIENT_TYPE = 'durableClient';

let inputs = 0;

export const input = {
  /** The durable client input binding, for `extraInputs`. */
  durableClient(): FunctionInput {
    return { type: DURABLE_CLIENT_TYPE, name: `$durableClient${inputs++}` };
  },
};

export const isDurableClientInput = (value: unknown): value is FunctionInput =>
  typeof value === 'object' && value !== null && (value as FunctionInput).type === DURABLE_CLIENT_TYPE;

const isBinding = (value: unknown): value is DurableClientBinding =>
  typeof value === 'object' && value !== null && (value as DurableClientBinding).kind === 'edge-durable.durableClient';

export function getClient(context: InvocationContext): DurableClient {
  const clientInput = context?.options?.extraInputs?.find(isDurableClientInput);
  const binding = clientInput ? context.extraInputs.get(clientInput) : undefined;
  if (!isBinding(binding)) {
    // v3's message (src/durableClient/getClient.ts).
    throw new Error('Could not find a registered durable client input binding. Check your extraInputs definition when registering your function.');
  }
  return new DurableClient(binding);
}
