/**
 * The instance ID rules of the wire, defined once in core/limits.ts: Durable Functions'
 * character rules (no control characters, no `/ \ # ?`, no leading `@`), at most 100 characters.
 * @module
 */
import { MAX_INSTANCE_ID_LENGTH, MAX_NAME_LENGTH, validateInstanceId } from '../limits.js';

export { MAX_INSTANCE_ID_LENGTH, MAX_NAME_LENGTH, validateInstanceId };

/** What is wrong with an instance ID, in the words of the server's 400, or undefined when it is valid. */
export function instanceIdProblem(instanceId: string): string | undefined {
  try {
    validateInstanceId(instanceId);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
