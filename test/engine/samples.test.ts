import { MemoryStorage } from '../../core/index.js';
import { runSampleScenarios } from '../samples.case.js';

runSampleScenarios('the in-memory store', () => new MemoryStorage());
