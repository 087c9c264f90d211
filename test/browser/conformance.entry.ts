/** The browser side of indexeddb.chromium.test.ts: the storage conformance suite, the two-engine race and the schema upgrade on the page's real IndexedDB. */
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import { runStoreConformance } from '../conformance/store.case.js';
import { runRaceCase } from '../indexeddb/race.case.js';
import { runUpgradeCase } from '../indexeddb/upgrade.case.js';
import { run } from './vitest-shim.js';

const prefix = `edge-durable-${Date.now()}`;
let n = 0;
runStoreConformance('indexeddb (Chromium)', () => IndexedDbStorage.open(`${prefix}-${++n}`), { eagerDispatch: true, releasesLeases: true });
runRaceCase('indexeddb (Chromium)', async (name) => [await IndexedDbStorage.open(`${prefix}-${name}`), await IndexedDbStorage.open(`${prefix}-${name}`)]);
runUpgradeCase('indexeddb (Chromium)', () => indexedDB);

(globalThis as { __report?: unknown }).__report = run().then((results) => ({ results, userAgent: navigator.userAgent }));
