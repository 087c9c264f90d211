/**
 * Limits in one place: validated by the core and again at every edge.
 * @module
 */
import { InvalidArgumentError } from './errors.js';

export const MAX_INSTANCE_ID_LENGTH = 100;
export const MAX_NAME_LENGTH = 256;
/** The default largest serialized input, output, event payload or custom status. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
export const DEFAULT_TASK_HUB = 'DurableFunctionsHub';
/** Task hub names become storage key prefixes and URL query values. */
const TASK_HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,49}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: masks them in messages.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule exists to refuse control characters.
const FORBIDDEN_IN_ID = /[\u0000-\u001f\u007f-\u009f/\\#?]/;

/** Durable Functions' rules (no control characters, no `/ \ # ?`, no leading `@`), capped at 100 characters. */
export function validateInstanceId(instanceId: unknown): string {
  if (typeof instanceId !== 'string' || instanceId.length === 0) {
    throw new InvalidArgumentError('Instance ID must be a non-empty string.');
  }
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH) {
    throw new InvalidArgumentError(`Instance ID is ${instanceId.length} characters long; the limit is ${MAX_INSTANCE_ID_LENGTH}.`);
  }
  if (instanceId.startsWith('@')) {
    throw new InvalidArgumentError(`Instance ID '${instanceId}' must not start with '@' (reserved for entities).`);
  }
  const bad = FORBIDDEN_IN_ID.exec(instanceId);
  if (bad) {
    const shown = bad[0] < ' ' || bad[0] >= '\u007f' ? `U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}` : `'${bad[0]}'`;
    throw new InvalidArgumentError(
      `Instance ID '${instanceId.replace(CONTROL_CHARACTERS, '?')}' contains ${shown}; control characters and / \\ # ? are not allowed.`,
    );
  }
  return instanceId;
}

export function validateName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0) throw new InvalidArgumentError(`${kind} name must be a non-empty string.`);
  if (name.length > MAX_NAME_LENGTH) throw new InvalidArgumentError(`${kind} name is longer than ${MAX_NAME_LENGTH} characters.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the rule exists to refuse control characters.
  if (/[\u0000-\u001f]/.test(name)) throw new InvalidArgumentError(`${kind} name must not contain control characters.`);
  return name;
}

export function validateTaskHubName(name: unknown): string {
  if (typeof name !== 'string' || !TASK_HUB_PATTERN.test(name)) {
    throw new InvalidArgumentError(`Task hub name '${String(name)}' is invalid: use 1-50 letters, digits, '-' or '_', starting with a letter.`);
  }
  return name;
}
