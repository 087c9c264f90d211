/**
 * The name rules of the wire, defined once in core/limits.ts: instance IDs follow Durable Functions'
 * character rules (no control characters, no `/ \ # ?`, no leading `@`), at most 100 characters;
 * event names travel as a URL path segment (`raiseEvent/{name}`).
 * @module
 */
import { problemOf } from '../errors.js';
import { MAX_INSTANCE_ID_LENGTH, MAX_NAME_LENGTH, validateInstanceId, validateName } from '../limits.js';

export { MAX_INSTANCE_ID_LENGTH, MAX_NAME_LENGTH, problemOf, validateInstanceId };

/** What is wrong with an instance ID, in the words of the server's 400, or undefined when it is valid. */
export const instanceIdProblem = (instanceId: string): string | undefined => problemOf(() => validateInstanceId(instanceId));

/** What is wrong with an event name: the server's name rules, and no `/ \ # ?` (a path segment); undefined when it is valid. */
export function eventNameProblem(name: string): string | undefined {
  if (/[/\\#?]/.test(name)) return 'Event names cannot contain / \\ # ? (they travel as a URL path segment).';
  return problemOf(() => validateName('Event', name));
}
