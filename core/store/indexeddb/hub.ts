/**
 * One task hub's operations. Reads use their own readonly transactions; writes are `Op`s
 * that the connection runs in shared write transactions (see unit.ts).
 * @module
 */
import type { HistoryEvent, RuntimeStatus } from '../../history.js';
import { createRefusal } from '../commit-rules.js';
import type * as port from '../port.js';
import { normalizeCountFilter, normalizePurgeFilter, normalizeQuery } from '../query.js';
import type { Connection } from './connection.js';
import { type Applied, applyEpisode, refused, warmEpisode } from './episode.js';
import { countInstances, listInstances } from './listing.js';
import {
  consume,
  enqueue,
  finish,
  install,
  isInline,
  leaseActivityRow,
  leaseInstance,
  leaseReady,
  leaseSeveral,
  release,
  save,
  warmHeld,
  warmRows,
} from './queue.js';
import { releaseLeases } from './release-leases.js';
import { checked, isInstance, maybe, type Pending, span, toRecord, within } from './schema.js';
import { request, type Unit } from './unit.js';

export class IndexedDbTaskHub implements port.TaskHubStore {
  /** The connection shares write transactions between whatever operations are queued (see connection.ts). */
  readonly unbatchedWrites = true;
  constructor(
    readonly taskHub: string,
    private readonly db: Connection,
  ) {}

  async createInstance(instance: port.NewInstance): Promise<port.InstanceRecord> {
    const hub = this.taskHub;
    const { instanceId } = instance.record;
    const result = await this.db.write({
      warm: (unit) => void unit.get('instances', [hub, instanceId]),
      run: async (unit) => {
        const existing = await unit.get('instances', [hub, instanceId]);
        return createRefusal(instanceId, existing && isInstance(existing) ? existing.runtimeStatus : undefined) ?? toRecord(await install(unit, hub, instance));
      },
    });
    if (result instanceof Error) throw result;
    this.db.notify(hub, { kind: 'work' });
    this.db.notify(hub, { kind: 'instance', instanceId, runtimeStatus: result.runtimeStatus });
    return result;
  }

  async getInstance(instanceId: string): Promise<port.InstanceRecord | undefined> {
    const row = maybe('instances', await this.db.get((tx) => request(tx.objectStore('instances').get([this.taskHub, instanceId]))));
    return row && isInstance(row) ? toRecord(row) : undefined;
  }

