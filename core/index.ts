/**
 * edge-durable core: a platform-neutral durable orchestration engine (web-standard APIs only).
 * @module
 */
export { DurableApp, type ActivityContext, type ActivityHandler, type OrchestratorFunction } from './app.js';
export { DurableClient, type ClientOptions, type InstanceList, type ListOptions, type PurgeHistoryResult, type StartOptions, type WaitOptions } from './client.js';
export { systemClock, VirtualClock, type Clock } from './clock.js';
export * from './errors.js';
export * from './history.js';
export { DEFAULT_TASK_HUB, MAX_INSTANCE_ID_LENGTH, validateInstanceId, validateTaskHubName } from './limits.js';
export { OrchestrationContext, DurableOrchestrationContext } from './orchestration/context.js';
export { OrchestrationExecutor, replay, type EpisodeResult, type OrchestratorAction, type OrchestrationOutcome } from './orchestration/executor.js';
export { RetryOptions } from './orchestration/retry.js';
export { Task, TimerTask } from './orchestration/task.js';
export type { OrchestrationStatus, StatusOptions } from './status.js';
export { MemoryStorage } from './store/memory.js';
export type * from './store/port.js';
export { Worker, type WorkerOptions } from './worker/index.js';
export * as wire from './wire/index.js';
