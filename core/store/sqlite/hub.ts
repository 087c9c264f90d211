/**
 * One task hub in the SQLite database: each port operation is one transaction (see
 * `../sqlite.ts`), but the work path's writes of one turn share one (`group.ts`);
 * `commit` and `completeActivities` run each item in a savepoint, checked before it writes,
 * so a refused item writes nothing and does not disturb the others.
 * @module
 */

import type { HistoryEvent, RuntimeStatus } from '../../history.js';
import { randomId } from '../../ids.js';
import { createRefusal } from '../commit-rules.js';
import type * as port from '../port.js';
import { normalizeCountFilter, normalizePurgeFilter, normalizeQuery } from '../query.js';
import { type Connection, type Param, toStorageError } from './connection.js';
import { type Applied, applyEpisode, refused } from './episode.js';
import { nextTurn, type WriteGroup } from './group.js';
import { countByStatus, queryPage, whereCreatedIn } from './listing.js';
import { releaseLeases } from './owner.js';
import { activityToken, deleteActivity, enqueue, install, lockInbox, lockToken, remove, settle, status } from './queue.js';
import { parseEvent, toActivity, toRecord } from './rows.js';
import { type ActivityRow, INSTANCE_COLUMNS, type InstanceRow } from './schema.js';
import type { ExternalWrites } from './watch.js';

/** Instances one purge transaction deletes: with ten history rows each, about 4 ms of CPU a chunk. */
const PURGE_CHUNK = 64;

/** Listeners of one storage, per hub (same process only). */
export type Listeners = Map<string, Set<(n: port.StoreNotification) => void>>;

export class SqliteTaskHub implements port.TaskHubStore {
  /** The store groups the writes of a turn itself (`group.ts`): the worker sends each at once. */
  readonly unbatchedWrites = true;

  constructor(
    readonly taskHub: string,
    private readonly sql: Connection,
    private readonly group: WriteGroup,
    private readonly listeners: Listeners,
    private readonly external: ExternalWrites,
  ) {}

  async createInstance(instance: port.NewInstance): Promise<port.InstanceRecord> {
    const { instanceId } = instance.record;
    const created = await this.group.run(() => {
      const refusal = createRefusal(instanceId, status(this.sql, this.taskHub, instanceId)?.runtimeStatus);
      if (refusal) throw refusal;
      return install(this.sql, this.taskHub, instance);
    });
    this.notify({ kind: 'work' });
    this.notify({ kind: 'instance', instanceId, runtimeStatus: created.runtimeStatus });
    return created;
  }

  async getInstance(instanceId: string): Promise<port.InstanceRecord | undefined> {
    const row = this.sql.get<InstanceRow>(`SELECT ${INSTANCE_COLUMNS} FROM instances WHERE hub = ? AND instance_id = ?`, this.taskHub, instanceId);
    return row && toRecord(this.taskHub, row);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const rows = this.sql.all<{ seq: number; event: string }>(
      'SELECT seq, event FROM history WHERE hub = ? AND instance_id = ? ORDER BY seq',
      this.taskHub,
      instanceId,
    );
    return rows.map((r) => parseEvent(`history(hub='${this.taskHub}', instance_id='${instanceId}', seq=${r.seq})`, r.event));
  }

  /** Rows are numbered 0..n-1 by `seq` (an episode appends after the last, a replace starts at 0): the page is a key range, the length the last key. */
  async getHistoryPage(instanceId: string, from: number, top: number): Promise<port.HistoryPage> {
    const hub = this.taskHub;
    const [rows, last] = this.sql.read(
      () =>
        [
          this.sql.all<{ seq: number; event: string }>(
            'SELECT seq, event FROM history WHERE hub = ? AND instance_id = ? AND seq >= ? AND seq < ? ORDER BY seq',
            hub,
            instanceId,
            from,
            from + top,
          ),
          this.sql.get<{ last: number | null }>('SELECT max(seq) AS last FROM history WHERE hub = ? AND instance_id = ?', hub, instanceId)?.last ?? -1,
        ] as const,
    );
    const events = rows.map((r) => parseEvent(`history(hub='${hub}', instance_id='${instanceId}', seq=${r.seq})`, r.event));
    return { events, total: last + 1 };
  }

  async queryInstances(query: port.InstanceQuery): Promise<port.InstancePage> {
    return queryPage(this.sql, this.taskHub, normalizeQuery(query));
  }

  async countInstances(filter: port.CountFilter): Promise<port.InstanceCounts> {
    return countByStatus(this.sql, this.taskHub, normalizeCountFilter(filter));
  }

