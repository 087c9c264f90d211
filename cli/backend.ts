/**
 * One interface for both places a task hub can live, so every command is written once:
 * a running host's HTTP API (`--endpoint`) or a local store file (`--store`).
 * Both speak the Durable Functions wire shapes (core/wire: status payload, `historyEvents` rows).
 * @module
 */
import { type InstanceFilter, type InstanceQuery, readAllPages } from '../core/wire/client.js';
import type { HistoryRow, InstancePage, StatusPayload } from '../core/wire/payloads.js';

export type { HistoryRow, InstanceFilter, InstancePage, StatusPayload };
export type ListQuery = InstanceQuery;

export interface Started {
  id: string;
  /** Endpoint mode: where to poll the status. */
  statusQueryGetUri?: string;
}

export interface Backend {
  /** `endpoint` runs instances itself; `store` only queues work for a host to run. */
  readonly mode: 'endpoint' | 'store';
  /** Human-readable: where the task hub is. */
  readonly description: string;
  readonly taskHub: string;

  startNew(name: string, input: unknown, instanceId?: string): Promise<Started>;
  /** Undefined when there is no such instance. */
  getStatus(instanceId: string, options?: { showInput?: boolean }): Promise<StatusPayload | undefined>;
  /** Throws NotFound for an unknown instance. */
  getHistory(instanceId: string): Promise<HistoryRow[]>;
  listInstances(query: ListQuery): Promise<InstancePage>;
  raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void>;
  terminate(instanceId: string, reason?: string): Promise<void>;
  suspend(instanceId: string, reason?: string): Promise<void>;
  resume(instanceId: string, reason?: string): Promise<void>;
  rewind(instanceId: string, reason?: string): Promise<void>;
  /** Returns the new instance's ID. */
  restart(instanceId: string, options: { newInstanceId: boolean }): Promise<string>;
  /** Deletes one finished instance; returns the number deleted (1). */
  purgeInstance(instanceId: string): Promise<number>;
  /** `onProgress` gets the running total where the backend purges in chunks (a store); a host purges in one request. */
  purgeInstances(filter: InstanceFilter, onProgress?: (purged: number) => void): Promise<number>;
  /** Whether the hub existed. */
  deleteTaskHub(): Promise<boolean>;
  listTaskHubs(): Promise<string[]>;
  /** Registered orchestrator names; only a host knows them (Unsupported in store mode). */
  listOrchestrators(): Promise<string[]>;
  close(): Promise<void>;
}

/** Follows continuation tokens to the end. */
export function listAll(backend: Backend, query: ListQuery, pageSize = 100): Promise<StatusPayload[]> {
  return readAllPages((continuationToken) => backend.listInstances({ ...query, top: pageSize, continuationToken }));
}
