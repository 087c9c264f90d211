/**
 * Deterministic identifiers for simulation: 32 lowercase hex digits, the shape of
 * `randomId()`, drawn from a seeded PRNG so the same seed gives the same IDs in the same order.
 * @module
 */
import { hashSeed, seededRandom } from '../orchestration/determinism.js';

/**
 * A `newId` for DurableClient and Worker options: the same seed always yields the same sequence.
 * An ID asked for with `derivedFrom` is a function of the seed and that key alone, so it does not
 * depend on the order in which concurrent work ran (cached and strict workers interleave differently).
 */
export function deterministicIds(seed: number | string = 0): (derivedFrom?: string) => string {
  const base = typeof seed === 'number' ? seed : hashSeed(seed);
  const next = words(seededRandom(base));
  return (derivedFrom) => (derivedFrom === undefined ? next() : words(seededRandom(hashSeed(`${base}:${derivedFrom}`)))());
}

function words(random: () => number): () => string {
  const word = () =>
    Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return () => word() + word() + word() + word();
}
