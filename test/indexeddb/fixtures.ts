/** What the IndexedDB tests share: their fixed time, the instance they start with, and a raw open of a database. */
import { event } from '../../core/history.js';
import type { NewInstance } from '../../core/store/port.js';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

/** A Pending instance of orchestrator `name`, execution `e1`, created at T0 with its start message `start-<instanceId>`. */
export function pendingInstance(instanceId: string, name: string): NewInstance {
  return {
    record: { instanceId, name, executionId: 'e1', runtimeStatus: 'Pending', createdTime: iso(T0), lastUpdatedTime: iso(T0) },
    start: {
      id: `start-${instanceId}`,
      instanceId,
      event: event('ExecutionStarted', iso(T0), { name, orchestrationInstance: { instanceId, executionId: 'e1' } }),
      visibleAt: iso(T0),
    },
  };
}

/** Opens `name` without the adapter; `upgrade` runs when `version` is newer than the database's. */
export function rawOpen(
  factory: IDBFactory,
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase, transaction: IDBTransaction) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result, request.transaction!);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
