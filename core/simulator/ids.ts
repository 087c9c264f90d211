/**
 * Deterministic identifiers for simulation: 32 lowercase hex digits, the shape of
 * `randomId()`, drawn from a seeded PRNG so the same seed gives the same IDs in the same order.
 * @module
 */
import { hashSeed, seededRandom } from '../orchestration/determinism.js';

/** A `newId` for DurableClient and Worker options: the same seed always yields the same sequence. */
export function deterministicIds(seed: number | string = 0): () => string {
  const random = seededRandom(typeof seed === 'number' ? seed : hashSeed(seed));
  const word = () => Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return () => word() + word() + word() + word();
}
