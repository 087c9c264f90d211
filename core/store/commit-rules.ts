/**
 * The rules every adapter applies before it writes an episode or creates an instance, over
 * the facts the adapter read: one function, so that every store refuses the same commits with
 * the same errors. It does no I/O; each adapter reads the facts its own way (a map lookup,
 * one SQL statement, a cached row) and passes them in.
 * @module
 */
import { InstanceAlreadyExistsError, VersionConflictError } from '../errors.js';
import { isTerminal, type RuntimeStatus } from '../history.js';
import type { EpisodeCommit } from './port.js';

/** What a store read about an episode's instance and the rows the episode touches, before writing. */
export interface EpisodeFacts {
  /** The instance's stored version; undefined when there is no such instance. */
  version: number | undefined;
  /**
   * Stores that fence commits by lease as well as by version (SQLite and IndexedDB, where
   * several processes or connections lease the same rows) pass the instance's lock as stored,
   * its token undefined when nobody holds it. Stores with one writer (memory, KV, Durable
   * Object) leave `lock` undefined: there the version alone decides.
   */
  lock?: { token: string | null | undefined };
  /**
   * For an episode that records activity results directly (`completesActivities`): whether a
   * message of the instance is visible at its `now`.
   */
  messageWaiting?: boolean;
  /**
   * For an episode that records activity results directly: the stored lease token of each of
   * its activities, in its order; undefined (or null) for one that is gone or not leased.
   */
  activityTokens?: readonly (string | null | undefined)[];
  /** The stored status of an instance with each new instance's ID, in the episode's order; undefined where there is none. */
  childStatuses: readonly (RuntimeStatus | undefined)[];
}

/**
 * Why the store must refuse `e`, or undefined if it may commit. A refused episode writes nothing.
 * The checks, in order: the expected version is the stored one; the episode's lease still holds
 * the instance (where the store fences by lease); for results recorded directly, no message is
 * visible first and every activity is still held under the committer's lease (as if they were
 * completed and the instance leased with exactly their results); no new instance replaces a
 * non-terminal one.
 */
export function episodeRefusal(e: EpisodeCommit, facts: EpisodeFacts): Error | undefined {
  const { version } = facts;
  if (version === undefined || version !== e.expectedVersion) return new VersionConflictError(e.instanceId, e.expectedVersion, version);
  if (e.lease && facts.lock && facts.lock.token !== e.lease.token) {
    // The lease lapsed and another worker took the instance: it got these messages too.
    const error = new VersionConflictError(e.instanceId, e.expectedVersion, version);
    error.message = `Instance '${e.instanceId}' was leased by another worker after this episode's lease lapsed; the episode is not committed.`;
    return error;
  }
  const direct = e.completesActivities;
  if (direct) {
    if (facts.messageWaiting) return new VersionConflictError(e.instanceId, e.expectedVersion, version, 'a message for it is waiting');
    for (const [i, { item, lease }] of direct.activities.entries()) {
      if (facts.activityTokens?.[i] !== lease.token)
        return new VersionConflictError(e.instanceId, e.expectedVersion, version, `activity '${item.id}' is no longer held`);
    }
  }
  for (const [i, { record }] of e.newInstances.entries()) {
    const refusal = createRefusal(record.instanceId, facts.childStatuses[i]);
    if (refusal) return refusal;
  }
  return undefined;
}

/** Why an instance cannot be created over one in status `existing` (a non-terminal one is not replaced), or undefined. */
export function createRefusal(instanceId: string, existing: RuntimeStatus | undefined): InstanceAlreadyExistsError | undefined {
  return existing !== undefined && !isTerminal(existing) ? new InstanceAlreadyExistsError(instanceId, existing) : undefined;
}
