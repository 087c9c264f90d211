/**
 * Releasing every lease of a hub at once (`TaskHubStore.releaseLeases`), for a worker that
 * takes over from dead ones. A lease is a lock in a row, so only rows with work can hold one:
 * instance rows with messages (an orchestration lease is taken only with visible messages, and
 * goes when they are consumed) or with inline activities, found through the two ready indexes,
 * and the hub's queued activity rows.
 * @module
 */
import type { ReleasedLeases } from '../port.js';
import { save } from './queue.js';
import { checked, type Key, within } from './schema.js';
import { request, type Unit } from './unit.js';

export async function releaseLeases(unit: Unit, hub: string): Promise<ReleasedLeases> {
  const released: ReleasedLeases = { instances: 0, activities: 0 };
  // The indexes show what earlier operations of the transaction wrote once they are sent.
  unit.flush();
  const range = within(hub);
  const instances = unit.raw('instances');
  const [withMessages, withActivities, activityRows] = await Promise.all([
    request(instances.index('byReadyAt').getAllKeys(range)),
    request(instances.index('byActivityAt').getAllKeys(range)),
    request(unit.raw('activities').getAll(range)),
  ]);
  const keys = new Map<string, Key<'instances'>>();
  for (const key of [...withMessages, ...withActivities] as Key<'instances'>[]) keys.set(key[1], key);
  for (const key of keys.values()) {
    const row = await unit.get('instances', key);
    if (!row) continue;
    const held = row.activities?.filter((a) => a.lock).length ?? 0;
    if (!row.lock && held === 0) continue;
    const { lock, ...rest } = row;
    if (lock) released.instances++;
    released.activities += held;
    save(unit, { ...rest, activities: rest.activities?.map(({ lock: _released, ...a }) => a) });
  }
  for (const value of activityRows) {
    const { lock, ...row } = checked('activities', value);
    if (!lock) continue;
    unit.put('activities', { ...row, readyAt: row.at });
    released.activities++;
  }
  return released;
}
