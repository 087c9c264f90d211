/**
 * The rows of one instance, inside a write transaction: its status, its inbox (the lock
 * table row: `ready_at = max(earliest pending visible_at, lock expiry)`), its messages and
 * activities, creating and removing it.
 * @module
 */
import { isRuntimeStatus, type RuntimeStatus } from '../../history.js';
import { randomId } from '../../ids.js';
import type { InstanceRecord, NewInstance, OrchestrationMessage, OrchestrationWorkItem } from '../port.js';
import type { Connection } from './connection.js';
import { corrupted, instanceParams, instanceRowName, int, timeOf, toMessage } from './rows.js';
import { INSTANCE_COLUMNS, INSTANCE_TABLES, type InboxRow, type MessageRow } from './schema.js';

export function status(sql: Connection, hub: string, instanceId: string): { runtimeStatus: RuntimeStatus; version: number } | undefined {
  const row = sql.get<{ runtime_status: unknown; version: unknown }>(
    'SELECT runtime_status, version FROM instances WHERE hub = ? AND instance_id = ?',
    hub,
    instanceId,
  );
  if (!row) return undefined;
  if (!isRuntimeStatus(row.runtime_status)) throw corrupted(instanceRowName(hub, instanceId), `has an unknown runtime_status '${String(row.runtime_status)}'`);
  if (!int(row.version)) throw corrupted(instanceRowName(hub, instanceId), `has a bad version '${String(row.version)}'`);
  return { runtimeStatus: row.runtime_status, version: row.version };
}

/** The token of the instance's lock; null or undefined when nobody holds it. */
export function lockToken(sql: Connection, hub: string, instanceId: string): string | null | undefined {
  return sql.get<InboxRow>('SELECT instance_id, lock_token, lock_expires_at FROM inboxes WHERE hub = ? AND instance_id = ?', hub, instanceId)?.lock_token;
}

/** The token of the activity's lease; null when it is not leased, undefined when it is gone. */
export function activityToken(sql: Connection, hub: string, instanceId: string, id: string): string | null | undefined {
  return sql.get<{ lease_token: string | null }>('SELECT lease_token FROM activities WHERE hub = ? AND instance_id = ? AND id = ?', hub, instanceId, id)
    ?.lease_token;
}

export function deleteActivity(sql: Connection, hub: string, instanceId: string, id: string): void {
  sql.run('DELETE FROM activities WHERE hub = ? AND instance_id = ? AND id = ?', hub, instanceId, id);
}

/** Creates an instance (replacing a terminal one with everything it had) and enqueues its start. */
export function install(sql: Connection, hub: string, { record, start }: NewInstance): InstanceRecord {
  remove(sql, hub, record.instanceId);
  sql.run(
    `INSERT INTO instances (${INSTANCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ...instanceParams(hub, record.instanceId, record, 1),
  );
  enqueue(sql, hub, [start]);
  return { ...record, version: 1 };
}

export function remove(sql: Connection, hub: string, instanceId: string): void {
  for (const table of INSTANCE_TABLES) sql.run(`DELETE FROM ${table} WHERE hub = ? AND instance_id = ?`, hub, instanceId);
}

export function enqueue(sql: Connection, hub: string, messages: readonly OrchestrationMessage[]): void {
  for (const m of messages) {
    const at = timeOf('visibleAt', m.visibleAt);
    // A message ID already queued for the instance is not queued twice.
    const added = sql.run(
      'INSERT INTO messages (hub, instance_id, id, execution_id, visible_at, event) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hub, instance_id, id) DO NOTHING',
      hub,
      m.instanceId,
      m.id,
      m.executionId ?? null,
      at,
      JSON.stringify(m.event),
    );
    if (!added) continue;
    sql.run(
      `INSERT INTO inboxes (hub, instance_id, pending_at, lock_token, lock_expires_at, ready_at) VALUES (?, ?, ?, NULL, 0, ?)
       ON CONFLICT (hub, instance_id) DO UPDATE SET pending_at = min(pending_at, excluded.pending_at), ready_at = max(min(pending_at, excluded.pending_at), lock_expires_at)`,
      hub,
      m.instanceId,
      at,
      at,
    );
  }
}

/**
 * Recomputes an instance's inbox after messages left it or moved, releasing the lock if `token`
 * holds it (or, with `dropLapsed`, whatever lock there is: only called when it has lapsed).
 * An inbox without messages goes.
 */
export function settle(sql: Connection, hub: string, instanceId: string, token: string | undefined, dropLapsed = false): void {
  const pending = sql.get<{ at: number | null }>('SELECT min(visible_at) AS at FROM messages WHERE hub = ? AND instance_id = ?', hub, instanceId)?.at ?? null;
  if (pending === null) {
    sql.run('DELETE FROM inboxes WHERE hub = ? AND instance_id = ?', hub, instanceId);
    return;
  }
  const inbox = sql.get<InboxRow>('SELECT instance_id, lock_token, lock_expires_at FROM inboxes WHERE hub = ? AND instance_id = ?', hub, instanceId);
  const release = dropLapsed || (token !== undefined && inbox?.lock_token === token);
  const heldBy = release ? null : (inbox?.lock_token ?? null);
  const expiresAt = release ? 0 : (inbox?.lock_expires_at ?? 0);
  sql.run(
    `INSERT INTO inboxes (hub, instance_id, pending_at, lock_token, lock_expires_at, ready_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (hub, instance_id) DO UPDATE SET pending_at = excluded.pending_at, lock_token = excluded.lock_token,
     lock_expires_at = excluded.lock_expires_at, ready_at = excluded.ready_at`,
    hub,
    instanceId,
    pending,
    heldBy,
    expiresAt,
    Math.max(pending, expiresAt),
  );
}

/**
 * Locks an instance's inbox whose lock (if any) has lapsed, with every visible message;
 * with none visible, repairs the row and returns undefined. A damaged message keeps its
 * instance locked (so the others go on) and is returned as the error to report.
 */
export function lockInbox(sql: Connection, hub: string, instanceId: string, now: number, lockMs: number): OrchestrationWorkItem | Error | undefined {
  const rows = sql.all<MessageRow>(
    'SELECT id, instance_id, execution_id, visible_at, event FROM messages WHERE hub = ? AND instance_id = ? AND visible_at <= ? ORDER BY visible_at, seq',
    hub,
    instanceId,
    now,
  );
  if (rows.length === 0) {
    settle(sql, hub, instanceId, undefined, true);
    return undefined;
  }
  const lease = { token: randomId(), expiresAt: now + lockMs };
  sql.run(
    'UPDATE inboxes SET lock_token = ?, lock_expires_at = ?, ready_at = max(pending_at, ?) WHERE hub = ? AND instance_id = ?',
    lease.token,
    lease.expiresAt,
    lease.expiresAt,
    hub,
    instanceId,
  );
  try {
    return { instanceId, messages: rows.map((row) => toMessage(hub, row)), lease };
  } catch (error) {
    return error as Error;
  }
}
