/**
 * Converting between port values and SQLite rows. Rows are checked as they are read: a
 * damaged row is a named error, not a crash later.
 * @module
 */
import { type FailureDetails, InvalidArgumentError, StorageCorruptedError } from '../../errors.js';
import { type HistoryEvent, isRuntimeStatus } from '../../history.js';
import type { ActivityWorkItem, InstanceRecord, OrchestrationMessage } from '../port.js';
import type { Param } from './connection.js';
import type { ActivityRow, InstanceRow, MessageRow } from './schema.js';

export const str = (v: unknown): v is string => typeof v === 'string';
export const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function corrupted(row: string, problem: string, cause?: unknown): StorageCorruptedError {
  return new StorageCorruptedError(
    `SQLite row ${row} ${problem}; the database was written by something else or is damaged.`,
    cause === undefined ? undefined : { cause },
  );
}

/** Throws the named row's corruption error unless each of the columns holds text. */
function expectText<Row extends object>(name: string, row: Row, columns: readonly (keyof Row & string)[]): void {
  for (const column of columns) if (!str(row[column])) throw corrupted(name, `has a bad or missing '${column}'`);
}

/** Throws the named row's corruption error unless the column holds an integer. */
function expectInt<Row extends object>(name: string, row: Row, column: keyof Row & string): void {
  if (!int(row[column])) throw corrupted(name, `has a bad ${column} '${String(row[column])}'`);
}

function parseJson(row: string, column: string, text: unknown): unknown {
  if (!str(text)) throw corrupted(row, `has no JSON text in '${column}'`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw corrupted(row, `has unparseable JSON in '${column}' (${(error as Error).message})`, error);
  }
}

export function parseEvent(row: string, text: unknown): HistoryEvent {
  const value = parseJson(row, 'event', text);
  if (typeof value !== 'object' || value === null || !str((value as HistoryEvent).type)) throw corrupted(row, `has an 'event' that is not a history event`);
  return value as HistoryEvent;
}

export const instanceRowName = (hub: string, instanceId: unknown) => `instances(hub='${hub}', instance_id='${String(instanceId)}')`;

export function toRecord(hub: string, row: InstanceRow): InstanceRecord {
  const name = instanceRowName(hub, row.instance_id);
  expectText(name, row, ['instance_id', 'name', 'execution_id', 'created_time', 'last_updated_time']);
  if (!isRuntimeStatus(row.runtime_status)) throw corrupted(name, `has an unknown runtime_status '${String(row.runtime_status)}'`);
  expectInt(name, row, 'version');
  const record: InstanceRecord = {
    instanceId: row.instance_id,
    name: row.name,
    executionId: row.execution_id,
    runtimeStatus: row.runtime_status,
    createdTime: row.created_time,
    lastUpdatedTime: row.last_updated_time,
    version: row.version,
  };
  if (row.input !== null) record.input = row.input;
  if (row.output !== null) record.output = row.output;
  if (row.custom_status !== null) record.customStatus = row.custom_status;
  if (row.failure_details !== null) {
    const details = parseJson(name, 'failure_details', row.failure_details);
    if (typeof details !== 'object' || details === null) throw corrupted(name, `has a 'failure_details' that is not an object`);
    record.failureDetails = details as FailureDetails;
  }
  if (row.completed_time !== null) record.completedTime = row.completed_time;
  if (row.parent_instance_id !== null) record.parentInstanceId = row.parent_instance_id;
  return record;
}

/** The `instances` columns of a row, in `INSTANCE_COLUMNS` order. */
export function instanceParams(hub: string, instanceId: string, r: Omit<InstanceRecord, 'version'>, version: number): Param[] {
  return [
    hub,
    instanceId,
    r.name,
    r.executionId,
    r.runtimeStatus,
    r.input ?? null,
    r.output ?? null,
    r.customStatus ?? null,
    r.failureDetails === undefined ? null : JSON.stringify(r.failureDetails),
    r.createdTime,
    r.lastUpdatedTime,
    r.completedTime ?? null,
    r.parentInstanceId ?? null,
    version,
  ];
}

export function timeOf(what: string, iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${what} '${String(iso)}' is not an ISO 8601 date-time.`);
  return ms;
}

export function toMessage(hub: string, row: MessageRow): OrchestrationMessage {
  const name = `messages(hub='${hub}', instance_id='${row.instance_id}', id='${row.id}')`;
  expectInt(name, row, 'visible_at');
  const message: OrchestrationMessage = {
    id: row.id,
    instanceId: row.instance_id,
    event: parseEvent(name, row.event),
    visibleAt: new Date(row.visible_at).toISOString(),
  };
  if (row.execution_id !== null) message.executionId = row.execution_id;
  return message;
}

export function toActivity(hub: string, row: ActivityRow): ActivityWorkItem {
  const name = `activities(hub='${hub}', instance_id='${row.instance_id}', id='${row.id}')`;
  expectText(name, row, ['id', 'instance_id', 'execution_id', 'name', 'enqueued_time']);
  expectInt(name, row, 'task_scheduled_id');
  const item: ActivityWorkItem = {
    id: row.id,
    instanceId: row.instance_id,
    executionId: row.execution_id,
    taskScheduledId: row.task_scheduled_id,
    name: row.name,
    enqueuedTime: row.enqueued_time,
  };
  if (row.input !== null) item.input = row.input;
  return item;
}
