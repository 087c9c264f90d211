import Database from 'better-sqlite3';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { runStoreConformance } from '../conformance/store.case.js';

runStoreConformance('sqlite', () => new SqliteStorage(new Database(':memory:')), { eagerDispatch: true, releasesLeases: true });
