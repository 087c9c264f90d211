/**
 * One interface for both places a task hub can live, so every command is written once:
 * a running host's HTTP API (`--endpoint`) or a local store file (`--store`).
 * Both speak the Durable Functions wire shapes (core/wire: status payload, `historyEvents` rows).
 * @module
 */

import type { HistoryEvent } from '../core/history.js';
import type { BundleSource } from '../core/wire/bundle.js';
import { type InstanceFilter, type InstanceQuery, readAllPages } from '../core/wire/client.js';
import { fromHistoryRows } from '../core/wire/history-rows.js';
import type { HistoryPagePayload, HistoryRow, InstanceCountsPayload, InstancePage, ResetRequest, StatusPayload } from '../core/wire/payloads.js';

export type { BundleSource, HistoryPagePayload, HistoryRow, InstanceCountsPayload, InstanceFilter, InstancePage, ResetRequest, StatusPayload };
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
  /** What a history bundle records as its source. */
  readonly source: BundleSource;

  startNew(name: string, input: unknown, instanceId?: string): Promise<Started>;
  /** Undefined when there is no such instance. */
  getStatus(instanceId: string, options?: { showInput?: boolean }): Promise<StatusPayload | undefined>;
  /** Rows `from` (0-based) to `from + top - 1`, one per stored event, as `GET instances/{id}/history` pages them. Throws NotFound for an unknown instance. */
  getHistoryPage(instanceId: string, page: { from: number; top: number }): Promise<HistoryPagePayload>;
  /** Per-status counts of the instances created in the range. */
  countInstances(filter: { createdTimeFrom?: string; createdTimeTo?: string }): Promise<InstanceCountsPayload>;
  listInstances(query: ListQuery): Promise<InstancePage>;
  raiseEvent(instanceId: string, eventName: string, eventData: unknown): Promise<void>;
  terminate(instanceId: string, reason?: string): Promise<void>;
  suspend(instanceId: string, reason?: string): Promise<void>;
  resume(instanceId: string, reason?: string): Promise<void>;
  rewind(instanceId: string, reason?: string): Promise<void>;
  /** Returns the new instance's ID. */
  restart(instanceId: string, options: { newInstanceId: boolean }): Promise<string>;
  /** Takes the instance back to a history row, or forks it there (`DurableClient.reset`); returns the ID of the instance that continues. */
  reset(instanceId: string, options: ResetRequest): Promise<string>;
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

/** Every history row, page after page (`top` each) until a page has no `nextFrom`. */
export async function historyAll(backend: Backend, instanceId: string, top = 1000): Promise<HistoryRow[]> {
  const rows: HistoryRow[] = [];
  for (let from: number | undefined = 0; from !== undefined; ) {
    const page = await backend.getHistoryPage(instanceId, { from, top });
    rows.push(...page.events);
    from = page.nextFrom !== undefined && page.nextFrom > from ? page.nextFrom : undefined;
  }
  return rows;
}

/** Follows continuation tokens to the end. */
export function listAll(backend: Backend, query: ListQuery, pageSize = 100): Promise<StatusPayload[]> {
  return readAllPages((continuationToken) => backend.listInstances({ ...query, top: pageSize, continuationToken }));
}

/** The history as recorded, every event read back from its rows (what a replay needs); throws NotFound for an unknown instance. */
export async function historyEvents(backend: Backend, instanceId: string): Promise<HistoryEvent[]> {
  return fromHistoryRows(await historyAll(backend, instanceId));
}
