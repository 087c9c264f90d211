/**
 * SQLite-specific properties: the schema and its version, WAL, damaged rows, per-episode
 * atomicity inside a batch, paging, and query plans (every statement the store issues uses an
 * index; list queries are bounded index ranges with LIMIT, never a scan or a sort).
 */

import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { event, type InstanceRecord, type RuntimeStatus, type TaskHubStore } from '../../core/index.js';
import { type SqliteDatabase, SqliteStorage } from '../../core/store/sqlite.js';
import { message, newInstance } from '../conformance/store.case.js';
import { harness } from '../helpers.js';
import { tempDatabaseFiles } from './temp-file.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const tempFile = tempDatabaseFiles();

function episodeFor(record: InstanceRecord, patch: Record<string, unknown> = {}) {
  const { version: _v, ...row } = record;
  return {
    instanceId: record.instanceId,
    expectedVersion: record.version,
    instance: { ...row, runtimeStatus: 'Running' as RuntimeStatus, lastUpdatedTime: iso(T0 + 1000) },
    history: { append: [event('OrchestratorStarted', iso(T0 + 1000), {})] },
    consumedMessageIds: [],
    messages: [],
    activities: [],
    newInstances: [],
    ...patch,
  };
}

describe('schema', () => {
  it('uses WAL with synchronous=NORMAL on a file and records its schema version', () => {
    const file = tempFile();
    const db = new Database(file);
    new SqliteStorage(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.prepare('SELECT key, value FROM meta ORDER BY key').all()).toEqual([
      { key: 'format', value: 'edge-durable' },
      { key: 'schema_version', value: '1' },
    ]);
    db.close();
    const again = new Database(file);
    expect(() => new SqliteStorage(again)).not.toThrow();
    again.close();
  });

  it('refuses a newer schema, a foreign database and a file that is not a database', () => {
    const newer = new Database(':memory:');
    new SqliteStorage(newer);
    newer.prepare(`UPDATE meta SET value = '2' WHERE key = 'schema_version'`).run();
    expect(() => new SqliteStorage(newer)).toThrow(
      expect.objectContaining({ name: 'StorageCorruptedError', message: expect.stringMatching(/schema version 2, newer/) }),
    );

    const foreign = new Database(':memory:');
    foreign.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    expect(() => new SqliteStorage(foreign)).toThrow(
      expect.objectContaining({ name: 'StorageCorruptedError', message: expect.stringMatching(/no 'meta' table/) }),
    );

    const otherFormat = new Database(':memory:');
    otherFormat.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('format', 'someone-else')`);
    expect(() => new SqliteStorage(otherFormat)).toThrow(expect.objectContaining({ name: 'StorageCorruptedError' }));

    const file = tempFile();
    writeFileSync(file, 'this is not a SQLite database, just some text that is long enough to have a header'.repeat(20));
    const garbage = new Database(file);
    expect(() => new SqliteStorage(garbage)).toThrow(expect.objectContaining({ name: 'StorageCorruptedError' }));
    garbage.close();
  });
});

describe('damaged rows', () => {
  it('surfaces unparseable JSON as StorageCorruptedError naming the row', async () => {
    const db = new Database(':memory:');
    const hub = new SqliteStorage(db).taskHub('H');
    const created = await hub.createInstance(newInstance('x'));
    await hub.commit([
      episodeFor(created, { instance: { ...episodeFor(created).instance, runtimeStatus: 'Failed', failureDetails: { errorType: 'E', errorMessage: 'm' } } }),
    ]);
    expect((await hub.getInstance('x'))?.failureDetails).toEqual({ errorType: 'E', errorMessage: 'm' });

    db.prepare(`UPDATE history SET event = '{"type":' WHERE instance_id = 'x'`).run();
    await expect(hub.getHistory('x')).rejects.toMatchObject({
      name: 'StorageCorruptedError',
      message: expect.stringContaining(`history(hub='H', instance_id='x', seq=0)`),
    });

    db.prepare(`UPDATE instances SET failure_details = 'nope' WHERE instance_id = 'x'`).run();
    await expect(hub.getInstance('x')).rejects.toMatchObject({
      name: 'StorageCorruptedError',
      message: expect.stringContaining(`instances(hub='H', instance_id='x') has unparseable JSON in 'failure_details'`),
    });
    await expect(hub.queryInstances({})).rejects.toMatchObject({ name: 'StorageCorruptedError' });

    db.prepare(`UPDATE instances SET failure_details = NULL, runtime_status = 'Sleeping' WHERE instance_id = 'x'`).run();
    await expect(hub.getInstance('x')).rejects.toMatchObject({
      name: 'StorageCorruptedError',
      message: expect.stringContaining(`unknown runtime_status 'Sleeping'`),
    });
  });

  it('reports a damaged message, keeps its instance locked and goes on leasing the others', async () => {
    const db = new Database(':memory:');
    const hub = new SqliteStorage(db).taskHub('H');
    await hub.createInstance(newInstance('bad'));
    await hub.createInstance(newInstance('good', { createdTime: iso(T0 + 1) }));
    db.prepare(`UPDATE messages SET event = '{{' WHERE instance_id = 'bad'`).run();
    await expect(hub.leaseOrchestration(T0 + 10, 1000)).rejects.toMatchObject({
      name: 'StorageCorruptedError',
      message: expect.stringContaining(`messages(hub='H', instance_id='bad', id=`),
    });
    expect((await hub.leaseOrchestration(T0 + 10, 1000))?.instanceId).toBe('good');
    expect(await hub.leaseOrchestration(T0 + 10, 1000)).toBeUndefined();
    await expect(hub.leaseOrchestration(T0 + 2000, 1000)).rejects.toMatchObject({ name: 'StorageCorruptedError' });
  });
});

describe('commits', () => {
  it('rolls back only the episode that fails midway through its writes', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('H');
    const [a, b, c] = [await hub.createInstance(newInstance('a')), await hub.createInstance(newInstance('b')), await hub.createInstance(newInstance('c'))];
    const activity = (instanceId: string, id: string) => ({ id, instanceId, executionId: 'e', taskScheduledId: 0, name: 'F', enqueuedTime: iso(T0) });
    const outcomes = await hub.commit([
      episodeFor(a, { activities: [activity('a', 'wa')] }),
      // Fails after its history, status row, activity and child are written: a message time that is not a time.
      episodeFor(b, {
        activities: [activity('b', 'wb')],
        newInstances: [newInstance('b:child')],
        messages: [{ ...message('b', event('EventRaised', iso(T0), { name: 'x' })), visibleAt: 'not a time' }],
      }),
      episodeFor(c),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { name: 'InvalidArgumentError' } });
    expect((await hub.getInstance('b'))?.version).toBe(1);
    expect(await hub.getHistory('b')).toEqual([]);
    expect(await hub.getInstance('b:child')).toBeUndefined();
    expect((await hub.getInstance('a'))?.version).toBe(2);
    expect((await hub.getInstance('c'))?.version).toBe(2);
    const leased = [await hub.leaseActivity(T0, 1000), await hub.leaseActivity(T0, 1000)];
    expect(leased.map((l) => l?.item.id)).toEqual(['wa', undefined]);
  });

  it('refuses an episode whose lease was taken over by another worker', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('H');
    const created = await hub.createInstance(newInstance('l'));
    const first = (await hub.leaseOrchestration(T0, 1000))!;
    const second = (await hub.leaseOrchestration(T0 + 1001, 1000))!;
    const ids = first.messages.map((m) => m.id);
    const [lost] = await hub.commit([episodeFor(created, { lease: first.lease, consumedMessageIds: ids })]);
    expect(lost).toMatchObject({ ok: false, error: { name: 'VersionConflictError', message: expect.stringMatching(/leased by another worker/) } });
    expect(await hub.commit([episodeFor(created, { lease: second.lease, consumedMessageIds: ids })])).toEqual([{ ok: true, version: 2 }]);
    expect(await hub.nextWakeTime()).toBeUndefined();
  });

  it('delivers messages ordered by when they became due, ties in enqueue order', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('H');
    const timer = message('o', event('TimerFired', iso(T0), { timerId: 0, fireAt: iso(T0 + 5) }), iso(T0 + 5));
    const raised = message('o', event('EventRaised', iso(T0 + 1), { name: 'first' }), iso(T0 + 1));
    const second = message('o', event('EventRaised', iso(T0 + 1), { name: 'second' }), iso(T0 + 1));
    await hub.enqueueMessages([timer, raised]);
    await hub.enqueueMessages([second]);
    const item = (await hub.leaseOrchestration(T0 + 10, 1000))!;
    expect(item.messages.map((m) => m.id)).toEqual([raised.id, second.id, timer.id]);
  });

  it('leases the one ready instance among many locked ones, and does not queue a message ID twice', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('H');
    for (let i = 0; i < 300; i++) await hub.createInstance(newInstance(`busy-${i}`));
    for (let i = 0; i < 300; i++) expect(await hub.leaseOrchestration(T0, 60_000)).toBeDefined();
    const late = message('late', event('EventRaised', iso(T0), { name: 'x' }), iso(T0 + 5));
    await hub.enqueueMessages([late, late]);
    await hub.enqueueMessages([late]);
    expect(await hub.leaseOrchestration(T0 + 4, 60_000)).toBeUndefined();
    expect(await hub.nextWakeTime()).toBe(T0 + 5);
    const item = await hub.leaseOrchestration(T0 + 5, 60_000);
    expect(item?.instanceId).toBe('late');
    expect(item?.messages).toHaveLength(1);
  });
});

describe('listing', () => {
  async function pages(hub: TaskHubStore, query: Parameters<TaskHubStore['queryInstances']>[0]): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await hub.queryInstances({ ...query, continuationToken: token });
      expect(page.instances.length).toBeLessThanOrEqual(query.pageSize ?? 100);
      ids.push(...page.instances.map((r) => r.instanceId));
      token = page.continuationToken;
    } while (token);
    return ids;
  }

  it('merges several statuses newest first, in disjoint and complete pages', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('H');
    const statuses: RuntimeStatus[] = ['Running', 'Completed', 'Failed', 'Pending'];
    const expected: { id: string; time: number; status: RuntimeStatus }[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `i-${String(i).padStart(2, '0')}`;
      const time = T0 + Math.floor(i / 3) * 1000; // ties on createdTime
      const status = statuses[i % 4]!;
      const created = await hub.createInstance(newInstance(id, { createdTime: iso(time) }));
      if (status !== 'Pending') await hub.commit([episodeFor(created, { instance: { ...episodeFor(created).instance, runtimeStatus: status } })]);
      expected.push({ id, time, status });
    }
    const newest = (list: typeof expected) => list.sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1)).map((e) => e.id);
    expect(await pages(hub, { pageSize: 7 })).toEqual(newest([...expected]));
    expect(await pages(hub, { pageSize: 3, runtimeStatus: ['Running', 'Failed'] })).toEqual(
      newest(expected.filter((e) => e.status === 'Running' || e.status === 'Failed')),
    );
    expect(
      await pages(hub, { pageSize: 4, runtimeStatus: ['Completed', 'Pending', 'Failed'], createdTimeFrom: iso(T0 + 2000), createdTimeTo: iso(T0 + 9000) }),
    ).toEqual(newest(expected.filter((e) => e.status !== 'Running' && e.time >= T0 + 2000 && e.time <= T0 + 9000)));
    expect(await pages(hub, { pageSize: 2, instanceIdPrefix: 'i-1', runtimeStatus: ['Running'] })).toEqual(['i-12', 'i-16']);
  });

  it('pages prefixes in code-point order, whatever the characters', async () => {
    const hub = new SqliteStorage(new Database(':memory:')).taskHub('H');
    const ids = ['u-a', 'u-\uffff', 'u-\u{1F600}', 'u-\ue000', 'u-', 'u', 'v-a', 'u-\u00e9', 'u-\u{10FFFF}z'];
    for (const id of ids) await hub.createInstance(newInstance(id));
    const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0)!);
    const byCodePoint = (a: string, b: string) => {
      const [x, y] = [codePoints(a), codePoints(b)];
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    };
    const expected = ids.filter((id) => id.startsWith('u-')).sort(byCodePoint);
    // One page each: query.ts's encodeContinuationToken (btoa on raw JSON) throws for an ID beyond
    // Latin-1, in every adapter, so such IDs cannot end a page yet.
    expect(await pages(hub, { instanceIdPrefix: 'u-', pageSize: 100 })).toEqual(expected);
    expect(await pages(hub, { pageSize: 100 })).toEqual([...ids].sort(byCodePoint).reverse());
    // Newest first with equal times, in pages: instance IDs descending, the same order across pages.
    const latin = ['l-a', 'l-\u00e9', 'l-', 'l-\u00ff', 'l-z'];
    for (const id of latin) await hub.createInstance(newInstance(id, { createdTime: iso(T0 + 5000) }));
    expect(await pages(hub, { instanceIdPrefix: 'l-', pageSize: 1 })).toEqual([...latin].sort(byCodePoint));
    expect(await pages(hub, { pageSize: 1, createdTimeFrom: iso(T0 + 5000) })).toEqual([...latin].sort(byCodePoint).reverse());
  });

  it('lists hubs with instances or only messages, and deletes a hub with its messages', async () => {
    const storage = new SqliteStorage(new Database(':memory:'));
    await storage.taskHub('Zeta').createInstance(newInstance('z'));
    await storage.taskHub('Alpha').enqueueMessages([message('ghost', event('EventRaised', iso(T0), { name: 'x' }))]);
    await storage.taskHub('Mid').createInstance(newInstance('m'));
    expect(await storage.listTaskHubs()).toEqual(['Alpha', 'Mid', 'Zeta']);
    expect(await storage.deleteTaskHub('Alpha')).toBe(true);
    expect(await storage.taskHub('Alpha').leaseOrchestration(T0 + 1, 1000)).toBeUndefined();
    expect(await storage.listTaskHubs()).toEqual(['Mid', 'Zeta']);
  });
});

// ---------------------------------------------------------------------------------------------

/** A connection that records each statement the store prepares, with the parameters of its first use. */
function recording(raw: Database.Database): { db: SqliteDatabase; statements: Map<string, unknown[]> } {
  const statements = new Map<string, unknown[]>();
  return {
    statements,
    db: {
      prepare(sql) {
        const statement = raw.prepare(sql);
        const seen = (params: unknown[]) => {
          if (!statements.has(sql)) statements.set(sql, params);
        };
        return {
          run: (...params) => {
            seen(params);
            return statement.run(...params);
          },
          get: (...params) => {
            seen(params);
            return statement.get(...params);
          },
          all: (...params) => {
            seen(params);
            return statement.all(...params);
          },
        };
      },
      exec: (sql) => raw.exec(sql),
      close: () => raw.close(),
    },
  };
}

describe('query plans', () => {
  it('uses an index for every statement; list queries are bounded index ranges with LIMIT and no sort', async () => {
    const raw = new Database(':memory:');
    const { db, statements } = recording(raw);
    const storage = new SqliteStorage(db);
    // Some data, so that the planner sees non-empty tables.
    const h = harness({ storage });
    for (const [name, input] of [
      ['HelloSequence', undefined],
      ['FanOutFanIn', 5],
      ['ParentChild', undefined],
      ['Approval', { timeoutSeconds: 60 }],
      ['FlakyActivity', { failTimes: 1 }],
      ['Counter', 0],
    ] as const) {
      await h.client.startNew(name, { input });
    }
    await h.settle({ timers: true });
    const counter = (await h.client.listInstances({ runtimeStatus: ['Running'] })).instances[0]!.instanceId;
    await h.client.raiseEvent(counter, 'Add', 2);
    const flaky = (await h.client.listInstances({ runtimeStatus: ['Failed'] })).instances[0]!.instanceId;
    await h.client.rewind(flaky);
    await h.settle({ timers: true });
    await h.client.terminate(counter);
    await h.settle();
    const hub = h.store;
    const token = (await hub.queryInstances({ pageSize: 1 })).continuationToken!;
    const prefixToken = (await hub.queryInstances({ pageSize: 1, instanceIdPrefix: 'a' })).continuationToken;
    for (const query of [
      {},
      { continuationToken: token },
      { runtimeStatus: ['Completed'] as RuntimeStatus[] },
      { runtimeStatus: ['Completed', 'Failed'] as RuntimeStatus[], continuationToken: token },
      { createdTimeFrom: iso(T0 - 1000), createdTimeTo: iso(T0 + 1000) },
      { createdTimeFrom: iso(T0), continuationToken: token },
      { runtimeStatus: ['Running'] as RuntimeStatus[], createdTimeFrom: iso(T0), createdTimeTo: iso(T0 + 1000), continuationToken: token },
      { instanceIdPrefix: 'a' },
      { instanceIdPrefix: 'a', runtimeStatus: ['Completed'] as RuntimeStatus[], createdTimeFrom: iso(T0), continuationToken: prefixToken },
    ])
      await hub.queryInstances({ pageSize: 2, ...query });
    await h.client.purgeInstanceHistoryBy({ createdTimeFrom: iso(T0) });
    await hub.purgeInstance('nothing', ['Completed']);
    await storage.listTaskHubs();
    await storage.deleteTaskHub('Other');
    await storage.deleteTaskHub('DurableFunctionsHub');

    const problems: string[] = [];
    let listQueries = 0;
    for (const [sql, params] of statements) {
      if (/FROM (sqlite_master|meta)\b|INTO meta\b/.test(sql)) continue; // the schema check at open
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      const text = `${sql.replace(/\s+/g, ' ')}\n    ${plan.join('\n    ')}`;
      if (plan.some((line) => /^SCAN /.test(line) && !/^SCAN (CONSTANT ROW|\d+-ROW VALUES CLAUSE)/.test(line))) problems.push(`scan: ${text}`);
      if (/^SELECT .* FROM instances INDEXED BY/.test(sql)) {
        if (sql.includes('ORDER BY')) {
          listQueries++;
          if (!/LIMIT \?$/.test(sql)) problems.push(`no LIMIT: ${text}`);
        }
        if (plan.some((line) => line.includes('TEMP B-TREE'))) problems.push(`sort: ${text}`);
        if (!plan.some((line) => /^SEARCH instances USING (COVERING )?INDEX instances_by_(created|status|id) \(hub=\?/.test(line)))
          problems.push(`index: ${text}`);
      }
    }
    expect(problems).toEqual([]);
    // Newest first, by status, with and without a range and continuation, and by prefix: each shape was checked.
    expect(listQueries).toBeGreaterThanOrEqual(8);
    expect([...statements.keys()].some((sql) => sql.includes('FROM inboxes WHERE hub = ? AND ready_at <= ?'))).toBe(true);
  });
});
