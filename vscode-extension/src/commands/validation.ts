/** Parsing and validation of what users type into input boxes. Pure; validators return a message or undefined. */
import { parseTimeInput } from '../filters.js';
import { eventNameProblem, instanceIdProblem, problemOf } from '../wire.js';

/** Empty input means "no value" (undefined); anything else must be JSON. Throws with the parser's message. */
export function parseJsonInput(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch (error) {
    throw new Error(`Not valid JSON: ${(error as Error).message}. Strings need quotes, e.g. "hello".`);
  }
}

export function validateJsonInput(text: string): string | undefined {
  return problemOf(() => parseJsonInput(text));
}

/** Input-box validator form of `parseTimeInput` (filters.ts). */
export function validateTimeInput(input: string, now: number): string | undefined {
  return problemOf(() => parseTimeInput(input, now));
}

export function validateEventName(name: string): string | undefined {
  const value = name.trim();
  return value ? eventNameProblem(value) : 'Enter the event name the orchestrator waits for.';
}

/** The server's instance ID rules (core/limits.ts), with its message. An empty ID is valid when optional (the server generates one). */
export function validateInstanceId(id: string, { optional }: { optional: boolean }): string | undefined {
  const value = id.trim();
  if (!value) return optional ? undefined : 'Enter an instance ID.';
  return instanceIdProblem(value);
}
