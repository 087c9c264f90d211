/** The commit of an episode, for the Durable Object store's tests that drive the port by hand. */
import { event, type HistoryEvent } from '../../core/history.js';
import type { ActivityWorkItem, EpisodeCommit, InstanceRecord, OrchestrationWorkItem } from '../../core/store/port.js';

/**
 * The episode a leased work item opens, committed at `t`: the row Running, the item's messages
 * consumed and appended after OrchestratorStarted, then `append`; `activities` scheduled.
 */
export function leasedEpisode(
  record: InstanceRecord,
  item: OrchestrationWorkItem,
  t: string,
  { append = [], activities = [] }: { append?: HistoryEvent[]; activities?: ActivityWorkItem[] } = {},
): EpisodeCommit {
  const { version, ...row } = record;
  return {
    instanceId: record.instanceId,
    expectedVersion: version,
    lease: item.lease,
    instance: { ...row, runtimeStatus: 'Running' },
    history: { append: [event('OrchestratorStarted', t, {}), ...item.messages.map((m) => m.event), ...append] },
    consumedMessageIds: item.messages.map((m) => m.id),
    messages: [],
    newInstances: [],
    activities,
  };
}
