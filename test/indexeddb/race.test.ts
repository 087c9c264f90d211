/**
 * Two engines on one database (two tabs, or a tab and a worker): two IndexedDbStorage objects
 * on the same factory and database name. Nothing may be committed twice.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import { runRaceCase } from './race.case.js';

async function twoEngines(name: string) {
  const factory = new IDBFactory();
  return [await IndexedDbStorage.open(name, { indexedDB: factory }), await IndexedDbStorage.open(name, { indexedDB: factory })] as const;
}

runRaceCase('fake-indexeddb', twoEngines);
