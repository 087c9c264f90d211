/**
 * Committing an episode: the version and lease checks (and, for activity results it records
 * directly, that those activities are still held and no message comes first), then one write
 * of the instance's row (status, queue, history tail), its new activities, and the messages and
 * children it sends.
 * @module
 */
import { InstanceAlreadyExistsError, VersionConflictError } from '../../errors.js';
import { isTerminal, type HistoryEvent } from '../../history.js';
import type { CommitOutcome, EpisodeCommit, LeasedActivity, StoreNotification } from '../port.js';
import { consume, enqueue, finish, holds, install, save, schedule, warmHeld, warmRows } from './queue.js';
import { isInstance, within, type HistoryRow, type InstanceRow } from './schema.js';
import type { Unit } from './unit.js';

/**
 * Events stay in the row's tail until there are this many, then move to a history row: most
 * commits then write the row and nothing else, and the row stays small.
 */
export const TAIL_EVENTS = 16;

/** An episode's outcome, the notifications it owes once committed, and whether it left work that was not handed back. */
export interface Applied { outcome: CommitOutcome; changes: StoreNotification[]; work: boolean }
export const refused = (error: Error): Applied => ({ outcome: { ok: false, error }, changes: [], work: false });

function leaseLost(instanceId: string, version: number): VersionConflictError {
  const error = new VersionConflictError(instanceId, version, version);
  error.message = `Instance '${instanceId}' was leased by another worker after this episode's lease lapsed; the episode is not committed.`;
  return error;
}

export function warmEpisode(unit: Unit, hub: string, e: EpisodeCommit): void {
  void unit.get('instances', [hub, e.instanceId]);
  for (const { record } of e.newInstances) void unit.get('instances', [hub, record.instanceId]);
  for (const { item, lease } of e.completesActivities?.activities ?? []) warmHeld(unit, hub, item, lease.token);
  warmRows(unit, hub, e.messages);
}

/**
 * What keeps an episode from recording activity results directly (`EpisodeCommit.completesActivities`):
 * a message visible first, which must reach the orchestration before the results, or an activity
 * that its committer no longer holds, whose new holder will report.
 */
async function inTheWay(unit: Unit, hub: string, row: InstanceRow, now: number, activities: readonly LeasedActivity[]): Promise<string | undefined> {
  if (row.messages?.some((m) => m.at <= now)) return 'a message for it is waiting';
  for (const { item, lease } of activities) if (!(await holds(unit, hub, item, lease.token))) return `activity '${item.id}' is no longer held`;
  return undefined;
}

/** One episode: every check before the first write, so a refused episode leaves a shared transaction untouched. */
export async function applyEpisode(unit: Unit, hub: string, e: EpisodeCommit): Promise<Applied> {
  const found = await unit.get('instances', [hub, e.instanceId]);
  const current = found && isInstance(found) ? found : undefined;
  if (!current || current.version !== e.expectedVersion) return refused(new VersionConflictError(e.instanceId, e.expectedVersion, current?.version));
  // A lease that lapsed and was taken over: the new holder got these messages too, so committing would duplicate.
  if (e.lease && current.lock?.token !== e.lease.token) return refused(leaseLost(e.instanceId, current.version));
  const direct = e.completesActivities;
  const blocked = direct && await inTheWay(unit, hub, current, direct.now, direct.activities);
  if (blocked) return refused(new VersionConflictError(e.instanceId, e.expectedVersion, current.version, blocked));
  for (const { record } of e.newInstances) {
    const existing = await unit.get('instances', [hub, record.instanceId]);
    if (existing && isInstance(existing) && !isTerminal(existing.runtimeStatus)) return refused(new InstanceAlreadyExistsError(record.instanceId, existing.runtimeStatus));
  }
  const version = current.version + 1;
  // Completed as `completeActivities` would, but their results are in the history, not queued.
  if (direct) for (const { item, lease } of direct.activities) await finish(unit, hub, item, lease.token);
  // An inline one left the row: build on the row as that wrote it.
  const row = direct ? (await unit.get('instances', [hub, e.instanceId])) as InstanceRow : current;
  const { lock, messages, activities } = consume(row, e.consumedMessageIds, e.lease?.token);
  const { inline, leased } = schedule(unit, hub, e.instanceId, e.activities, activities?.length ?? 0, e.leaseActivities);
  save(unit, {
    ...e.instance, hub, instanceId: e.instanceId, version, ...history(unit, hub, row, e),
    ...(lock ? { lock } : {}), messages, activities: inline.length ? [...activities ?? [], ...inline] : activities,
  });
  for (const child of e.newInstances) await install(unit, hub, child);
  // Messages to itself land in the row just written: writes are coalesced (unit.ts), so it is still one put.
  await enqueue(unit, hub, e.messages);
  const changes: StoreNotification[] = e.newInstances.map(({ record }) => ({ kind: 'instance', instanceId: record.instanceId, runtimeStatus: record.runtimeStatus }));
  if (current.runtimeStatus !== e.instance.runtimeStatus || isTerminal(e.instance.runtimeStatus)) {
    changes.push({ kind: 'instance', instanceId: e.instanceId, runtimeStatus: e.instance.runtimeStatus });
  }
  // Work a worker could lease now or later: anything not handed back eagerly, or messages left waiting.
  const work = messages.length > 0 || e.messages.length > 0 || e.newInstances.length > 0 || e.activities.length > leased.length;
  return { outcome: leased.length ? { ok: true, version, leasedActivities: leased } : { ok: true, version }, changes, work };
}

/** The row's history fields after the episode; a full tail is written out as one history row. */
function history(unit: Unit, hub: string, current: InstanceRow, e: EpisodeCommit): Pick<InstanceRow, 'historyLength' | 'tail'> {
  const replace = 'replace' in e.history;
  const added = 'replace' in e.history ? e.history.replace : e.history.append;
  if (replace) unit.raw('history').delete(within(hub, e.instanceId));
  const kept: HistoryEvent[] = replace ? [] : current.tail ?? [];
  const length = (replace ? 0 : current.historyLength) + added.length;
  const tail = kept.length ? [...kept, ...added] : added;
  if (tail.length < TAIL_EVENTS) return tail.length ? { historyLength: length, tail } : { historyLength: length };
  unit.raw('history').put({ hub, instanceId: e.instanceId, seq: length - tail.length, events: tail } satisfies HistoryRow);
  return { historyLength: length };
}
