/**
 * Orchestrator code runs synchronously inside `generator.next()`, so swapping the
 * non-deterministic globals around that call covers exactly the orchestrator's code:
 * `Date.now()` reads the replayed orchestration time and `Math.random()` a PRNG seeded
 * from the instance, both identical on every replay.
 * @module
 */

/** mulberry32: tiny, fast and good enough for deterministic jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function runDeterministically<T>(now: () => number, random: () => number, body: () => T): T {
  const realNow = Date.now;
  const realRandom = Math.random;
  Date.now = now;
  Math.random = random;
  try {
    return body();
  } finally {
    Date.now = realNow;
    Math.random = realRandom;
  }
}
