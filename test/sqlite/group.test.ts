/**
 * The SQLite store's group commit: the writes made in one turn share one transaction, each in
 * its own savepoint, and each call keeps its own outcome.
 */

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InstanceAlreadyExistsError } from '../../core/index.js';
import { type SqliteDatabase, SqliteStorage } from '../../core/store/sqlite.js';
import { newInstance } from '../conformance/store.case.js';

/** A database that counts the write transactions begun on it. */
function counting(): { db: SqliteDatabase; transactions: () => number } {
  const db = new Database(':memory:');
  let begun = 0;
  const prepare = db.prepare.bind(db);
  const wrapped = Object.assign(Object.create(db) as Database.Database, {
    prepare(sql: string) {
      const statement = prepare(sql);
      if (sql !== 'BEGIN IMMEDIATE') return statement;
      const run = () => {
        begun++;
        return statement.run();
      };
      return { run, get: statement.get.bind(statement), all: statement.all.bind(statement) };
    },
    exec: db.exec.bind(db),
    close: db.close.bind(db),
  });
  return { db: wrapped, transactions: () => begun };
}

describe('group commit of the SQLite store', () => {
  it('writes starts made together in one transaction, and each is stored', async () => {
    const { db, transactions } = counting();
    const hub = new SqliteStorage(db).taskHub('hub');
    const before = transactions();
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => hub.createInstance(newInstance(`i-${i}`))));
    expect(transactions() - before).toBe(1);
    expect(created.map((r) => r.instanceId)).toEqual(Array.from({ length: 50 }, (_, i) => `i-${i}`));
    const page = await hub.queryInstances({ pageSize: 100 });
    expect(page.instances).toHaveLength(50);
    // Each start enqueued its ExecutionStarted: all 50 are leasable.
    expect(await hub.leaseOrchestrations!(Date.parse('2026-01-01T00:00:00Z'), 30_000, 100)).toHaveLength(50);
  });

  it('refuses the second start of one instance ID in a batch, and only that one', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('hub');
    const first = newInstance('dup');
    const second = newInstance('dup');
    const results = await Promise.allSettled([hub.createInstance(first), hub.createInstance(second), hub.createInstance(newInstance('other'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(InstanceAlreadyExistsError);
    // The first start's row is the one stored.
    expect((await hub.getInstance('dup'))?.executionId).toBe(first.record.executionId);
  });

  it('a start that fails in a batch writes nothing and does not fail the others', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('hub');
    const bad = newInstance('bad');
    bad.start = { ...bad.start, visibleAt: 'not a time' };
    const results = await Promise.allSettled([hub.createInstance(newInstance('a')), hub.createInstance(bad), hub.createInstance(newInstance('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'InvalidArgumentError' });
    // Its savepoint rolled back: no instance row without its start message.
    expect(await hub.getInstance('bad')).toBeUndefined();
    expect((await hub.queryInstances({})).instances.map((r) => r.instanceId).sort()).toEqual(['a', 'b']);
  });

  it('rejects every call of the batch when the transaction cannot begin, and writes none', async () => {
    const db = new Database(':memory:');
    const storage = new SqliteStorage(db);
    const hub = storage.taskHub('hub');
    // Another transaction holds the connection: BEGIN IMMEDIATE fails for the whole batch.
    db.exec('BEGIN');
    const results = await Promise.allSettled([hub.createInstance(newInstance('a')), hub.createInstance(newInstance('b'))]);
    db.exec('ROLLBACK');
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await hub.queryInstances({})).instances).toEqual([]);
  });

  it('writes what is pending when the storage closes', async () => {
    const db = new Database(':memory:');
    const storage = new SqliteStorage(db);
    const created = storage.taskHub('hub').createInstance(newInstance('late'));
    const row = () => db.prepare('SELECT instance_id FROM instances').all();
    // Still pending: the batch is written at the end of the turn.
    expect(row()).toEqual([]);
    // The storage closes the connection; the check below reads through it afterwards.
    db.close = () => db;
    await storage.close();
    await expect(created).resolves.toMatchObject({ instanceId: 'late' });
    expect(row()).toEqual([{ instance_id: 'late' }]);
  });
});
