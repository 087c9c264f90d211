/**
 * The KV log's entries, and how they change the hub model (`../hub-state.ts`) that the KV
 * writer holds in memory. Durable changes go through `applyOp(state, op)` only, the same
 * function at run time and on recovery, so a replayed log yields exactly the state the writer
 * had. Leases, delivery counts and abandon delays are not logged: a new writer redelivers
 * (at least once).
 * @module
 */
import type { HubContents, HubState } from '../hub-state.js';
import type { EpisodeCommit, InstanceRecord, OrchestrationMessage } from '../port.js';

/** A durable change; one or more make up a log entry. */
export type LogOp =
  | { op: 'create'; record: InstanceRecord; start: OrchestrationMessage }
  | { op: 'enqueue'; messages: OrchestrationMessage[] }
  | {
      op: 'commit';
      episode: LoggedEpisode;
      version: number;
      /** Activities the episode completed itself (`completesActivities`). */
      completedActivityIds?: string[];
    }
  | { op: 'complete'; itemId: string; result: OrchestrationMessage }
  | { op: 'discard'; instanceId: string; messageIds: string[] }
  | { op: 'purge'; instanceIds: string[] }
  | { op: 'clear' };

/** An episode as logged: its lease is memory-only, and of the activities it completed only the IDs matter. */
export type LoggedEpisode = Omit<EpisodeCommit, 'lease' | 'completesActivities'>;

/** A snapshot is the model's durable contents, as JSON. */
export type HubSnapshot = HubContents;

type OpHandlers = { [K in LogOp['op']]: (state: HubState, op: Extract<LogOp, { op: K }>) => void };

const handlers: OpHandlers = {
  create: (state, op) => state.install(op.record, op.start),
  enqueue: (state, op) => {
    for (const m of op.messages) state.enqueue(m);
  },
  commit: (state, op) => {
    for (const id of op.completedActivityIds ?? []) state.deleteActivity(id);
    state.applyEpisode(op.episode, op.version);
  },
  complete: (state, op) => {
    state.deleteActivity(op.itemId);
    state.enqueue(op.result);
  },
  discard: (state, op) => state.discard(op.instanceId, op.messageIds),
  purge: (state, op) => {
    for (const id of op.instanceIds) state.remove(id);
  },
  clear: (state) => state.clear(),
};

export function applyOp(state: HubState, op: LogOp): void {
  // The table pairs each handler with its op's type; TypeScript cannot see that pairing through `op.op`.
  (handlers[op.op] as (state: HubState, op: LogOp) => void)(state, op);
}
