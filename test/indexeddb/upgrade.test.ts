/** The upgrade from schema version 1 on fake-indexeddb; the same case runs in Chromium (test/browser). */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { runUpgradeCase } from './upgrade.case.js';

const factory = new IDBFactory();
runUpgradeCase('fake-indexeddb', () => factory);
