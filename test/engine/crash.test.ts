import { MemoryStorage } from '../../core/index.js';
import { runCrashScenarios } from '../crash.case.js';

runCrashScenarios('memory', { open: () => new MemoryStorage() });
