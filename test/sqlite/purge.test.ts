/**
 * Purge by filter on SQLite: in bounded chunks, each its own transaction, with the running total
 * reported after each, and other calls served between chunks.
 */

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { newInstance } from '../conformance/store.case.js';

describe('purge by filter on SQLite', () => {
  it('purges in chunks, reports progress after each, and serves other calls between them', async () => {
    const db = new Database(':memory:');
    const hub = new SqliteStorage(db).taskHub('hub');
    await Promise.all(Array.from({ length: 450 }, (_, i) => hub.createInstance(newInstance(`done-${i}`, { status: 'Completed' }))));
    await hub.createInstance(newInstance('still-running', { status: 'Running' }));
    await hub.createInstance(newInstance('failed', { status: 'Failed' }));

    const progress: number[] = [];
    const seenBetween: number[] = [];
    const purging = hub.purgeInstances({ runtimeStatus: ['Completed'] }, { onProgress: (n) => progress.push(n) });
    // A read made while the purge runs is answered before it ends, between two chunks.
    const read = hub.getInstance('still-running').then((r) => {
      seenBetween.push(progress.length);
      return r;
    });
    expect(await purging).toBe(450);
    expect((await read)?.runtimeStatus).toBe('Running');
    expect(progress).toEqual([64, 128, 192, 256, 320, 384, 448, 450]);
    expect(seenBetween[0]).toBeLessThan(8);

    const left = db.prepare('SELECT instance_id FROM instances ORDER BY instance_id').all();
    expect(left).toEqual([{ instance_id: 'failed' }, { instance_id: 'still-running' }]);
    // Their messages went with them.
    expect(db.prepare(`SELECT count(*) AS n FROM messages WHERE instance_id LIKE 'done-%'`).get()).toEqual({ n: 0 });
  });

  it('reports nothing and returns 0 when nothing matches', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('hub');
    await hub.createInstance(newInstance('r', { status: 'Running' }));
    const progress: number[] = [];
    expect(await hub.purgeInstances({}, { onProgress: (n) => progress.push(n) })).toBe(0);
    expect(progress).toEqual([]);
  });
});
