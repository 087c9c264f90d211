/**
 * Instance rows built with one property order, absent fields included as undefined, so that
 * every row shares one hidden class and copies stay on V8's fast path; spreading rows of many
 * shapes (`{ ...row, version }`) takes its generic copy path, on every step of every instance.
 * @module
 */
import type { InstanceRecord } from './port.js';

export type InstanceRow = Omit<InstanceRecord, 'version'>;

/** A copy of `row` at `version`. */
export function instanceRecord(row: InstanceRow, version: number): InstanceRecord {
  return {
    instanceId: row.instanceId,
    name: row.name,
    executionId: row.executionId,
    runtimeStatus: row.runtimeStatus,
    input: row.input,
    output: row.output,
    customStatus: row.customStatus,
    failureDetails: row.failureDetails,
    createdTime: row.createdTime,
    lastUpdatedTime: row.lastUpdatedTime,
    completedTime: row.completedTime,
    parentInstanceId: row.parentInstanceId,
    version,
  };
}

/** A copy of a stored record, for a caller to own. */
export const copyRecord = (record: InstanceRecord): InstanceRecord => instanceRecord(record, record.version);