  async enqueueMessages(messages: port.OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.group.run(() => enqueue(this.sql, this.taskHub, messages));
    this.notify({ kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined> {
    return (await this.leaseOrchestrations(now, lockMs, 1))[0];
  }

  /** Up to `max` instances in one transaction; a damaged message fails the call only if it comes first (it is then reported alone). */
  async leaseOrchestrations(now: number, lockMs: number, max: number): Promise<port.OrchestrationWorkItem[]> {
    const hub = this.taskHub;
    // Nothing ready: answer from a read, without taking the write lock (other processes may be writing).
    if (!this.sql.get('SELECT 1 FROM inboxes WHERE hub = ? AND ready_at <= ? LIMIT 1', hub, now)) return [];
    const leased: port.OrchestrationWorkItem[] = [];
    const failure = this.sql.write(() => {
      // An inbox that is ready but shows nothing visible is repaired and skipped; bounded, in case rows disagree.
      for (let skipped = 0; leased.length < max && skipped < 16; ) {
        const inbox = this.sql.get<{ instance_id: string }>(
          'SELECT instance_id FROM inboxes WHERE hub = ? AND ready_at <= ? ORDER BY ready_at LIMIT 1',
          hub,
          now,
        );
        if (!inbox) return undefined;
        const item = lockInbox(this.sql, hub, inbox.instance_id, now, lockMs);
        if (item instanceof Error) return item;
        if (item) leased.push(item);
        else skipped++;
      }
      return undefined;
    });
    if (failure && leased.length === 0) throw failure;
    return leased;
  }

  async abandonOrchestration(workItem: port.OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    const hub = this.taskHub;
    const { instanceId, lease } = workItem;
    const released = this.sql.write(() => {
      if (lockToken(this.sql, hub, instanceId) !== lease.token) return false;
      if (visibleAt !== undefined) {
        for (const { id } of workItem.messages) {
          this.sql.run('UPDATE messages SET visible_at = max(visible_at, ?) WHERE hub = ? AND instance_id = ? AND id = ?', visibleAt, hub, instanceId, id);
        }
      }
      settle(this.sql, hub, instanceId, lease.token);
      return true;
    });
    if (released) this.notify({ kind: 'work' });
  }

  async commit(episodes: port.EpisodeCommit[]): Promise<port.CommitOutcome[]> {
    if (episodes.length === 0) return [];
    let results: Applied[];
    try {
      results = await this.group.run(
        () =>
          episodes.map((e) => {
            try {
              return this.sql.write(() => applyEpisode(this.sql, this.taskHub, e));
            } catch (error) {
              if (this.sql.lost) throw error;
              return refused(toStorageError(error));
            }
          }),
        { savepoint: false },
      );
    } catch (error) {
      // The transaction itself failed (e.g. disk full at COMMIT): nothing was written.
      const failure = toStorageError(error);
      return episodes.map(() => ({ ok: false, error: failure }));
    }
    if (results.some((r) => r.work)) this.notify({ kind: 'work' });
    for (const { changes } of results) for (const n of changes) this.notify(n);
    return results.map((r) => r.outcome);
  }

  async discardMessages(workItem: port.OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    const hub = this.taskHub;
    this.sql.write(() => {
      for (const id of messageIds) this.sql.run('DELETE FROM messages WHERE hub = ? AND instance_id = ? AND id = ?', hub, workItem.instanceId, id);
      settle(this.sql, hub, workItem.instanceId, workItem.lease.token);
    });
  }

  async leaseActivity(now: number, lockMs: number): Promise<port.LeasedActivity | undefined> {
    return (await this.leaseActivities(now, lockMs, 1))[0];
  }

  /** Up to `max` activities in one transaction. */
  async leaseActivities(now: number, lockMs: number, max: number): Promise<port.LeasedActivity[]> {
    const hub = this.taskHub;
    if (!this.sql.get('SELECT 1 FROM activities WHERE hub = ? AND ready_at <= ? LIMIT 1', hub, now)) return [];
    return this.sql.write(() => {
      const leased: port.LeasedActivity[] = [];
      // A leased row's ready_at moves past `now`, so each pass takes the next ready one.
      while (leased.length < max) {
        const row = this.sql.get<ActivityRow>(
          'SELECT seq, instance_id, id, execution_id, task_scheduled_id, name, input, enqueued_time, deliveries FROM activities WHERE hub = ? AND ready_at <= ? ORDER BY ready_at LIMIT 1',
          hub,
          now,
        );
        if (!row) break;
        const lease = { token: randomId(), expiresAt: now + lockMs };
        this.sql.run(
          'UPDATE activities SET lease_token = ?, expires_at = ?, ready_at = ?, deliveries = deliveries + 1 WHERE seq = ?',
          lease.token,
          lease.expiresAt,
          lease.expiresAt,
          row.seq,
        );
        leased.push({ item: toActivity(hub, row), lease, deliveryCount: row.deliveries + 1 });
      }
      return leased;
    });
  }

  async completeActivities(completions: port.ActivityCompletion[]): Promise<port.CompletionOutcome[]> {
    if (completions.length === 0) return [];
    const hub = this.taskHub;
    let work = false;
    const outcomes = await this.group.run(() => {
      const done = completions.map(
        ({ leased, result }): port.CompletionOutcome =>
          this.sql.write(() => {
            const { instanceId, id } = leased.item;
            if (activityToken(this.sql, hub, instanceId, id) !== leased.lease.token) return { applied: false };
            deleteActivity(this.sql, hub, instanceId, id);
            enqueue(this.sql, hub, [result]);
            return { applied: true };
          }),
      );
      // Eager dispatch, once every result is in: each free instance at most once, with all of them.
      const leasedNow = new Set<string>();
      completions.forEach(({ result, leaseInstance }, i) => {
        if (!done[i]!.applied || leasedNow.has(result.instanceId)) return;
        const free =
          leaseInstance &&
          (this.sql.get<{ lock_expires_at: number }>('SELECT lock_expires_at FROM inboxes WHERE hub = ? AND instance_id = ?', hub, result.instanceId)
            ?.lock_expires_at ?? 0) <= leaseInstance.now;
        const item = free ? lockInbox(this.sql, hub, result.instanceId, leaseInstance.now, leaseInstance.lockMs) : undefined;
        // A damaged message: leave the instance to the queue, which reports it.
        if (item && !(item instanceof Error)) {
          done[i]!.workItem = item;
          leasedNow.add(result.instanceId);
        } else work = true;
      });
      return done;
    });
    if (work) this.notify({ kind: 'work' });
    return outcomes;
  }

  async abandonActivity(leased: port.LeasedActivity, visibleAt?: number): Promise<void> {
    const { instanceId, id } = leased.item;
    const at = visibleAt ?? null;
    const released = this.sql.run(
      `UPDATE activities SET lease_token = NULL, expires_at = 0, visible_at = coalesce(?, visible_at), ready_at = coalesce(?, visible_at)
       WHERE hub = ? AND instance_id = ? AND id = ? AND lease_token = ?`,
      at,
      at,
      this.taskHub,
      instanceId,
      id,
      leased.lease.token,
    );
    if (released) this.notify({ kind: 'work' });
  }

  async nextWakeTime(): Promise<number | undefined> {
    const row = this.sql.get<{ inbox: number | null; activity: number | null }>(
      'SELECT (SELECT min(ready_at) FROM inboxes WHERE hub = ?) AS inbox, (SELECT min(ready_at) FROM activities WHERE hub = ?) AS activity',
      this.taskHub,
      this.taskHub,
    );
    const next = Math.min(row?.inbox ?? Infinity, row?.activity ?? Infinity);
    return Number.isFinite(next) ? next : undefined;
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    return this.sql.write(() => {
      const current = status(this.sql, this.taskHub, instanceId);
      if (!current || !onlyIf.includes(current.runtimeStatus)) return 0;
      remove(this.sql, this.taskHub, instanceId);
      return 1;
    });
  }

  /**
   * In chunks of `PURGE_CHUNK` instances, each its own transaction, yielding to the event loop
   * between them: other calls wait for one chunk at most, never for the whole purge.
   */
  async purgeInstances(filter: port.PurgeFilter, options: port.PurgeOptions = {}): Promise<number> {
    const q = normalizePurgeFilter(filter);
    let purged = 0;
    for (const runtimeStatus of q.runtimeStatus) {
      const where = ['hub = ?', 'runtime_status = ?'];
      const params: Param[] = [this.taskHub, runtimeStatus];
      whereCreatedIn(where, params, q);
      const select = `SELECT instance_id FROM instances INDEXED BY instances_by_status WHERE ${where.join(' AND ')} LIMIT ${PURGE_CHUNK}`;
      for (;;) {
        const removed = this.sql.write(() => {
          const ids = this.sql.all<{ instance_id: string }>(select, ...params);
          for (const { instance_id } of ids) remove(this.sql, this.taskHub, instance_id);
          return ids.length;
        });
        if (removed === 0) break;
        // Each chunk's pages go to the database file at once: a checkpoint of a whole purge's WAL
        // (the automatic one, at 1,000 pages) would hold the event loop for tens of milliseconds.
        this.sql.get('PRAGMA wal_checkpoint(PASSIVE)');
        purged += removed;
        options.onProgress?.(purged);
        if (removed < PURGE_CHUNK) break;
        await new Promise<void>((resolve) => nextTurn(resolve));
      }
    }
    return purged;
  }

  /**
   * Only for the file's owner (see `owner.ts`): every lease in the file is then its own. A
   * process that merely opens the file (a client, the CLI) must not call it.
   */
  async releaseLeases(): Promise<port.ReleasedLeases> {
    const released = releaseLeases(this.sql, this.taskHub);
    if (released.instances + released.activities > 0) this.notify({ kind: 'work' });
    return released;
  }

  /** Listeners hear this process's writes at once, and other processes' through the file's change poll (`watch.ts`). */
  subscribe(listener: (notification: port.StoreNotification) => void): () => void {
    let set = this.listeners.get(this.taskHub);
    if (!set) this.listeners.set(this.taskHub, (set = new Set()));
    set.add(listener);
    this.external.retain();
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      set.delete(listener);
      this.external.release();
    };
  }

  private notify(n: port.StoreNotification): void {
    for (const listener of this.listeners.get(this.taskHub) ?? []) listener(n);
  }
}
