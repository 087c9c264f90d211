/** The crash-at-every-write scenarios on IndexedDB: the new process opens a new connection to the database. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import { runCrashScenarios } from '../crash.case.js';

const factory = new IDBFactory();
let n = 0;
const names = new WeakMap<object, string>();

runCrashScenarios('IndexedDB (fake-indexeddb)', {
  async open() {
    const name = `crash-${++n}`;
    const storage = await IndexedDbStorage.open(name, { indexedDB: factory });
    names.set(storage, name);
    return storage;
  },
  async reopen(dead) {
    await (dead as IndexedDbStorage).close();
    return IndexedDbStorage.open(names.get(dead)!, { indexedDB: factory });
  },
  close: (storage) => (storage as IndexedDbStorage).close(),
});
