/** Identifiers from the platform's CSPRNG (web standard: browsers, workerd and Node). */

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
/** Random bytes are drawn from the CSPRNG in blocks, so that an ID is a copy from the pool and not a call into the CSPRNG each. */
const POOL_BYTES = 4096;
let pool: Uint8Array | undefined;
let offset = POOL_BYTES;

/** A random 32-hex-digit ID: a version 4 UUID without dashes, like Durable Functions' instance IDs. */
export function randomId(): string {
  // Filled on first use: workerd refuses random numbers at module scope in a deployed Worker.
  if (offset === POOL_BYTES) {
    pool ??= new Uint8Array(POOL_BYTES);
    crypto.getRandomValues(pool);
    offset = 0;
  }
  const bytes = pool!;
  const at = offset;
  offset += 16;
  bytes[at + 6] = (bytes[at + 6]! & 0x0f) | 0x40;
  bytes[at + 8] = (bytes[at + 8]! & 0x3f) | 0x80;
  let id = '';
  for (let i = at; i < at + 16; i++) id += HEX[bytes[i]!];
  return id;
}

// Made on first use: workerd refuses random numbers at module scope in a deployed Worker.
let processPrefix: string | undefined;
let counter = 0;

/** A cheap unique ID for internal records (messages, work items): a random prefix and a counter. */
export function uniqueId(): string {
  processPrefix ??= randomId().slice(0, 12);
  return `${processPrefix}${(counter++).toString(36)}`;
}
