/**
 * One task hub's operations. Reads use their own readonly transactions; writes are `Op`s
 * that the connection runs in shared write transactions (see unit.ts).
 * @module
 */
import type { IDBPObjectStore } from 'idb';
import { InstanceAlreadyExistsError, VersionConflictError } from '../../../core/errors.js';
import { isTerminal, RUNTIME_STATUSES, type HistoryEvent, type RuntimeStatus } from '../../../core/history.js';
import { randomId } from '../../../core/ids.js';
import type {
  CountFilter, InstanceCounts,
  ActivityCompletion, CompletionOutcome, CommitOutcome, EpisodeCommit, InstancePage, InstanceQuery, InstanceRecord, LeasedActivity, NewInstance,
  OrchestrationMessage, OrchestrationWorkItem, PurgeFilter, StoreNotification, TaskHubStore,
} from '../../../core/store/port.js';
import { compareInQueryOrder, encodeContinuationToken, matchesQuery, normalizeCountFilter, normalizePurgeFilter, normalizeQuery, zeroCounts, type NormalizedQuery } from '../../../core/store/query.js';
import type { Connection } from './connection.js';
import { checked, maybe, span, timeOf, toRecord, within, type HistoryRow, type InstanceRow, type Name, type Schema } from './schema.js';
import { enqueue, install, leaseActivityRow, leaseInbox, leaseSeveral, settle, warmInboxes, type Unit } from './unit.js';

type Instances = IDBPObjectStore<Schema, Name[], 'instances'>;
/** An episode's outcome and the notifications it owes once committed. */
interface Applied { outcome: CommitOutcome; changes: StoreNotification[] }
const refused = (error: Error): Applied => ({ outcome: { ok: false, error }, changes: [] });

function leaseLost(instanceId: string, version: number): VersionConflictError {
  const error = new VersionConflictError(instanceId, version, version);
  error.message = `Instance '${instanceId}' was leased by another worker after this episode's lease lapsed; the episode is not committed.`;
  return error;
}

export class IndexedDbTaskHub implements TaskHubStore {
  constructor(readonly taskHub: string, private readonly db: Connection) {}

  async createInstance(instance: NewInstance): Promise<InstanceRecord> {
    const hub = this.taskHub;
    const { instanceId } = instance.record;
    const result = await this.db.write({
      warm: (unit) => void unit.get('instances', [hub, instanceId]),
      run: async (unit) => {
        const existing = await unit.get('instances', [hub, instanceId]);
        if (existing && !isTerminal(existing.runtimeStatus)) return new InstanceAlreadyExistsError(instanceId, existing.runtimeStatus);
        return toRecord(await install(unit, hub, instance));
      },
    });
    if (result instanceof Error) throw result;
    this.db.notify(hub, { kind: 'work' });
    this.db.notify(hub, { kind: 'instance', instanceId, runtimeStatus: result.runtimeStatus });
    return result;
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const row = await this.db.read(['instances'], async (tx) => maybe('instances', await tx.objectStore('instances').get([this.taskHub, instanceId])));
    return row && toRecord(row);
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const rows = await this.db.read(['history'], (tx) => tx.objectStore('history').getAll(within(this.taskHub, instanceId)));
    return rows.flatMap((row) => checked('history', row).events);
  }

  /** Not in the version-1 build; the port requires it now: per status, a count over byStatus, as the current store counts. */
  async countInstances(filter: CountFilter): Promise<InstanceCounts> {
    const range = normalizeCountFilter(filter);
    const found = await this.db.read(['instances'], (tx) =>
      Promise.all(RUNTIME_STATUSES.map((status) => {
        const keys = span([this.taskHub, status], range);
        return keys ? tx.objectStore('instances').index('byStatus').count(keys) : 0;
      })),
    );
    const counts = zeroCounts();
    RUNTIME_STATUSES.forEach((status, i) => { counts[status] = found[i]!; });
    return counts;
  }

