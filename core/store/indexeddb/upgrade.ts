/**
 * Schema upgrades, run in the browser's versionchange transaction (so they are atomic: a
 * crash or error leaves the old version whole). Version 1 kept one row per pending message
 * in a `messages` store; version 2 keeps them in their instance's inbox row, in arrival order.
 * @module
 */
import type { Lease, OrchestrationMessage } from '../port.js';
import { create, type InboxRow } from './schema.js';

/** Version 1's message rows: `seq` is the arrival order within the instance, `at` the visible time. */
interface V1Message { hub: string; instanceId: string; id: string; seq: number; at: number; message: OrchestrationMessage }
interface V1Inbox { hub: string; instanceId: string; lock?: Lease }

/** Brings the database from `from` to the current version, inside the upgrade transaction. */
export function upgrade(db: IDBDatabase, tx: IDBTransaction, from: number): void {
  if (from === 0) create(db);
  else if (from === 1) fromV1(db, tx);
}

/**
 * Walks the messages in key order (one instance's messages are contiguous), turns each
 * instance's into one inbox row with the lease version 1 held, then drops inbox rows that had
 * no messages and the `messages` store. Each request is issued from the callback of the one
 * before it, as a versionchange transaction requires; memory holds one instance's messages.
 */
function fromV1(db: IDBDatabase, tx: IDBTransaction): void {
  const inboxes = tx.objectStore('inboxes');
  inboxes.createIndex('byActivityAt', ['hub', 'activityAt']);
  const migrated = new Set<string>();
  let group: V1Message[] = [];
  const flush = () => {
    const [first] = group;
    if (!first) return;
    const rows = group.sort((a, b) => a.seq - b.seq);
    group = [];
    migrated.add(JSON.stringify([first.hub, first.instanceId]));
    const get = inboxes.get([first.hub, first.instanceId]);
    get.onsuccess = () => {
      const lock = (get.result as V1Inbox | undefined)?.lock;
      const messages = rows.map(({ at, message }) => ({ at, message }));
      const row: InboxRow = { hub: first.hub, instanceId: first.instanceId, messages };
      if (lock) row.lock = lock;
      row.readyAt = Math.max(Math.min(...messages.map((m) => m.at)), lock?.expiresAt ?? -Infinity);
      inboxes.put(row);
    };
  };
  const walk = tx.objectStore('messages').openCursor();
  walk.onsuccess = () => {
    const cursor = walk.result;
    const value = cursor?.value as V1Message | undefined;
    if (value && group[0] && (value.hub !== group[0].hub || value.instanceId !== group[0].instanceId)) flush();
    if (cursor && value) { group.push(value); cursor.continue(); return; }
    flush();
    // Requests run in order, so this walk sees every row written above.
    const rest = inboxes.openCursor();
    rest.onsuccess = () => {
      const inbox = rest.result;
      if (!inbox) { db.deleteObjectStore('messages'); return; }
      const { hub, instanceId } = inbox.value as V1Inbox;
      if (!migrated.has(JSON.stringify([hub, instanceId]))) inbox.delete();
      inbox.continue();
    };
  };
}
