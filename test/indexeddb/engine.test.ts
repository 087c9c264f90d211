/** The engine's samples, end to end, on the IndexedDB store (fake-indexeddb). */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import { harness } from '../helpers.js';
import { HELLO_HISTORY } from '../samples.case.js';

let n = 0;
const onIndexedDb = async () => harness({ storage: await IndexedDbStorage.open(`engine-${++n}`, { indexedDB: new IDBFactory() }) });
const GREETINGS = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];

describe('samples on the IndexedDB store', () => {
  it('HelloSequence, FanOutFanIn and ParentChild complete with their outputs', async () => {
    const h = await onIndexedDb();
    const hello = await h.client.startNew('HelloSequence');
    const fan = await h.client.startNew('FanOutFanIn', { input: 25 });
    const parent = await h.client.startNew('ParentChild', { instanceId: 'parent' });
    await h.settle();
    expect(await h.client.getStatus(hello)).toMatchObject({ runtimeStatus: 'Completed', output: GREETINGS });
    expect((await h.client.getHistory(hello)).map((e) => e.type)).toEqual(HELLO_HISTORY);
    expect((await h.client.getStatus(fan))?.output).toBe(5525);
    expect(await h.client.getStatus(parent)).toMatchObject({ runtimeStatus: 'Completed', output: GREETINGS });
    expect(await h.client.getStatus('parent:0000')).toMatchObject({ runtimeStatus: 'Completed', parentInstanceId: 'parent' });
  });

  it('Approval answers events and times out on its durable timer', async () => {
    const h = await onIndexedDb();
    const yes = await h.client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
    const late = await h.client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
    await h.settle();
    await h.client.raiseEvent(yes, 'Approval', true);
    await h.settle();
    expect((await h.client.getStatus(yes))?.output).toBe('approved');
    expect((await h.client.getStatus(late))?.runtimeStatus).toBe('Running');
    await h.settle({ timers: true });
    expect(await h.client.getStatus(late)).toMatchObject({ runtimeStatus: 'Completed', output: 'timed out' });
    expect(h.clock.now()).toBe(Date.parse('2026-01-01T01:00:00Z'));
  });

  it('Counter continues as new (history replaced) and FlakyActivity rewinds', async () => {
    const h = await onIndexedDb();
    const counter = await h.client.startNew('Counter', { input: 0 });
    await h.settle();
    for (let i = 0; i < 5; i++) await h.client.raiseEvent(counter, 'Add', 1);
    await h.settle();
    const running = await h.client.getStatus(counter, { showHistory: true });
    expect(running).toMatchObject({ runtimeStatus: 'Running', input: 5 });
    expect(running?.history?.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    await h.client.raiseEvent(counter, 'Stop');
    await h.settle();
    expect(await h.client.getStatus(counter)).toMatchObject({ runtimeStatus: 'Completed', output: 5 });

    const flaky = await h.client.startNew('FlakyActivity', { input: { failTimes: 1 } });
    await h.settle();
    expect((await h.client.getStatus(flaky))?.runtimeStatus).toBe('Failed');
    await h.client.rewind(flaky, 'again');
    await h.settle();
    expect(await h.client.getStatus(flaky)).toMatchObject({ runtimeStatus: 'Completed', output: 'recovered' });
  });

  it('lists, purges and deletes the hub through the client', async () => {
    const h = await onIndexedDb();
    const ids = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await h.client.startNew('HelloSequence'));
      h.clock.advance(1000);
    }
    await h.settle();
    const page = await h.client.listInstances({ runtimeStatus: ['Completed'], pageSize: 3 });
    expect(page.instances.map((s) => s.instanceId)).toEqual(ids.slice(2).reverse());
    expect(page.continuationToken).toBeDefined();
    expect((await h.client.purgeInstanceHistoryBy({ runtimeStatus: ['Completed'] })).instancesDeleted).toBe(5);
    expect((await h.client.listInstances({})).instances).toEqual([]);
    expect(await h.storage.listTaskHubs()).toEqual([]);
  });
});
