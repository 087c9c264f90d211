/**
 * One task hub's state, held in the KV writer's memory and rebuilt from the KV log.
 * Durable changes go through `apply(op)` only, the same function at run time and on
 * recovery, so a replayed log yields exactly the state the writer had. Leases, delivery
 * counts and abandon delays are not logged: a new writer redelivers (at least once).
 * @module
 */
import { InstanceAlreadyExistsError, VersionConflictError } from '../../errors.js';
import { copyRecord, instanceRecord } from '../record.js';
import { isTerminal, type HistoryEvent } from '../../history.js';
import { randomId } from '../../ids.js';
import type {
  ActivityWorkItem, EpisodeCommit, InstancePage, InstanceQuery, InstanceRecord, Lease, LeasedActivity,
  OrchestrationMessage, OrchestrationWorkItem, PurgeFilter,
} from '../port.js';
import { pushMessage, removeMessages, type Inboxes, type QueuedMessage } from '../inbox.js';
import { firstMatches, matchesQuery, normalizePurgeFilter, normalizeQuery, toPage } from '../query.js';

/** A durable change; one or more make up a log entry. */
export type LogOp =
  | { op: 'create'; record: InstanceRecord; start: OrchestrationMessage }
  | { op: 'enqueue'; messages: OrchestrationMessage[] }
  | { op: 'commit'; episode: LoggedEpisode; version: number; /** Activities the episode completed itself (`completesActivities`). */ completedActivityIds?: string[] }
  | { op: 'complete'; itemId: string; result: OrchestrationMessage }
  | { op: 'discard'; instanceId: string; messageIds: string[] }
  | { op: 'purge'; instanceIds: string[] }
  | { op: 'clear' };

/** An episode as logged: its lease is memory-only, and of the activities it completed only the IDs matter. */
export type LoggedEpisode = Omit<EpisodeCommit, 'lease' | 'completesActivities'>;

interface QueuedActivity { item: ActivityWorkItem; at: number }
interface ActivityLease { token: string; expiresAt: number; deliveries: number }

export interface HubSnapshot {
  instances: InstanceRecord[];
  histories: [string, HistoryEvent[]][];
  inbox: [string, QueuedMessage[]][];
  activities: QueuedActivity[];
}

export class HubState {
  private instances = new Map<string, InstanceRecord>();
  private histories = new Map<string, HistoryEvent[]>();
  /** Instances with queued messages, in the order they are offered to workers. */
  private inbox: Inboxes = new Map();
  private activities = new Map<string, QueuedActivity>();
  private readonly locks = new Map<string, Lease>();
  private readonly activityLeases = new Map<string, ActivityLease>();

  get isEmpty(): boolean { return this.instances.size === 0 && this.inbox.size === 0 && this.activities.size === 0; }

  static fromSnapshot(s: HubSnapshot): HubState {
    const state = new HubState();
    state.instances = new Map(s.instances.map((r) => [r.instanceId, r]));
    state.histories = new Map(s.histories);
    state.inbox = new Map(s.inbox);
    state.activities = new Map(s.activities.map((a) => [a.item.id, a]));
    return state;
  }

  snapshot(): HubSnapshot {
    return {
      instances: [...this.instances.values()], histories: [...this.histories], inbox: [...this.inbox], activities: [...this.activities.values()],
    };
  }

  apply(op: LogOp): void {
    switch (op.op) {
      case 'create': this.install(op.record, op.start); break;
      case 'enqueue': for (const m of op.messages) this.enqueue(m); break;
      case 'commit':
        for (const id of op.completedActivityIds ?? []) { this.activities.delete(id); this.activityLeases.delete(id); }
        this.applyEpisode(op.episode, op.version);
        break;
      case 'complete':
        this.activities.delete(op.itemId);
        this.activityLeases.delete(op.itemId);
        this.enqueue(op.result);
        break;
      case 'discard': removeMessages(this.inbox, op.instanceId, op.messageIds); break;
      case 'purge': for (const id of op.instanceIds) this.remove(id); break;
      case 'clear':
        for (const map of [this.instances, this.histories, this.inbox, this.activities, this.locks, this.activityLeases]) map.clear();
        break;
    }
  }

  // ---- reads and checks ----

  getInstance(instanceId: string): InstanceRecord | undefined {
    const record = this.instances.get(instanceId);
    return record && copyRecord(record);
  }

  getHistory(instanceId: string): HistoryEvent[] { return this.histories.get(instanceId)?.slice() ?? []; }

  checkCreate(instanceId: string): void {
    const existing = this.instances.get(instanceId);
    if (existing && !isTerminal(existing.runtimeStatus)) throw new InstanceAlreadyExistsError(instanceId, existing.runtimeStatus);
  }

  checkEpisode(e: EpisodeCommit): Error | undefined {
    const current = this.instances.get(e.instanceId);
    if (!current || current.version !== e.expectedVersion) return new VersionConflictError(e.instanceId, e.expectedVersion, current?.version);
    const direct = e.completesActivities;
    if (direct) {
      // As if completed and the instance leased with exactly these results: a message visible first must go through the queue.
      if (this.inbox.get(e.instanceId)?.some((q) => q.at <= direct.now)) return new VersionConflictError(e.instanceId, e.expectedVersion, current.version, 'a message for it is waiting');
      for (const leased of direct.activities) {
        if (!this.holdsActivity(leased)) return new VersionConflictError(e.instanceId, e.expectedVersion, current.version, `activity '${leased.item.id}' is no longer held`);
      }
    }
    for (const { record } of e.newInstances) {
      const existing = this.instances.get(record.instanceId);
      if (existing && !isTerminal(existing.runtimeStatus)) return new InstanceAlreadyExistsError(record.instanceId, existing.runtimeStatus);
    }
    return undefined;
  }

