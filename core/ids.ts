/** Identifiers from the platform's CSPRNG (web standard: browsers, workerd and Node). */

/** A random 32-hex-digit ID (a UUID without dashes, like Durable Functions' instance IDs). */
export function randomId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

const processPrefix = randomId().slice(0, 12);
let counter = 0;

/** A cheap unique ID for internal records (messages, work items): a random prefix and a counter. */
export function uniqueId(): string {
  return `${processPrefix}${(counter++).toString(36)}`;
}
