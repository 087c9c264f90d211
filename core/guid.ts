/** RFC 4122 §4.3 name-based (version 5, SHA-1) UUIDs: the same name always gives the same UUID. */
import { sha1 } from '@noble/hashes/legacy.js';

/** The namespace Durable Functions uses for `newGuid`, so IDs match across runtimes. */
const DURABLE_NAMESPACE = '9e952958-5e33-4daf-827f-2fa12937b875';
const encoder = new TextEncoder();

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll('-', '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

export function nameBasedUuid(name: string, namespace = DURABLE_NAMESPACE): string {
  const ns = uuidBytes(namespace);
  const bytes = encoder.encode(name);
  const data = new Uint8Array(ns.length + bytes.length);
  data.set(ns);
  data.set(bytes, ns.length);
  const hash = sha1(data).slice(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
