import { MemoryStorage } from '../../core/store/memory.js';
import { runStoreConformance } from './store.case.js';

runStoreConformance('memory', () => new MemoryStorage(), { eagerDispatch: true, releasesLeases: true });
