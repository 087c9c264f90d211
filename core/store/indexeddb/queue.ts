/**
 * The queues, on a `Unit`. An instance's row holds its pending messages (arrival order), its
 * orchestration lease, and its own activities that its commits leased eagerly or queued
 * while there were few (see `schedule`); other activities are rows of their own. So the hot path of a step is one row read and written per commit and
 * per completion, and a completion that leases the instance back is the same write.
 * @module
 */
import { uniqueId } from '../../ids.js';
import type { ActivityWorkItem, Lease, LeasedActivity, NewInstance, OrchestrationMessage, OrchestrationWorkItem } from '../port.js';
import { type ActivityRow, type InlineActivity, type InstanceRow, isInstance, type Pending, type StateRow, timeOf } from './schema.js';
import type { Unit } from './unit.js';

/**
 * Tokens of leases on inline activities start with this: a completion knows from the token
 * which row to read, and sends one request instead of two. Tokens need only be unique (a
 * random prefix per process and a counter), not unguessable: every holder is trusted code.
 */
const INLINE = '~';
export const isInline = (token: string) => token.startsWith(INLINE);
const lease = (now: number, lockMs: number, inline = false): Lease => ({ token: inline ? INLINE + uniqueId() : uniqueId(), expiresAt: now + lockMs });
const dueOf = (a: InlineActivity | ActivityRow) => (a.lock ? a.lock.expiresAt : a.at);

function earliest(messages: readonly Pending[]): number {
  let min = Infinity;
  for (const m of messages) if (m.at < min) min = m.at;
  return min;
}

/**
 * Writes a row with its queue's derived index fields; a shell that holds nothing goes. Empty
 * queue fields are left out, so that a row is in a ready index only while it has something.
 */
export function save(unit: Unit, row: StateRow): void {
  const { messages, lock, readyAt: _r, activities, activityAt: _a, ...rest } = row;
  if (!isInstance(row) && !messages?.length && !activities?.length) {
    unit.delete('instances', [row.hub, row.instanceId]);
    return;
  }
  const next: StateRow = rest;
  if (lock) next.lock = lock;
  if (messages?.length) {
    next.messages = messages;
    next.readyAt = Math.max(earliest(messages), lock?.expiresAt ?? -Infinity);
  }
  if (activities?.length) {
    next.activities = activities;
    let due = Infinity;
    for (const a of activities) due = Math.min(due, dueOf(a));
    next.activityAt = due;
  }
  unit.put('instances', next);
}

const shell = (hub: string, instanceId: string): StateRow => ({ hub, instanceId });

export function warmRows(unit: Unit, hub: string, messages: readonly OrchestrationMessage[]): void {
  for (const { instanceId } of messages) void unit.get('instances', [hub, instanceId]);
}

/** Appends each message to its instance's queue (a shell's, for an instance that does not exist). */
export async function enqueue(unit: Unit, hub: string, messages: readonly OrchestrationMessage[]): Promise<void> {
  for (const message of messages) {
    const at = timeOf('visibleAt', message.visibleAt);
    const row = (await unit.get('instances', [hub, message.instanceId])) ?? shell(hub, message.instanceId);
    save(unit, { ...row, messages: [...(row.messages ?? []), { at, message }] });
  }
}

/** Removes consumed messages and releases the lease `token` holds; other holders' leases stay. */
export function consume<R extends StateRow>(row: R, consumed: readonly string[], token: string | undefined): R & { messages: Pending[] } {
  const { lock, messages = [] } = row;
  const gone = new Set(consumed);
  const next = { ...row, messages: gone.size ? messages.filter((m) => !gone.has(m.message.id)) : messages };
  if (lock && lock.token === token) delete next.lock;
  return next;
}

/** Leases the soonest ready instance with visible messages. */
export async function leaseReady(unit: Unit, hub: string, now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
  for (let rescan = false; ; rescan = true) {
    for (const candidate of await unit.ready('instances', hub, now, rescan)) {
      const row = await unit.get('instances', [hub, candidate.instanceId]);
      // Leased or emptied since the scan, by an operation before this one.
      if (!row || row.readyAt === undefined || row.readyAt > now) continue;
      const item = leaseRow(unit, row, now, lockMs);
      if (item) return item;
      // Ready by its index but nothing visible: a damaged readyAt, repaired.
      save(unit, row);
    }
    if (unit.exhaustive('instances', hub, now)) return undefined;
  }
}