  async queryInstances(query: InstanceQuery): Promise<InstancePage> {
    const q = normalizeQuery(query);
    const rows = await this.db.read(['instances'], (tx) => (q.instanceIdPrefix !== undefined ? this.byPrefix(tx.objectStore('instances'), q) : this.newestFirst(tx.objectStore('instances'), q)));
    const page = rows.slice(0, q.pageSize).map(toRecord);
    const last = page[page.length - 1];
    return rows.length > q.pageSize && last ? { instances: page, continuationToken: encodeContinuationToken(last) } : { instances: page };
  }

  /** Walks the primary key from the prefix (or the continuation point), filtering the rest, up to a page and one. */
  private async byPrefix(store: Instances, q: NormalizedQuery): Promise<InstanceRow[]> {
    const prefix = q.instanceIdPrefix!;
    const resume = q.after !== undefined && q.after.instanceId >= prefix;
    const rows: InstanceRow[] = [];
    let cursor = await store.openCursor(IDBKeyRange.bound([this.taskHub, resume ? q.after!.instanceId : prefix], [this.taskHub, []], resume, true));
    while (cursor) {
      const row = checked('instances', cursor.value);
      if (!row.instanceId.startsWith(prefix)) break;
      if (matchesQuery(row, q) && rows.push(row) > q.pageSize) break;
      cursor = await cursor.continue();
    }
    return rows;
  }

  /**
   * Newest first: one backward cursor over byCreated, or one per requested status over byStatus
   * merged by (createdTime, instanceId). The time range is part of each index range, so every
   * record read is a match.
   */
  private async newestFirst(store: Instances, q: NormalizedQuery): Promise<InstanceRow[]> {
    const sources = q.runtimeStatus
      ? [...q.runtimeStatus].map((status) => ({ index: store.index('byStatus'), range: span([this.taskHub, status], q) }))
      : [{ index: store.index('byCreated'), range: span([this.taskHub], q) }];
    const heads = await Promise.all(sources.filter((s) => s.range).map((s) => s.index.openCursor(s.range, 'prev')));
    const rows: InstanceRow[] = [];
    for (;;) {
      let next = -1;
      heads.forEach((head, i) => {
        if (head && (next < 0 || compareInQueryOrder(q, head.value, heads[next]!.value) < 0)) next = i;
      });
      if (next < 0 || rows.push(checked('instances', heads[next]!.value)) > q.pageSize) break;
      heads[next] = await heads[next]!.continue();
    }
    return rows;
  }

  async enqueueMessages(messages: OrchestrationMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const hub = this.taskHub;
    await this.db.write({ warm: (unit) => warmInboxes(unit, hub, messages), run: (unit) => enqueue(unit, hub, messages) });
    this.db.notify(hub, { kind: 'work' });
  }

  async leaseOrchestration(now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
    return this.db.write({ run: (unit) => leaseInbox(unit, this.taskHub, now, lockMs, randomId()) });
  }

  /** One operation in one write transaction: one scan of the ready inboxes serves the whole batch. */
  async leaseOrchestrations(now: number, lockMs: number, max: number): Promise<OrchestrationWorkItem[]> {
    const n = Math.floor(max);
    if (!(n >= 1)) return [];
    // The weight sizes the transaction's scan of the queue: rows for the whole batch in one read.
    return this.db.write({ weight: Math.min(n, 1024), run: (unit) => leaseSeveral(n, () => leaseInbox(unit, this.taskHub, now, lockMs, randomId())) });
  }

  async abandonOrchestration(workItem: OrchestrationWorkItem, visibleAt?: number): Promise<void> {
    const hub = this.taskHub;
    const { instanceId, lease } = workItem;
    const released = await this.db.write({
      warm: (unit) => { void unit.get('inboxes', [hub, instanceId]); void unit.messages(hub, instanceId); },
      run: async (unit) => {
        if ((await unit.get('inboxes', [hub, instanceId]))?.lock?.token !== lease.token) return false;
        if (visibleAt !== undefined) {
          const pending = await unit.messages(hub, instanceId);
          for (const { id } of workItem.messages) {
            const row = pending.get(id);
            if (row && row.at < visibleAt) unit.putMessage({ ...row, at: visibleAt });
          }
        }
        await settle(unit, hub, instanceId, lease.token);
        return true;
      },
    });
    if (released) this.db.notify(hub, { kind: 'work' });
  }

