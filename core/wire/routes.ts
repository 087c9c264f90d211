/**
 * The routes of the HTTP API, relative to `{endpoint}{WEBHOOK_PATH}/`, and the header that
 * carries a listing's continuation token. Path segments are URI-encoded here, once.
 * @module
 */

/** Where Durable Functions serves its HTTP management API on a host. */
export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';

/** Request header with the token of the page to read; response header when another page follows. */
export const CONTINUATION_HEADER = 'x-ms-continuation-token';

/** The instance operations that are a POST to `instances/{id}/{operation}` with an optional `reason`. */
export type ControlOperation = 'terminate' | 'suspend' | 'resume' | 'rewind';

const segment = encodeURIComponent;

export const routes = {
  /** GET lists (paged), DELETE purges by filter. */
  instances: (): string => 'instances',
  /** GET status, DELETE purges one. */
  instance: (instanceId: string): string => `instances/${segment(instanceId)}`,
  control: (instanceId: string, operation: ControlOperation): string => `instances/${segment(instanceId)}/${operation}`,
  raiseEvent: (instanceId: string, eventName: string): string => `instances/${segment(instanceId)}/raiseEvent/${segment(eventName)}`,
  restart: (instanceId: string): string => `instances/${segment(instanceId)}/restart`,
  /** POST takes the instance back to a row of its history, or forks it there (not in Durable Functions). */
  reset: (instanceId: string): string => `instances/${segment(instanceId)}/reset`,
  /** POST starts an instance; an empty ID lets the server pick one. */
  start: (orchestratorName: string, instanceId?: string): string => `orchestrators/${segment(orchestratorName)}${instanceId ? `/${segment(instanceId)}` : ''}`,
  /** GET a page of the instance's history: `?from=&top=` (not in Durable Functions). */
  history: (instanceId: string): string => `instances/${segment(instanceId)}/history`,
  /** GET per-status instance counts: `?createdTimeFrom=&createdTimeTo=` (not in Durable Functions). */
  counts: (): string => 'counts',
  /** GET the scope the credentials presented grant (not in Durable Functions). */
  scope: (): string => 'scope',
  /** GET lists the registered orchestrator names (not in Durable Functions). */
  orchestrators: (): string => 'orchestrators',
  /** GET lists the task hubs that hold data (not in Durable Functions). */
  taskHubs: (): string => 'taskhubs',
  /** DELETE deletes a task hub with everything in it (not in Durable Functions). */
  taskHub: (taskHub: string): string => `taskhubs/${segment(taskHub)}`,
} as const;
