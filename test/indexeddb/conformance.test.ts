import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import { runStoreConformance } from '../conformance/store.case.js';

let n = 0;
runStoreConformance('indexeddb (fake-indexeddb)', () => IndexedDbStorage.open(`conformance-${++n}`, { indexedDB: new IDBFactory() }), {
  eagerDispatch: true,
  releasesLeases: true,
});
