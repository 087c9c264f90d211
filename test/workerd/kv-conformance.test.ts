/** The conformance suite on the KV adapter in Node: over an immediately consistent fake, and over stale, rate-limited KV. */
import { VirtualClock } from '../../core/clock.js';
import { KvStorage } from '../../core/store/kv/index.js';
import { runStoreConformance } from '../conformance/store.case.js';
import { MemoryKv, StaleKv } from './kv-fakes.js';

runStoreConformance('kv (consistent fake)', () => new KvStorage(new MemoryKv(), { snapshotEvery: 3 }));

// One writer never depends on what KV reads back, so staleness and cached misses change nothing.
runStoreConformance('kv (stale reads, cached misses, 1 write/s/key)', () => {
  const clock = new VirtualClock();
  return new KvStorage(new StaleKv(clock, { staleReadsAfterWrite: 3, cacheTtlMs: 60_000, listLagMs: 60_000 }), { clock, snapshotEvery: 3 });
});