  async commit(episodes: EpisodeCommit[]): Promise<CommitOutcome[]> {
    const results = await Promise.all(episodes.map((e) => this.db.write({ warm: (unit) => this.warmEpisode(unit, e), run: (unit) => this.applyEpisode(unit, e) })
      .catch((error: Error): Applied => refused(error))));
    if (episodes.length) this.db.notify(this.taskHub, { kind: 'work' });
    for (const { changes } of results) for (const n of changes) this.db.notify(this.taskHub, n);
    return results.map((r) => r.outcome);
  }

  async discardMessages(workItem: OrchestrationWorkItem, messageIds: string[]): Promise<void> {
    const hub = this.taskHub;
    const { instanceId } = workItem;
    await this.db.write({
      warm: (unit) => { void unit.get('inboxes', [hub, instanceId]); void unit.messages(hub, instanceId); },
      run: async (unit) => {
        for (const id of messageIds) unit.deleteMessage(hub, instanceId, id);
        await settle(unit, hub, instanceId, workItem.lease.token);
      },
    });
  }

  async leaseActivity(now: number, lockMs: number): Promise<LeasedActivity | undefined> {
    return this.db.write({ run: (unit) => leaseActivityRow(unit, this.taskHub, now, lockMs, randomId()) });
  }

  async leaseActivities(now: number, lockMs: number, max: number): Promise<LeasedActivity[]> {
    const n = Math.floor(max);
    if (!(n >= 1)) return [];
    // The weight sizes the transaction's scan of the queue: rows for the whole batch in one read.
    return this.db.write({ weight: Math.min(n, 1024), run: (unit) => leaseSeveral(n, () => leaseActivityRow(unit, this.taskHub, now, lockMs, randomId())) });
  }

  async completeActivities(completions: ActivityCompletion[]): Promise<CompletionOutcome[]> {
    const hub = this.taskHub;
    const applied = await Promise.all(completions.map(({ leased: { item, lease }, result }) => this.db.write({
      warm: (unit) => { void unit.get('activities', [hub, item.instanceId, item.id]); warmInboxes(unit, hub, [result]); },
      run: async (unit) => {
        if ((await unit.get('activities', [hub, item.instanceId, item.id]))?.lock?.token !== lease.token) return false;
        unit.delete('activities', [hub, item.instanceId, item.id]);
        await enqueue(unit, hub, [result]);
        return true;
      },
    })));
    if (applied.includes(true)) this.db.notify(hub, { kind: 'work' });
    return applied.map((ok) => ({ applied: ok }));
  }

  async abandonActivity(leased: LeasedActivity, visibleAt?: number): Promise<void> {
    const key: [string, string, string] = [this.taskHub, leased.item.instanceId, leased.item.id];
    const released = await this.db.write({
      warm: (unit) => void unit.get('activities', key),
      run: async (unit) => {
        const row = await unit.get('activities', key);
        if (row?.lock?.token !== leased.lease.token) return false;
        const { lock: _released, ...rest } = row;
        const at = visibleAt ?? row.at;
        unit.put('activities', { ...rest, at, readyAt: at });
        return true;
      },
    });
    if (released) this.db.notify(this.taskHub, { kind: 'work' });
  }

  async nextWakeTime(): Promise<number | undefined> {
    const firsts = await this.db.read(['inboxes', 'activities'], (tx) => Promise.all((['inboxes', 'activities'] as const).map(
      (store) => tx.objectStore(store).index('byReadyAt').openKeyCursor(within(this.taskHub)).then((cursor) => (cursor ? cursor.key[1] : Infinity)),
    )));
    const next = Math.min(...firsts);
    return Number.isFinite(next) ? next : undefined;
  }

