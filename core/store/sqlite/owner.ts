/**
 * The owner of a SQLite store: the one process that runs the engine on the file (the Node host).
 *
 * Rule: a file has at most one owner at a time. Leases are taken only by the owner's workers;
 * clients on the same file (the CLI's `--store`, a second `DurableClient`) create instances,
 * raise events and read, but never lease. So when a new owner takes over from a dead one,
 * every lease in the file belongs to a dead process, and the claim releases them all in the
 * same transaction: the dead owner's work is delivered again at once instead of when its
 * leases lapse. Leases need no epoch of their own for that; the owner's epoch (bumped by each
 * claim) fences the owner itself: a process whose heartbeat finds another epoch has been
 * taken over and must stop leasing.
 *
 * A live owner refuses the claim with `StoreInUseError` naming its process, host and start; a
 * dead one (killed, crashed) is taken over. Whether it lives, the claimer may know for certain
 * (`isAlive`: the Node host holds a lock that the system drops when its process ends, however
 * it ends); otherwise the rule is that its heartbeat is fresh and, when it ran on this host,
 * its process exists. A clean stop gives the ownership up, so the next claim need not judge.
 *
 * The `owner` table (one row, id 1): epoch, pid, hostname, started (ISO), heartbeat (epoch ms,
 * 0 once given up). It is created by the first claim, so files of schema version 1 without it
 * stay readable by every build.
 * @module
 */
import { StoreInUseError } from '../../errors.js';
import type { ReleasedLeases } from '../port.js';
import type { Connection } from './connection.js';

/** Which process claims the file. */
export interface OwnerIdentity {
  pid: number;
  hostname: string;
}

export interface ClaimOptions extends OwnerIdentity {
  /** Whether the recorded owner (one that did not give the file up) still runs, when the claimer knows it for certain; the rule below otherwise. */
  isAlive?(owner: OwnerRecord): boolean;
  /** For the rule: whether a process of this host with this ID exists (Node: `process.kill(pid, 0)`); without it, only the heartbeat says. */
  processExists?(pid: number): boolean;
  /** For the rule: a heartbeat older than this is of a dead owner, whatever its process. Default 30 s. */
  staleAfterMs?: number;
}

/** An owner as recorded in the file. */
export interface OwnerRecord extends OwnerIdentity {
  epoch: number;
  /** ISO 8601. */
  started: string;
  /** Epoch ms of its last heartbeat; 0 once it gave the file up. */
  heartbeat: number;
}

export interface Claim {
  epoch: number;
  /** The owner taken over (dead, or one that gave the file up), if the file had one. */
  previous?: OwnerRecord;
  /** The leases of earlier owners released by the claim, over all task hubs. */
  released: ReleasedLeases;
}

export const DEFAULT_STALE_AFTER_MS = 30_000;

const OWNER_TABLE = `CREATE TABLE IF NOT EXISTS owner (
  id INTEGER PRIMARY KEY CHECK (id = 1), epoch INTEGER NOT NULL, pid INTEGER NOT NULL, hostname TEXT NOT NULL,
  started TEXT NOT NULL, heartbeat INTEGER NOT NULL
)`;

/** Claims the file for this process at `now`, or throws `StoreInUseError` naming the live owner. */
export function claimOwner(sql: Connection, options: ClaimOptions, now: number): Claim {
  return sql.write(() => {
    sql.db.exec(OWNER_TABLE);
    const previous = sql.get<OwnerRecord>('SELECT epoch, pid, hostname, started, heartbeat FROM owner WHERE id = 1');
    if (previous && isAlive(previous, options, now)) throw storeInUse(previous, now);
    const epoch = (previous?.epoch ?? 0) + 1;
    sql.run(
      `INSERT INTO owner (id, epoch, pid, hostname, started, heartbeat) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, pid = excluded.pid, hostname = excluded.hostname, started = excluded.started, heartbeat = excluded.heartbeat`,
      epoch,
      options.pid,
      options.hostname,
      new Date(now).toISOString(),
      now,
    );
    return { epoch, previous, released: releaseLeases(sql) };
  });
}

function isAlive(owner: OwnerRecord, options: ClaimOptions, now: number): boolean {
  if (owner.heartbeat <= 0) return false;
  if (options.isAlive) return options.isAlive(owner);
  if (now - owner.heartbeat >= (options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)) return false;
  // A process of another host cannot be looked at: its heartbeat alone says.
  return owner.hostname !== options.hostname || options.processExists?.(owner.pid) !== false;
}

/** The refusal of a claim on a file that `owner` (as recorded, if it got that far) holds. */
export function storeInUse(owner: OwnerRecord | undefined, now: number): StoreInUseError {
  const who = owner
    ? `process ${owner.pid} on host '${owner.hostname}' (owner since ${owner.started}, last heartbeat ${Math.max(0, Math.round((now - owner.heartbeat) / 1000))} s ago)`
    : 'another process, which is starting';
  return new StoreInUseError(
    `The store is owned by ${who}. Only one host may run on a store file at a time: stop that process first, or use another data directory. ` +
      'Clients (durable … --store) may use the file while it runs.',
  );
}

/** Records that the owner of `epoch` is alive at `now`; false when another process has taken the file over. */
export function heartbeat(sql: Connection, epoch: number, now: number): boolean {
  return sql.write(() => sql.run('UPDATE owner SET heartbeat = ? WHERE id = 1 AND epoch = ?', now, epoch)) > 0;
}

/** Gives the file up (a clean stop): the next claim takes it without judging whether this process lives. */
export function giveUp(sql: Connection, epoch: number): void {
  sql.write(() => sql.run('UPDATE owner SET heartbeat = 0 WHERE id = 1 AND epoch = ?', epoch));
}

/** The recorded owner, if the file has had one. */
export function currentOwner(sql: Connection): OwnerRecord | undefined {
  return sql.read(() => {
    if (!sql.get(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'owner'`)) return undefined;
    return sql.get<OwnerRecord>('SELECT epoch, pid, hostname, started, heartbeat FROM owner WHERE id = 1');
  });
}

/**
 * Releases every instance lock and activity lease, of one hub or (without `hub`) of all:
 * messages and activities keep their due times, and a released lease holds nothing any more.
 */
export function releaseLeases(sql: Connection, hub?: string): ReleasedLeases {
  return sql.write(() => {
    const where = hub === undefined ? '' : 'hub = ? AND ';
    const params = hub === undefined ? [] : [hub];
    return {
      instances: sql.run(`UPDATE inboxes SET lock_token = NULL, lock_expires_at = 0, ready_at = pending_at WHERE ${where}lock_token IS NOT NULL`, ...params),
      activities: sql.run(`UPDATE activities SET lease_token = NULL, expires_at = 0, ready_at = visible_at WHERE ${where}lease_token IS NOT NULL`, ...params),
    };
  });
}
