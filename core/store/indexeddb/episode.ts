/**
 * Committing an episode: the facts the commit rules need (`../commit-rules.ts`: version, lease,
 * and for activity results it records directly, that those activities are still held and no
 * message comes first), then one write
 * of the instance's row (status, queue, history tail), its new activities, and the messages and
 * children it sends.
 * @module
 */
import { type HistoryEvent, isTerminal, type RuntimeStatus } from '../../history.js';
import { episodeRefusal } from '../commit-rules.js';
import type { CommitOutcome, EpisodeCommit, StoreNotification } from '../port.js';
import { consume, enqueue, finish, holds, install, save, schedule, warmHeld, warmRows } from './queue.js';
import { type HistoryRow, type InstanceRow, isInstance, within } from './schema.js';
import type { Unit } from './unit.js';

/**
 * Events stay in the row's tail until there are this many, then move to a history row: most
 * commits then write the row and nothing else, and the row stays small.
 */
export const TAIL_EVENTS = 16;

/** An episode's outcome, the notifications it owes once committed, and whether it left work that was not handed back. */
export interface Applied {
  outcome: CommitOutcome;
  changes: StoreNotification[];
  work: boolean;
}
export const refused = (error: Error): Applied => ({ outcome: { ok: false, error }, changes: [], work: false });

export function warmEpisode(unit: Unit, hub: string, e: EpisodeCommit): void {
  void unit.get('instances', [hub, e.instanceId]);
  for (const { record } of e.newInstances) void unit.get('instances', [hub, record.instanceId]);
  for (const { item, lease } of e.completesActivities?.activities ?? []) warmHeld(unit, hub, item, lease.token);
  warmRows(unit, hub, e.messages);
}

/** The status of the instance row at `key`; undefined for none, or for a shell (a queue without an instance). */
async function statusOf(unit: Unit, key: [string, string]): Promise<RuntimeStatus | undefined> {
  const row = await unit.get('instances', key);
  return row && isInstance(row) ? row.runtimeStatus : undefined;
}

/** One episode: every check before the first write, so a refused episode leaves a shared transaction untouched. */
export async function applyEpisode(unit: Unit, hub: string, e: EpisodeCommit): Promise<Applied> {
  const found = await unit.get('instances', [hub, e.instanceId]);
  const stored = found && isInstance(found) ? found : undefined;
  const direct = e.completesActivities;
  const refusal = episodeRefusal(e, {
    version: stored?.version,
    // Several connections lease the same rows: a lapsed lease that another worker took must not commit.
    lock: e.lease && { token: stored?.lock?.token },
    messageWaiting: direct && stored?.messages?.some((m) => m.at <= direct.now),
    // An activity's token as stored where the committer's lease still holds it (an inline one is found by its token).
    activityTokens:
      direct && (await Promise.all(direct.activities.map(async ({ item, lease }) => ((await holds(unit, hub, item, lease.token)) ? lease.token : undefined)))),
    childStatuses: await Promise.all(e.newInstances.map(({ record }) => statusOf(unit, [hub, record.instanceId]))),
  });
  if (refusal) return refused(refusal);
  // The rules refuse an episode of an instance that does not exist.
  const current = stored!;
  const version = current.version + 1;
  // Completed as `completeActivities` would, but their results are in the history, not queued.
  if (direct) for (const { item, lease } of direct.activities) await finish(unit, hub, item, lease.token);
  // An inline one left the row: build on the row as that wrote it.
  const row = direct ? ((await unit.get('instances', [hub, e.instanceId])) as InstanceRow) : current;
  const { lock, messages, activities } = consume(row, e.consumedMessageIds, e.lease?.token);
  const { inline, leased } = schedule(unit, hub, e.instanceId, e.activities, activities?.length ?? 0, e.leaseActivities);
  save(unit, {
    ...e.instance,
    hub,
    instanceId: e.instanceId,
    version,
    ...history(unit, hub, row, e),
    lock,
    messages,
    activities: inline.length ? [...(activities ?? []), ...inline] : activities,
  });
  for (const child of e.newInstances) await install(unit, hub, child);
  // Messages to itself land in the row just written: writes are coalesced (unit.ts), so it is still one put.
  await enqueue(unit, hub, e.messages);
  const changes: StoreNotification[] = e.newInstances.map(({ record }) => ({
    kind: 'instance',
    instanceId: record.instanceId,
    runtimeStatus: record.runtimeStatus,
  }));
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
  const kept: HistoryEvent[] = replace ? [] : (current.tail ?? []);
  const length = (replace ? 0 : current.historyLength) + added.length;
  const tail = kept.length ? [...kept, ...added] : added;
  if (tail.length < TAIL_EVENTS) return tail.length ? { historyLength: length, tail } : { historyLength: length };
  unit.raw('history').put({ hub, instanceId: e.instanceId, seq: length - tail.length, events: tail } satisfies HistoryRow);
  return { historyLength: length };
}
