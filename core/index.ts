/**
 * edge-durable core: a platform-neutral durable orchestration engine (web-standard APIs only).
 * @module
 */
export { type ActivityContext, type ActivityHandler, DurableApp, type OrchestratorFunction } from './app.js';
export {
  type ClientOptions,
  DurableClient,
  type InstanceList,
  type ListOptions,
  type PurgeHistoryResult,
  type ResetOptions,
  type StartOptions,
  type WaitOptions,
} from './client.js';
export { type Clock, systemClock, VirtualClock } from './clock.js';
export * from './errors.js';
export * from './history.js';
export { DEFAULT_TASK_HUB, MAX_INSTANCE_ID_LENGTH, validateInstanceId, validateTaskHubName } from './limits.js';
export { DurableOrchestrationContext, OrchestrationContext } from './orchestration/context.js';
export { type EpisodeResult, OrchestrationExecutor, type OrchestrationOutcome, type OrchestratorAction, replay } from './orchestration/executor.js';
export { checkReplay, type ReplayReport } from './orchestration/replay-check.js';
export { RetryOptions } from './orchestration/retry.js';
export { Task, TimerTask } from './orchestration/task.js';
export type { OrchestrationStatus, StatusOptions } from './status.js';
export { MemoryStorage } from './store/memory.js';
export type * from './store/port.js';
export { Worker, type WorkerOptions } from './worker/index.js';
