/**
 * Committing one episode in the Durable Object: the facts the commit rules need
 * (`../commit-rules.ts`), read first, so that a refused episode stages nothing; then the
 * history, the status row and its index keys, the queue, the activities (the first `max`
 * already leased to the committer) and the children.
 * @module
 */

import { type HistoryEvent, isTerminal } from '../../history.js';
import { randomId } from '../../ids.js';
import { episodeRefusal } from '../commit-rules.js';
import type { CommitOutcome, EpisodeCommit, InstanceRecord, LeasedActivity } from '../port.js';
import { instanceRecord } from '../record.js';
import type { HubRows, QueueState, StoredActivity, StoredInstance } from './rows.js';
import type { ChangeSet } from './tx.js';

/** Commits `e` if the rules allow; records in `changed` the instances whose status it changed or that it created. */
export async function applyEpisode(rows: HubRows, tx: ChangeSet, e: EpisodeCommit, changed: InstanceRecord[]): Promise<CommitOutcome> {
  const { k } = rows;
  const stored = await tx.get<StoredInstance>(k.instance(e.instanceId));
  const direct = e.completesActivities;
  // Storage reads are dear: facts that an earlier rule makes moot are not read.
  const versionHolds = stored?.r.version === e.expectedVersion;
  const messageWaiting = direct && versionHolds ? await rows.hasVisibleMessage(tx, e.instanceId, direct.now) : undefined;
  const held =
    direct && versionHolds && !messageWaiting ? await tx.getMany<StoredActivity>(direct.activities.map(({ item }) => k.activity(item.id))) : undefined;
  const children = await tx.getMany<StoredInstance>(e.newInstances.map((c) => k.instance(c.record.instanceId)));
  const error = episodeRefusal(e, {
    version: stored?.r.version,
    messageWaiting,
    activityTokens: direct?.activities.map(({ item }) => held?.get(k.activity(item.id))?.token),
    childStatuses: e.newInstances.map(({ record }) => children.get(k.instance(record.instanceId))?.r.runtimeStatus),
  });
  if (error) return { ok: false, error };
  // The rules refuse an episode of an instance that does not exist.
  const current = stored!;

  const version = e.expectedVersion + 1;
  const record = instanceRecord(e.instance, version);
  let length = current.h;
  if ('replace' in e.history) {
    for (let n = 0; n < current.h; n++) tx.delete(k.history(e.instanceId, n));
    length = 0;
  }
  const events: HistoryEvent[] = 'replace' in e.history ? e.history.replace : e.history.append;
  for (const event of events) tx.put(k.history(e.instanceId, length++), event);
  tx.put(k.instance(e.instanceId), { r: record, h: length } satisfies StoredInstance);
  rows.index(tx, current.r, record);

  const queue = (await tx.get<QueueState>(k.queue(e.instanceId))) ?? { n: 0 };
  await rows.removeMessages(tx, e.instanceId, queue, e.consumedMessageIds);
  // Completed by this commit: their results are in the history, none is queued.
  for (const a of held?.values() ?? []) rows.deleteActivity(tx, a);
  if (e.lease && queue.lock?.token === e.lease.token) delete queue.lock;
  tx.put(k.queue(e.instanceId), queue);
  for (const m of e.messages) await rows.enqueue(tx, m);
  // Eager dispatch: the first `max` activities are written already leased to the committer.
  const eager = e.leaseActivities;
  const leasedActivities: LeasedActivity[] = [];
  for (const item of e.activities) {
    const lease = eager && leasedActivities.length < eager.max ? { token: randomId(), expiresAt: eager.now + eager.lockMs } : undefined;
    await rows.schedule(tx, item, lease);
    if (lease) leasedActivities.push({ item: { ...item }, lease: { ...lease }, deliveryCount: 1 });
  }
  for (const child of e.newInstances) {
    if (rows.sendElsewhere && (await rows.sendElsewhere(tx, child.record.instanceId, { create: child }))) continue;
    changed.push(await rows.install(tx, child.record, child.start, children.get(k.instance(child.record.instanceId))));
  }
  await rows.reschedule(tx, e.instanceId, (await tx.get<QueueState>(k.queue(e.instanceId)))!);
  if (current.r.runtimeStatus !== record.runtimeStatus || isTerminal(record.runtimeStatus)) changed.push(record);
  return leasedActivities.length ? { ok: true, version, leasedActivities } : { ok: true, version };
}