  async purgeInstance(instanceId: string, onlyIf: readonly RuntimeStatus[]): Promise<number> {
    const hub = this.taskHub;
    return this.db.write({
      warm: (unit) => void unit.get('instances', [hub, instanceId]),
      run: async (unit) => {
        const row = await unit.get('instances', [hub, instanceId]);
        if (!row || !onlyIf.includes(row.runtimeStatus)) return 0;
        unit.drop(hub, instanceId);
        return 1;
      },
    });
  }

  async purgeInstances(filter: PurgeFilter): Promise<number> {
    const hub = this.taskHub;
    const q = normalizePurgeFilter(filter);
    return this.db.write({
      run: async (unit) => {
        let purged = 0;
        for (const status of q.runtimeStatus) {
          const range = span([hub, status], q);
          const keys = range ? await unit.tx.objectStore('instances').index('byStatus').getAllKeys(range) : [];
          for (const [, instanceId] of keys) unit.drop(hub, instanceId);
          purged += keys.length;
        }
        return purged;
      },
    });
  }

  subscribe(listener: (notification: StoreNotification) => void): () => void {
    return this.db.listen(this.taskHub, listener);
  }

  private warmEpisode(unit: Unit, e: EpisodeCommit): void {
    const hub = this.taskHub;
    void unit.get('instances', [hub, e.instanceId]);
    void unit.get('inboxes', [hub, e.instanceId]);
    void unit.messages(hub, e.instanceId);
    for (const { record } of e.newInstances) void unit.get('instances', [hub, record.instanceId]);
    warmInboxes(unit, hub, e.messages);
  }

  /** One episode: every check before the first write, so a refused episode leaves a shared transaction untouched. */
  private async applyEpisode(unit: Unit, e: EpisodeCommit): Promise<Applied> {
    const hub = this.taskHub;
    const current = await unit.get('instances', [hub, e.instanceId]);
    if (!current || current.version !== e.expectedVersion) return refused(new VersionConflictError(e.instanceId, e.expectedVersion, current?.version));
    // A lease that lapsed and was taken over: the new holder got these messages too, so committing would duplicate.
    if (e.lease && (await unit.get('inboxes', [hub, e.instanceId]))?.lock?.token !== e.lease.token) return refused(leaseLost(e.instanceId, current.version));
    for (const { record } of e.newInstances) {
      const existing = await unit.get('instances', [hub, record.instanceId]);
      if (existing && !isTerminal(existing.runtimeStatus)) return refused(new InstanceAlreadyExistsError(record.instanceId, existing.runtimeStatus));
    }
    // The new events go in one row, keyed by the position of the first: one write per commit, however many events.
    const history = unit.write('history');
    const replace = 'replace' in e.history;
    const events = 'replace' in e.history ? e.history.replace : e.history.append;
    const seq = replace ? 0 : current.historyLength;
    if (replace) history.delete(within(hub, e.instanceId));
    if (events.length > 0) history.put({ hub, instanceId: e.instanceId, seq, events } satisfies HistoryRow);
    const version = current.version + 1;
    unit.put('instances', { ...e.instance, hub, instanceId: e.instanceId, version, historyLength: seq + events.length });
    for (const id of e.consumedMessageIds) unit.deleteMessage(hub, e.instanceId, id);
    for (const item of e.activities) {
      const at = timeOf('enqueuedTime', item.enqueuedTime);
      unit.put('activities', { hub, instanceId: item.instanceId, id: item.id, at, readyAt: at, deliveries: 0, item });
    }
    for (const child of e.newInstances) await install(unit, hub, child);
    await enqueue(unit, hub, e.messages);
    await settle(unit, hub, e.instanceId, e.lease?.token);
    const changes: StoreNotification[] = e.newInstances.map(({ record }) => ({ kind: 'instance', instanceId: record.instanceId, runtimeStatus: record.runtimeStatus }));
    if (current.runtimeStatus !== e.instance.runtimeStatus || isTerminal(e.instance.runtimeStatus)) {
      changes.push({ kind: 'instance', instanceId: e.instanceId, runtimeStatus: e.instance.runtimeStatus });
    }
    return { outcome: { ok: true, version }, changes };
  }
}
