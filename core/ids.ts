/** Identifiers from the platform's CSPRNG (web standard: browsers, workerd and Node). */

/** A random 32-hex-digit ID (a UUID without dashes, like Durable Functions' instance IDs). */
export function randomId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

// Made on first use: workerd refuses random numbers at module scope in a deployed Worker.
let processPrefix: string | undefined;
let counter = 0;

/** A cheap unique ID for internal records (messages, work items): a random prefix and a counter. */
export function uniqueId(): string {
  processPrefix ??= randomId().slice(0, 12);
  return `${processPrefix}${(counter++).toString(36)}`;
}
