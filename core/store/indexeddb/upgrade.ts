/**
 * Schema upgrades, run in the browser's versionchange transaction, so they are atomic: a
 * crash or an error leaves the old version whole. Version 1 kept one row per pending message
 * (`messages`) and one per instance with messages (`inboxes`, holding the lease); version 2
 * keeps both in the instance's row (see schema.ts); version 3 adds `meta`, whose write stamp
 * lets a connection trust the rows it knows (see connection.ts). Code of version 2 does not
 * replace the stamp, so it must not write to the database beside version 3: the version
 * change shuts it out (its connections close, and it can no longer open the database).
 * @module
 */
import type { Lease, OrchestrationMessage } from '../port.js';
import { create, type Layout, problems, STORES, type StateRow } from './schema.js';

/** Version 1's message rows: `seq` is the arrival order within the instance, `at` the visible time. */
interface V1Message {
  hub: string;
  instanceId: string;
  id: string;
  seq: number;
  at: number;
  message: OrchestrationMessage;
}
interface V1Inbox {
  lock?: Lease;
}

const V1: Layout = {
  instances: {
    keyPath: ['hub', 'instanceId'],
    indexes: { byCreated: ['hub', 'createdTime', 'instanceId'], byStatus: ['hub', 'runtimeStatus', 'createdTime', 'instanceId'] },
  },
  history: STORES.history,
  messages: { keyPath: ['hub', 'instanceId', 'id'], indexes: {} },
  inboxes: { keyPath: ['hub', 'instanceId'], indexes: { byReadyAt: ['hub', 'readyAt'] } },
  activities: STORES.activities,
};
const { meta: _added, ...V2 } = STORES;

/**
 * Brings the database from `from` to the current version, inside the upgrade transaction.
 * Returns what is wrong with a database that is not ours; nothing is changed then, and the
 * caller aborts the transaction, so that a foreign database keeps its version.
 */
export function upgrade(db: IDBDatabase, tx: IDBTransaction, from: number): string[] {
  if (from === 0) {
    create(db);
    return [];
  }
  const layout = from === 1 ? V1 : from === 2 ? V2 : undefined;
  const found = layout ? problems([...db.objectStoreNames], (name) => tx.objectStore(name), layout) : [`an unknown schema version ${from}`];
  if (found.length) return found;
  if (from === 1) fromV1(db, tx);
  db.createObjectStore('meta');
  return [];
}

/**
 * Walks the messages in key order (one instance's are contiguous) and writes each instance's,
 * with the lease its inbox held, into its row (a shell row if the instance does not exist);
 * then drops the two stores. Requests are issued from callbacks, as a versionchange
 * transaction requires; memory holds one instance's messages at a time.
 */
function fromV1(db: IDBDatabase, tx: IDBTransaction): void {
  const instances = tx.objectStore('instances');
  for (const index of ['byReadyAt', 'byActivityAt'] as const) instances.createIndex(index, STORES.instances.indexes[index]!);
  const inboxes = tx.objectStore('inboxes');
  let outstanding = 0;
  let walked = false;
  const finish = () => {
    if (!walked || outstanding > 0) return;
    db.deleteObjectStore('messages');
    db.deleteObjectStore('inboxes');
  };
  const move = (group: V1Message[]) => {
    const { hub, instanceId } = group[0]!;
    const messages = group.sort((a, b) => a.seq - b.seq).map(({ at, message }) => ({ at, message }));
    outstanding++;
    const inbox = inboxes.get([hub, instanceId]);
    const row = instances.get([hub, instanceId]);
    // Requests complete in the order sent: the inbox is read by the time the instance is.
    row.onsuccess = () => {
      const lock = (inbox.result as V1Inbox | undefined)?.lock;
      const next: StateRow = { ...((row.result as StateRow | undefined) ?? { hub, instanceId }), messages };
      if (lock) next.lock = lock;
      next.readyAt = Math.max(Math.min(...messages.map((m) => m.at)), lock?.expiresAt ?? -Infinity);
      instances.put(next);
      outstanding--;
      finish();
    };
  };
  let group: V1Message[] = [];
  const walk = tx.objectStore('messages').openCursor();
  walk.onsuccess = () => {
    const cursor = walk.result;
    const value = cursor?.value as V1Message | undefined;
    if (group[0] && (!value || value.hub !== group[0].hub || value.instanceId !== group[0].instanceId)) {
      move(group);
      group = [];
    }
    if (cursor && value) {
      group.push(value);
      cursor.continue();
      return;
    }
    walked = true;
    finish();
  };
}