  query(query: InstanceQuery): InstancePage {
    const q = normalizeQuery(query);
    return toPage(firstMatches(this.instances.values(), q).map(copyRecord), q.pageSize);
  }

  purgeable(filter: PurgeFilter): string[] {
    const q = normalizePurgeFilter(filter);
    return [...this.instances.values()].filter((r) => matchesQuery(r, q)).map((r) => r.instanceId);
  }

  // ---- leases (memory only) ----

  leaseOrchestration(now: number, lockMs: number): OrchestrationWorkItem | undefined {
    for (const [instanceId, queue] of this.inbox) {
      const lock = this.locks.get(instanceId);
      if (lock && lock.expiresAt > now) continue;
      const visible = queue.filter((q) => q.at <= now);
      if (visible.length === 0) continue;
      const lease = { token: randomId(), expiresAt: now + lockMs };
      this.locks.set(instanceId, lease);
      // To the back, so that one busy instance cannot starve the others.
      this.inbox.delete(instanceId);
      this.inbox.set(instanceId, queue);
      return { instanceId, messages: visible.map((q) => q.message), lease: { ...lease } };
    }
    return undefined;
  }

  /** Releases the lock if `lease` still holds it; returns whether it did. */
  release(instanceId: string, lease: Lease | undefined): boolean {
    if (!lease || this.locks.get(instanceId)?.token !== lease.token) return false;
    this.locks.delete(instanceId);
    return true;
  }

  delay(instanceId: string, messageIds: readonly string[], visibleAt: number): void {
    const ids = new Set(messageIds);
    for (const q of this.inbox.get(instanceId) ?? []) if (ids.has(q.message.id)) q.at = Math.max(q.at, visibleAt);
  }

  leaseActivity(now: number, lockMs: number): LeasedActivity | undefined {
    for (const queued of this.activities.values()) {
      const held = this.activityLeases.get(queued.item.id);
      if (queued.at > now || (held && held.token && held.expiresAt > now)) continue;
      const lease = { token: randomId(), expiresAt: now + lockMs, deliveries: (held?.deliveries ?? 0) + 1 };
      this.activityLeases.set(queued.item.id, lease);
      // A lapsed lease goes to the back of the queue.
      this.activities.delete(queued.item.id);
      this.activities.set(queued.item.id, queued);
      return { item: { ...queued.item }, lease: { token: lease.token, expiresAt: lease.expiresAt }, deliveryCount: lease.deliveries };
    }
    return undefined;
  }

  holdsActivity(leased: LeasedActivity): boolean {
    return this.activities.has(leased.item.id) && this.activityLeases.get(leased.item.id)?.token === leased.lease.token;
  }

  abandonActivity(leased: LeasedActivity, visibleAt?: number): void {
    if (!this.holdsActivity(leased)) return;
    this.activityLeases.get(leased.item.id)!.token = '';
    if (visibleAt !== undefined) this.activities.get(leased.item.id)!.at = visibleAt;
  }

  nextWakeTime(): number | undefined {
    let next = Infinity;
    for (const [instanceId, queue] of this.inbox) {
      const lock = this.locks.get(instanceId);
      for (const q of queue) next = Math.min(next, lock ? Math.max(lock.expiresAt, q.at) : q.at);
    }
    for (const queued of this.activities.values()) {
      const held = this.activityLeases.get(queued.item.id);
      next = Math.min(next, held?.token ? held.expiresAt : queued.at);
    }
    return Number.isFinite(next) ? next : undefined;
  }

  // ---- changes ----

  private applyEpisode(e: LoggedEpisode, version: number): void {
    this.instances.set(e.instanceId, instanceRecord(e.instance, version));
    if ('replace' in e.history) this.histories.set(e.instanceId, e.history.replace.slice());
    else {
      const history = this.histories.get(e.instanceId);
      if (history) history.push(...e.history.append);
      else this.histories.set(e.instanceId, e.history.append.slice());
    }
    removeMessages(this.inbox, e.instanceId, e.consumedMessageIds);
    for (const m of e.messages) this.enqueue(m);
    for (const a of e.activities) this.activities.set(a.id, { item: a, at: Date.parse(a.enqueuedTime) });
    for (const child of e.newInstances) this.install(instanceRecord(child.record, 1), child.start);
  }

  private install(record: InstanceRecord, start: OrchestrationMessage): void {
    if (this.instances.has(record.instanceId)) this.remove(record.instanceId);
    this.instances.set(record.instanceId, record);
    this.histories.set(record.instanceId, []);
    this.enqueue(start);
  }

  private enqueue(message: OrchestrationMessage): void {
    pushMessage(this.inbox, message);
  }

  private remove(instanceId: string): void {
    this.instances.delete(instanceId);
    this.histories.delete(instanceId);
    this.inbox.delete(instanceId);
    this.locks.delete(instanceId);
    for (const [id, queued] of this.activities) {
      if (queued.item.instanceId === instanceId) { this.activities.delete(id); this.activityLeases.delete(id); }
    }
  }
}
