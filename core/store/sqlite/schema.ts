/**
 * The SQLite schema (described in `../sqlite.ts`), its row types, and opening a database:
 * creating the schema in an empty one, refusing a foreign or newer one.
 * @module
 */
import { StorageCorruptedError } from '../../errors.js';
import type { Connection } from './connection.js';

export const SQLITE_SCHEMA_VERSION = 1;
const FORMAT = 'edge-durable';

const TABLES = ['meta', 'instances', 'history', 'messages', 'inboxes', 'activities'] as const;

/** The tables that hold an instance's rows, each keyed by (hub, instance_id). */
export const INSTANCE_TABLES = ['instances', 'history', 'messages', 'inboxes', 'activities'] as const;
/** The tables a hub with anything in it has a row in. */
export const HUB_TABLES = ['instances', 'inboxes', 'activities'] as const;

const SCHEMA = `
CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE instances (
  hub TEXT NOT NULL, instance_id TEXT NOT NULL, name TEXT NOT NULL, execution_id TEXT NOT NULL,
  runtime_status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT, failure_details TEXT,
  created_time TEXT NOT NULL, last_updated_time TEXT NOT NULL, completed_time TEXT,
  parent_instance_id TEXT, version INTEGER NOT NULL
);
CREATE UNIQUE INDEX instances_by_id ON instances (hub, instance_id);
CREATE INDEX instances_by_created ON instances (hub, created_time, instance_id);
CREATE INDEX instances_by_status ON instances (hub, runtime_status, created_time, instance_id);
CREATE TABLE history (
  hub TEXT NOT NULL, instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY (hub, instance_id, seq)
);
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY, hub TEXT NOT NULL, instance_id TEXT NOT NULL, id TEXT NOT NULL,
  execution_id TEXT, visible_at INTEGER NOT NULL, event TEXT NOT NULL
);
CREATE UNIQUE INDEX messages_by_instance ON messages (hub, instance_id, id);
CREATE TABLE inboxes (
  hub TEXT NOT NULL, instance_id TEXT NOT NULL, pending_at INTEGER NOT NULL,
  lock_token TEXT, lock_expires_at INTEGER NOT NULL DEFAULT 0, ready_at INTEGER NOT NULL,
  PRIMARY KEY (hub, instance_id)
) WITHOUT ROWID;
CREATE INDEX inboxes_by_ready ON inboxes (hub, ready_at);
CREATE TABLE activities (
  seq INTEGER PRIMARY KEY, hub TEXT NOT NULL, instance_id TEXT NOT NULL, id TEXT NOT NULL,
  execution_id TEXT NOT NULL, task_scheduled_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT,
  enqueued_time TEXT NOT NULL, visible_at INTEGER NOT NULL, lease_token TEXT,
  expires_at INTEGER NOT NULL DEFAULT 0, deliveries INTEGER NOT NULL DEFAULT 0, ready_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX activities_by_instance ON activities (hub, instance_id, id);
CREATE INDEX activities_by_ready ON activities (hub, ready_at);
`;

export const INSTANCE_COLUMNS =
  'hub, instance_id, name, execution_id, runtime_status, input, output, custom_status, failure_details, created_time, last_updated_time, completed_time, parent_instance_id, version';

export interface InstanceRow {
  hub: string;
  instance_id: string;
  name: string;
  execution_id: string;
  runtime_status: string;
  input: string | null;
  output: string | null;
  custom_status: string | null;
  failure_details: string | null;
  created_time: string;
  last_updated_time: string;
  completed_time: string | null;
  parent_instance_id: string | null;
  version: number;
}
export interface MessageRow {
  id: string;
  instance_id: string;
  execution_id: string | null;
  visible_at: number;
  event: string;
}
export interface InboxRow {
  instance_id: string;
  lock_token: string | null;
  lock_expires_at: number;
}
export interface ActivityRow {
  seq: number;
  instance_id: string;
  id: string;
  execution_id: string;
  task_scheduled_id: number;
  name: string;
  input: string | null;
  enqueued_time: string;
  deliveries: number;
}

/** Creates the schema in an empty database, and refuses one with a foreign or newer schema. */
export function openSchema(sql: Connection): void {
  sql.write(() => {
    const tables = sql
      .all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)
      .map((t) => t.name);
    if (tables.length === 0) {
      sql.db.exec(SCHEMA);
      sql.run('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)', 'format', FORMAT, 'schema_version', String(SQLITE_SCHEMA_VERSION));
      return;
    }
    const foreign = `The SQLite database is not an edge-durable store of schema version ${SQLITE_SCHEMA_VERSION}`;
    if (!tables.includes('meta'))
      throw new StorageCorruptedError(`${foreign}: it has tables (${tables.join(', ')}) but no 'meta' table. Use another file, or delete this one.`);
    const meta = new Map(sql.all<{ key: unknown; value: unknown }>('SELECT key, value FROM meta').map((r) => [r.key, r.value]));
    if (meta.get('format') !== FORMAT)
      throw new StorageCorruptedError(`${foreign}: its meta format is '${String(meta.get('format'))}'. Use another file, or delete this one.`);
    const version = Number(meta.get('schema_version'));
    if (!Number.isInteger(version) || version < 1)
      throw new StorageCorruptedError(`${foreign}: its meta schema_version '${String(meta.get('schema_version'))}' is not a version.`);
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new StorageCorruptedError(
        `The SQLite database has edge-durable schema version ${version}, newer than this build's ${SQLITE_SCHEMA_VERSION}; it was written by a newer edge-durable. Upgrade, or use another file.`,
      );
    }
    const missing = TABLES.filter((t) => !tables.includes(t));
    if (missing.length) throw new StorageCorruptedError(`${foreign}: it lacks the table(s) ${missing.join(', ')}.`);
  });
}