/** Leases one instance if no live lease holds it and it has visible messages (eager dispatch). Writes nothing otherwise. */
export async function leaseInstance(unit: Unit, hub: string, instanceId: string, now: number, lockMs: number): Promise<OrchestrationWorkItem | undefined> {
  const row = await unit.get('instances', [hub, instanceId]);
  if (!row || (row.lock && row.lock.expiresAt > now)) return undefined;
  return leaseRow(unit, row, now, lockMs);
}

/** Locks a row that no live lease holds, with its visible messages ordered by when each became due, then by arrival. */
function leaseRow(unit: Unit, row: StateRow, now: number, lockMs: number): OrchestrationWorkItem | undefined {
  // Array.prototype.sort is stable: equal times keep arrival order.
  const visible = (row.messages ?? []).filter((m) => m.at <= now).sort((a, b) => a.at - b.at);
  if (visible.length === 0) return undefined;
  const taken = lease(now, lockMs);
  save(unit, { ...row, lock: taken });
  return { instanceId: row.instanceId, messages: visible.map((m) => m.message), lease: { ...taken } };
}

/** Leases the soonest ready activity, queued or inline. */
export async function leaseActivityRow(unit: Unit, hub: string, now: number, lockMs: number): Promise<LeasedActivity | undefined> {
  for (let rescan = false; ; rescan = true) {
    const [queued, inline] = await Promise.all([unit.ready('activities', hub, now, rescan), unit.ready('inline', hub, now, rescan)]);
    for (let i = 0, j = 0; i < queued.length || j < inline.length; ) {
      if (j >= inline.length || (i < queued.length && queued[i]!.readyAt <= inline[j]!.activityAt!)) {
        const row = await unit.get('activities', [hub, queued[i]!.instanceId, queued[i++]!.id]);
        // Leased or completed since the scan, by an operation before this one.
        if (!row || row.readyAt > now) continue;
        const taken = lease(now, lockMs);
        unit.put('activities', { ...row, lock: taken, readyAt: taken.expiresAt, deliveries: row.deliveries + 1 });
        return { item: row.item, lease: { ...taken }, deliveryCount: row.deliveries + 1 };
      }
      const row = await unit.get('instances', [hub, inline[j++]!.instanceId]);
      const activities = row?.activities ?? [];
      let k = -1;
      for (let n = 0; n < activities.length; n++) if (dueOf(activities[n]!) <= now && (k < 0 || dueOf(activities[n]!) < dueOf(activities[k]!))) k = n;
      if (k < 0) continue;
      const taken = lease(now, lockMs, true);
      const leased = { ...activities[k]!, lock: taken, deliveries: activities[k]!.deliveries + 1 };
      save(unit, { ...row!, activities: activities.map((a, n) => (n === k ? leased : a)) });
      return { item: leased.item, lease: { ...taken }, deliveryCount: leased.deliveries };
    }
    if (unit.exhaustive('activities', hub, now) && unit.exhaustive('inline', hub, now)) return undefined;
  }
}

/** Up to `max` leases in one operation: `take` until it finds nothing. */
export async function leaseSeveral<T>(max: number, take: () => Promise<T | undefined>): Promise<T[]> {
  const leased: T[] = [];
  for (let item: T | undefined; leased.length < max && (item = await take()) !== undefined; ) leased.push(item);
  return leased;
}

/**
 * Most activities an instance's row takes that are not leased eagerly: the next step of a
 * sequence then waits in the row (its lease and its completion rewrite the row that the
 * episode writes anyway, instead of writing, reading and deleting a row of its own), while a
 * fan-out's row stays small: its other activities are rows of their own.
 */
export const INLINE_QUEUED = 4;

/**
 * An episode's activities: the first `max` leased to the committer, the rest queued; its own
 * are kept inline in its row (leased ones always, queued ones while the row, which holds `held`
 * already, has fewer than INLINE_QUEUED), the others are rows of their own.
 */
