/** What the IndexedDB tests share: their fixed time and the instance they start with. */
import { event } from '../../core/history.js';
import type { NewInstance } from '../../core/store/port.js';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

/** A Pending instance of orchestrator `name`, execution `e1`, created at T0 with its start message `start-<instanceId>`. */
export function pendingInstance(instanceId: string, name: string): NewInstance {
  return {
    record: { instanceId, name, executionId: 'e1', runtimeStatus: 'Pending', createdTime: iso(T0), lastUpdatedTime: iso(T0) },
    start: { id: `start-${instanceId}`, instanceId, event: event('ExecutionStarted', iso(T0), { name, orchestrationInstance: { instanceId, executionId: 'e1' } }), visibleAt: iso(T0) },
  };
}
