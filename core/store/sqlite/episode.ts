/**
 * Committing one episode inside the commit's transaction: the facts the commit rules need,
 * read first, so that a refused episode writes nothing; then the history, the status row,
 * the consumed and sent messages, the activities (the first `max` already leased to the
 * committer) and the children.
 * @module
 */

import { isTerminal } from '../../history.js';
import { randomId } from '../../ids.js';
import { episodeRefusal } from '../commit-rules.js';
import type { CommitOutcome, EpisodeCommit, LeasedActivity, StoreNotification } from '../port.js';
import type { Connection, Param } from './connection.js';
import { activityToken, deleteActivity, enqueue, install, lockToken, settle, status } from './queue.js';
import { instanceParams, timeOf } from './rows.js';

/** History rows one INSERT writes: an episode's few events in one statement rather than one each (a statement costs more than a row). */
const HISTORY_ROWS_PER_INSERT = 8;
/** The INSERT of 1..HISTORY_ROWS_PER_INSERT rows, by count - 1. */
const INSERT_HISTORY = Array.from(
  { length: HISTORY_ROWS_PER_INSERT },
  (_, i) => `INSERT INTO history (hub, instance_id, seq, event) VALUES ${Array.from({ length: i + 1 }, () => '(?, ?, ?, ?)').join(', ')}`,
);

/** An episode's outcome, the notifications it owes once committed, and whether it left work to lease (else no 'work' notice). */
export interface Applied {
  outcome: CommitOutcome;
  changes: StoreNotification[];
  work?: boolean;
}
export const refused = (error: Error): Applied => ({ outcome: { ok: false, error }, changes: [] });

/** One episode: every check before the first write. */
export function applyEpisode(sql: Connection, hub: string, e: EpisodeCommit): Applied {
  const current = status(sql, hub, e.instanceId);
  const direct = e.completesActivities;
  const refusal = episodeRefusal(e, {
    version: current?.version,
    // Several processes may lease the same rows: a lapsed lease that another worker took must not commit.
    lock: e.lease && { token: lockToken(sql, hub, e.instanceId) },
    messageWaiting:
      direct && sql.get('SELECT 1 FROM messages WHERE hub = ? AND instance_id = ? AND visible_at <= ? LIMIT 1', hub, e.instanceId, direct.now) !== undefined,
    activityTokens: direct?.activities.map(({ item }) => activityToken(sql, hub, item.instanceId, item.id)),
    childStatuses: e.newInstances.map(({ record }) => status(sql, hub, record.instanceId)?.runtimeStatus),
  });
  if (refusal) return refused(refusal);
  // The rules refuse an episode of an instance that does not exist.
  const previous = current!.runtimeStatus;

  let seq = 0;
  if ('replace' in e.history) sql.run('DELETE FROM history WHERE hub = ? AND instance_id = ?', hub, e.instanceId);
  else seq = (sql.get<{ last: number | null }>('SELECT max(seq) AS last FROM history WHERE hub = ? AND instance_id = ?', hub, e.instanceId)?.last ?? -1) + 1;
  const events = 'replace' in e.history ? e.history.replace : e.history.append;
  for (let i = 0; i < events.length; i += HISTORY_ROWS_PER_INSERT) {
    const part = events.slice(i, i + HISTORY_ROWS_PER_INSERT);
    const params: Param[] = [];
    for (const event of part) params.push(hub, e.instanceId, seq++, JSON.stringify(event));
    sql.run(INSERT_HISTORY[part.length - 1]!, ...params);
  }
  const version = e.expectedVersion + 1;
  sql.run(
    `UPDATE instances SET name = ?, execution_id = ?, runtime_status = ?, input = ?, output = ?, custom_status = ?,
     failure_details = ?, created_time = ?, last_updated_time = ?, completed_time = ?, parent_instance_id = ?, version = ? WHERE hub = ? AND instance_id = ?`,
    ...instanceParams(hub, e.instanceId, e.instance, version).slice(2),
    hub,
    e.instanceId,
  );
  for (const id of e.consumedMessageIds) sql.run('DELETE FROM messages WHERE hub = ? AND instance_id = ? AND id = ?', hub, e.instanceId, id);
  // Completed here: their results are in the history, not queued.
  for (const { item } of direct?.activities ?? []) deleteActivity(sql, hub, item.instanceId, item.id);
  const leasedActivities = schedule(sql, hub, e);
  const changes: StoreNotification[] = [];
  for (const child of e.newInstances) {
    const created = install(sql, hub, child);
    changes.push({ kind: 'instance', instanceId: created.instanceId, runtimeStatus: created.runtimeStatus });
  }
  enqueue(sql, hub, e.messages);
  settle(sql, hub, e.instanceId, e.lease?.token);
  if (previous !== e.instance.runtimeStatus || isTerminal(e.instance.runtimeStatus)) {
    changes.push({ kind: 'instance', instanceId: e.instanceId, runtimeStatus: e.instance.runtimeStatus });
  }
  const outcome: CommitOutcome = leasedActivities.length ? { ok: true, version, leasedActivities } : { ok: true, version };
  // Work left for a lease: anything not handed back eagerly, or messages still in the inbox.
  const work =
    e.messages.length > 0 ||
    e.newInstances.length > 0 ||
    e.activities.length > leasedActivities.length ||
    sql.get('SELECT 1 FROM inboxes WHERE hub = ? AND instance_id = ?', hub, e.instanceId) !== undefined;
  return { outcome, changes, work };
}

/** Queues the episode's activities; eager dispatch writes the first `max` already leased to the committer. */
function schedule(sql: Connection, hub: string, e: EpisodeCommit): LeasedActivity[] {
  const eager = e.leaseActivities;
  const leased: LeasedActivity[] = [];
  for (const item of e.activities) {
    const at = timeOf('enqueuedTime', item.enqueuedTime);
    const lease = eager && leased.length < eager.max ? { token: randomId(), expiresAt: eager.now + eager.lockMs } : undefined;
    sql.run(
      `INSERT INTO activities (hub, instance_id, id, execution_id, task_scheduled_id, name, input, enqueued_time, visible_at, lease_token, expires_at, deliveries, ready_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      hub,
      item.instanceId,
      item.id,
      item.executionId,
      item.taskScheduledId,
      item.name,
      item.input ?? null,
      item.enqueuedTime,
      at,
      lease?.token ?? null,
      lease?.expiresAt ?? 0,
      lease ? 1 : 0,
      lease?.expiresAt ?? at,
    );
    if (lease) leased.push({ item: { ...item }, lease, deliveryCount: 1 });
  }
  return leased;
}