export function schedule(
  unit: Unit,
  hub: string,
  instanceId: string,
  items: readonly ActivityWorkItem[],
  held: number,
  eager?: { now: number; lockMs: number; max: number },
) {
  const inline: InlineActivity[] = [];
  const leased: LeasedActivity[] = [];
  const max = eager ? Math.floor(eager.max) : 0;
  for (const item of items) {
    const at = timeOf('enqueuedTime', item.enqueuedTime);
    const own = item.instanceId === instanceId;
    if (eager && leased.length < max) {
      const taken = lease(eager.now, eager.lockMs, own);
      if (own) inline.push({ at, deliveries: 1, lock: taken, item });
      else unit.put('activities', { hub, instanceId: item.instanceId, id: item.id, at, readyAt: taken.expiresAt, deliveries: 1, lock: taken, item });
      leased.push({ item, lease: { ...taken }, deliveryCount: 1 });
    } else if (own && held + inline.length < INLINE_QUEUED) {
      inline.push({ at, deliveries: 0, item });
    } else {
      unit.put('activities', { hub, instanceId: item.instanceId, id: item.id, at, readyAt: at, deliveries: 0, item });
    }
  }
  return { inline, leased };
}

/** The inline activity `token` holds, with its row. */
async function inlineHeld(unit: Unit, hub: string, item: ActivityWorkItem, token: string) {
  const row = await unit.get('instances', [hub, item.instanceId]);
  const activities = row?.activities ?? [];
  const k = activities.findIndex((a) => a.item.id === item.id && a.lock?.token === token);
  return k < 0 ? undefined : { row: row!, activities, k };
}

/** Sends the read that `holds`, `finish` or `release` of the activity will make. */
export function warmHeld(unit: Unit, hub: string, item: ActivityWorkItem, token: string): void {
  void (isInline(token) ? unit.get('instances', [hub, item.instanceId]) : unit.get('activities', [hub, item.instanceId, item.id]));
}

/** Whether `token` still holds the activity; writes nothing, so a commit can check every one before its first write. */
export async function holds(unit: Unit, hub: string, item: ActivityWorkItem, token: string): Promise<boolean> {
  if (!isInline(token)) return (await unit.get('activities', [hub, item.instanceId, item.id]))?.lock?.token === token;
  return (await inlineHeld(unit, hub, item, token)) !== undefined;
}

/** Finishes an activity lease: deletes the item if `token` still holds it. Returns whether it did. */
export async function finish(unit: Unit, hub: string, item: ActivityWorkItem, token: string): Promise<boolean> {
  if (!isInline(token)) {
    if ((await unit.get('activities', [hub, item.instanceId, item.id]))?.lock?.token !== token) return false;
    unit.delete('activities', [hub, item.instanceId, item.id]);
    return true;
  }
  const held = await inlineHeld(unit, hub, item, token);
  if (held) save(unit, { ...held.row, activities: held.activities.filter((_, n) => n !== held.k) });
  return held !== undefined;
}

/** Releases an activity lease that `token` holds, due again at `visibleAt` (default: when it was due before). */
export async function release(unit: Unit, hub: string, item: ActivityWorkItem, token: string, visibleAt?: number): Promise<boolean> {
  if (!isInline(token)) {
    const row = await unit.get('activities', [hub, item.instanceId, item.id]);
    if (row?.lock?.token !== token) return false;
    const { lock: _released, ...rest } = row;
    const at = visibleAt ?? row.at;
    unit.put('activities', { ...rest, at, readyAt: at });
    return true;
  }
  const held = await inlineHeld(unit, hub, item, token);
  if (!held) return false;
  const { lock: _released, ...rest } = held.activities[held.k]!;
  save(unit, { ...held.row, activities: held.activities.map((a, n) => (n === held.k ? { ...rest, at: visibleAt ?? rest.at } : a)) });
  return true;
}

/**
 * Creates an instance with its start message. An instance it replaces goes with its history,
 * queue and activities; messages that were waiting for it in a shell are kept.
 */
export async function install(unit: Unit, hub: string, { record, start }: NewInstance): Promise<InstanceRow> {
  const existing = await unit.get('instances', [hub, record.instanceId]);
  if (existing && isInstance(existing)) unit.drop(hub, record.instanceId);
  const row: InstanceRow = { ...(existing && !isInstance(existing) ? existing : {}), ...record, hub, version: 1, historyLength: 0 };
  const at = timeOf('visibleAt', start.visibleAt);
  save(unit, { ...row, messages: [...(row.messages ?? []), { at, message: start }] });
  return row;
}