  /** The history rows, then the newest events, which are still in the instance's row. */
  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const [rows, row] = await this.db.get((tx) =>
      Promise.all([
        request(tx.objectStore('history').getAll(within(this.taskHub, instanceId))),
        request(tx.objectStore('instances').get([this.taskHub, instanceId])),
      ]),
    );
    const instance = maybe('instances', row);
    const tail = instance && isInstance(instance) ? (instance.tail ?? []) : [];
    return [...rows.flatMap((r) => checked('history', r).events), ...tail];
  }

  /**
   * Reads the instance row (its history length and newest events, the tail) and only the
   * history rows that overlap the page: from the last run starting at or before `from`.
   */
  async getHistoryPage(instanceId: string, from: number, top: number): Promise<port.HistoryPage> {
    const hub = this.taskHub;
    return this.db.read(['instances', 'history'], async (tx) => {
      const row = maybe('instances', await tx.objectStore('instances').get([hub, instanceId]));
      if (!row || !isInstance(row)) return { events: [], total: 0 };
      const total = row.historyLength;
      const tail = row.tail ?? [];
      const tailStart = total - tail.length;
      const end = Math.min(from + top, total);
      const events: HistoryEvent[] = [];
      if (from < Math.min(end, tailStart)) {
        const history = tx.objectStore('history');
        const first = await history.openCursor(IDBKeyRange.bound([hub, instanceId, 0], [hub, instanceId, from]), 'prev');
        const start = first ? checked('history', first.value).seq : 0;
        const runs = await history.getAll(IDBKeyRange.bound([hub, instanceId, start], [hub, instanceId, Math.min(end, tailStart)], false, true));
        for (const run of runs) {
          const { seq, events: batch } = checked('history', run);
          for (let i = Math.max(0, from - seq); i < batch.length && seq + i < Math.min(end, tailStart); i++) events.push(batch[i]!);
        }
      }
      for (let position = Math.max(from, tailStart); position < end; position++) events.push(tail[position - tailStart]!);
      return { events, total };
    });
  }

  async queryInstances(query: port.InstanceQuery): Promise<port.InstancePage> {
    const q = normalizeQuery(query);
    return this.db.read(['instances'], (tx) => listInstances(tx.objectStore('instances'), this.taskHub, q));
  }

  async countInstances(filter: port.CountFilter): Promise<port.InstanceCounts> {
    const range = normalizeCountFilter(filter);
    return this.db.read(['instances'], (tx) => countInstances(tx.objectStore('instances'), this.taskHub, range));
  }

  async enqueueMessages(messages: port.OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const hub = this.taskHub;
    await this.db.write({ warm: (unit) => warmRows(unit, hub, messages), run: (unit) => enqueue(unit, hub, messages) });
    this.db.notify(hub, { kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<port.OrchestrationWorkItem | undefined> {
    return this.db.write({ weight: 1, run: (unit) => leaseReady(unit, this.taskHub, now, lockMs) });
  }

  /** One operation in one write transaction: one scan of the ready instances serves the whole batch. */
  async leaseOrchestrations(now: number, lockMs: number, max: number): Promise<port.OrchestrationWorkItem[]> {
    return this.leaseBatch(max, (unit) => leaseReady(unit, this.taskHub, now, lockMs));
  }

  async abandonOrchestration(workItem: port.OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    const hub = this.taskHub;
    const { instanceId, lease } = workItem;
    const released = await this.db.write({
      warm: (unit) => void unit.get('instances', [hub, instanceId]),
      run: async (unit) => {
        const row = await unit.get('instances', [hub, instanceId]);
        if (row?.lock?.token !== lease.token) return false;
        const ids = new Set(workItem.messages.map((m) => m.id));
        const later = (m: Pending) => (visibleAt !== undefined && ids.has(m.message.id) && m.at < visibleAt ? { ...m, at: visibleAt } : m);
        const { lock: _released, ...rest } = row;
        save(unit, visibleAt === undefined ? rest : { ...rest, messages: rest.messages?.map(later) });
        return true;
      },
    });
    if (released) this.db.notify(hub, { kind: 'work' });
  }

  async commit(episodes: port.EpisodeCommit[]): Promise<port.CommitOutcome[]> {
    const hub = this.taskHub;
    const results = await Promise.all(
      episodes.map((e) =>
        this.db
          .write({ warm: (unit) => warmEpisode(unit, hub, e), run: (unit) => applyEpisode(unit, hub, e) })
          .catch((error: Error): Applied => refused(error)),
      ),
    );
    // Workers wake on 'work': only for what they can lease, not for what went back eagerly.
    if (results.some((r) => r.work)) this.db.notify(hub, { kind: 'work' });
    for (const { changes } of results) for (const n of changes) this.db.notify(hub, n);
    return results.map((r) => r.outcome);
  }

  async discardMessages(workItem: port.OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    const hub = this.taskHub;
    const { instanceId } = workItem;
    await this.db.write({
      warm: (unit) => void unit.get('instances', [hub, instanceId]),
      run: async (unit) => {
        const row = await unit.get('instances', [hub, instanceId]);
        if (row) save(unit, consume(row, messageIds, workItem.lease.token));
      },
    });
  }

  async leaseActivity(now: number, lockMs: number): Promise<port.LeasedActivity | undefined> {
    return this.db.write({ weight: 1, run: (unit) => leaseActivityRow(unit, this.taskHub, now, lockMs) });
  }

  async leaseActivities(now: number, lockMs: number, max: number): Promise<port.LeasedActivity[]> {
    return this.leaseBatch(max, (unit) => leaseActivityRow(unit, this.taskHub, now, lockMs));
  }

  /** Up to `max` leases, `leaseOne` at a time, in one write transaction. */
  private async leaseBatch<T>(max: number, leaseOne: (unit: Unit) => Promise<T | undefined>): Promise<T[]> {
    const n = Math.floor(max);
    if (!(n >= 1)) return [];
    // The weight sizes the transaction's scan of the queue: rows for the whole batch in one read.
    return this.db.write({ weight: Math.min(n, 1024), run: (unit) => leaseSeveral(n, () => leaseOne(unit)) });
  }

  /**
   * One operation for the call: every result is enqueued before any instance is leased, so an
   * instance that several completions address is leased once, with all of them.
   */
  async completeActivities(completions: port.ActivityCompletion[]): Promise<port.CompletionOutcome[]> {
    if (completions.length === 0) return [];
    const hub = this.taskHub;
    const { outcomes, work } = await this.db.write({
      warm: (unit) => {
        for (const {
          leased: { item, lease },
          result,
        } of completions) {
          if (!isInline(lease.token)) void unit.get('activities', [hub, item.instanceId, item.id]);
          void unit.get('instances', [hub, item.instanceId]);
          void unit.get('instances', [hub, result.instanceId]);
        }
      },
      run: async (unit) => {
        const outcomes: port.CompletionOutcome[] = [];
        for (const {
          leased: { item, lease },
          result,
        } of completions) {
          const applied = await finish(unit, hub, item, lease.token);
          if (applied) await enqueue(unit, hub, [result]);
          outcomes.push({ applied });
        }
        let work = false;
        const leased = new Set<string>();
        for (const [i, { result, leaseInstance: eager }] of completions.entries()) {
          if (!outcomes[i]!.applied || leased.has(result.instanceId)) continue;
          const workItem = eager && (await leaseInstance(unit, hub, result.instanceId, eager.now, eager.lockMs));
          if (workItem) {
            outcomes[i]!.workItem = workItem;
            leased.add(result.instanceId);
          } else work = true;
        }
        return { outcomes, work };
      },
    });
    if (work) this.db.notify(hub, { kind: 'work' });
    return outcomes;
  }

  async abandonActivity(leased: port.LeasedActivity, visibleAt?: number): Promise<void> {
    const hub = this.taskHub;
    const { item, lease } = leased;
    const released = await this.db.write({
      warm: (unit) => warmHeld(unit, hub, item, lease.token),
      run: (unit) => release(unit, hub, item, lease.token, visibleAt),
    });
    if (released) this.db.notify(hub, { kind: 'work' });
  }

  /** One operation in one write transaction: every lease of the hub goes at once (see release-leases.ts). */
  async releaseLeases(): Promise<port.ReleasedLeases> {
    const released = await this.db.write({ run: (unit) => releaseLeases(unit, this.taskHub) });
    if (released.instances || released.activities) this.db.notify(this.taskHub, { kind: 'work' });
    return released;
  }

  /** The first key of each ready index: instances with messages, queued activities, inline activities. */
  async nextWakeTime(): Promise<number | undefined> {
    const first = (cursor: { key: [string, number] } | null) => (cursor ? cursor.key[1] : Infinity);
    const range = within(this.taskHub);
    const firsts = await this.db.read(['instances', 'activities'], (tx) =>
      Promise.all([
        tx.objectStore('instances').index('byReadyAt').openKeyCursor(range).then(first),
        tx.objectStore('activities').index('byReadyAt').openKeyCursor(range).then(first),
        tx.objectStore('instances').index('byActivityAt').openKeyCursor(range).then(first),
      ]),
    );
    const next = Math.min(...firsts);
    return Number.isFinite(next) ? next : undefined;
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    const hub = this.taskHub;
    return this.db.write({
      warm: (unit) => void unit.get('instances', [hub, instanceId]),
      run: async (unit) => {
        const row = await unit.get('instances', [hub, instanceId]);
        if (!row || !isInstance(row) || !onlyIf.includes(row.runtimeStatus)) return 0;
        unit.drop(hub, instanceId);
        return 1;
      },
    });
  }

  async purgeInstances(filter: port.PurgeFilter): Promise<number> {
    const hub = this.taskHub;
    const q = normalizePurgeFilter(filter);
    return this.db.write({
      run: async (unit) => {
        let purged = 0;
        for (const status of q.runtimeStatus) {
          const range = span([hub, status], q);
          // The index shows what earlier operations of the transaction wrote once they are sent.
          unit.flush();
          const keys = range ? ((await request(unit.raw('instances').index('byStatus').getAllKeys(range))) as unknown as [string, string][]) : [];
          for (const [, instanceId] of keys) unit.drop(hub, instanceId);
          purged += keys.length;
        }
        return purged;
      },
    });
  }

  subscribe(listener: (notification: port.StoreNotification) => void): () => void {
    return this.db.listen(this.taskHub, listener);
  }
}
