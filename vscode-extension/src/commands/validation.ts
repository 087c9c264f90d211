/** Parsing and validation of what users type into input boxes. Pure; validators return a message or undefined. */

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
  try {
    parseJsonInput(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

// Characters DF forbids in instance IDs (Azure Table key rules); event names are URL path segments, so the same set
const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
const MAX_ID_LENGTH = 256;

export function validateEventName(name: string): string | undefined {
  const value = name.trim();
  if (!value) return 'Enter the event name the orchestrator waits for.';
  if (FORBIDDEN.test(value)) return 'Event names cannot contain / \\ # ? or control characters.';
  if (value.length > MAX_ID_LENGTH) return `Event names are limited to ${MAX_ID_LENGTH} characters.`;
  return undefined;
}

/** An empty ID is valid when optional (the server generates one). */
export function validateInstanceId(id: string, { optional }: { optional: boolean }): string | undefined {
  const value = id.trim();
  if (!value) return optional ? undefined : 'Enter an instance ID.';
  if (value.startsWith('@')) return 'Instance IDs cannot start with @ (reserved for entities).';
  if (FORBIDDEN.test(value)) return 'Instance IDs cannot contain / \\ # ? or control characters.';
  if (value.length > MAX_ID_LENGTH) return `Instance IDs are limited to ${MAX_ID_LENGTH} characters.`;
  return undefined;
}
