/**
 * The Durable Object host in Node, through the RPC-shaped storage: the engine runs in the
 * object, a waiting client is woken by notifications (not by polling), and durable timers
 * are fired by the object's alarm.
 */
import { describe, expect, it } from 'vitest';
import { DurableClient, VirtualClock } from '../../core/index.js';
import { DurableObjectStorage } from '../../edge-worker/cloudflare/remote.js';
import { registerSamples } from '../../samples/index.js';
import { FakeNamespace } from './do-fakes.js';

describe('task hub object host', () => {
  it('runs orchestrations in the object and wakes a waiting client by notification', async () => {
    const ns = new FakeNamespace({ app: registerSamples() });
    const client = new DurableClient({ storage: new DurableObjectStorage(ns), taskHub: 'Samples' });
    const id = await client.startNew('HelloSequence');
    const started = Date.now();
    // A one-minute poll interval: only a notification can end this wait in time.
    const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 5_000, retryIntervalInMilliseconds: 60_000 });
    expect(status.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('sets the alarm to the next durable timer and completes the instance when it fires', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
    const ns = new FakeNamespace({ app: registerSamples(), now: () => clock.now(), worker: { clock } });
    const client = new DurableClient({ storage: new DurableObjectStorage(ns), taskHub: 'Samples', clock });
    const id = await client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
    const object = () => ns.hosts.get('Samples')!;
    await expect.poll(async () => (await client.getStatus(id))?.runtimeStatus).toBe('Running');
    const fireAt = clock.now() + 3_600_000;
    await expect.poll(() => object().storage.alarm).toBe(fireAt);

    clock.advanceTo(fireAt);
    await object().host.alarm();
    expect(await client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: 'timed out' });
  });

  it('waits for a status inside the object: one call per wait, a row at once, after the timeout, or none', async () => {
    const ns = new FakeNamespace({ app: registerSamples() });
    const storage = new DurableObjectStorage(ns);
    const hub = storage.taskHub('Samples');
    const client = new DurableClient({ storage, taskHub: 'Samples' });
    expect(await hub.waitForInstance!('missing', ['Completed'], 50)).toBeUndefined();
    const id = await client.startNew('HelloSequence');
    // Already reached: at once. Not reached within the timeout: the row as it is.
    expect((await hub.waitForInstance!(id, ['Pending', 'Running', 'Completed'], 10_000))?.instanceId).toBe(id);
    const approval = await client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
    expect((await hub.waitForInstance!(approval, ['Completed'], 30))?.runtimeStatus).toMatch(/Pending|Running/);
    // Reached later: answered by the change, in one call.
    const before = ns.calls;
    const done = await hub.waitForInstance!(id, ['Completed', 'Failed', 'Terminated'], 10_000);
    expect(done).toMatchObject({ instanceId: id, runtimeStatus: 'Completed', output: '["Hello Tokyo!","Hello Seattle!","Hello London!"]' });
    expect(ns.calls - before).toBe(1);
    // The client waits through it: an event completes Approval while it waits.
    const waiting = client.waitForCompletion(approval, { timeoutInMilliseconds: 10_000 });
    await client.raiseEvent(approval, 'Approval', true);
    expect((await waiting).output).toBe('approved');
  });

  it('sends the starts a request makes together as one call, each answered on its own', async () => {
    const ns = new FakeNamespace({ app: registerSamples() });
    const storage = new DurableObjectStorage(ns);
    const client = new DurableClient({ storage, taskHub: 'Samples' });
    await client.startNew('HelloSequence', { instanceId: 'taken', input: undefined });
    const before = ns.calls;
    // 20 starts in one turn, one of them for an instance that is still running.
    const starts = await Promise.allSettled([
      ...Array.from({ length: 19 }, (_, i) => client.startNew('HelloSequence', { instanceId: `burst-${i}` })),
      client.startNew('Approval', { instanceId: 'taken' }),
    ]);
    expect(ns.calls - before).toBe(1);
    expect(starts.slice(0, 19).map((s) => s.status === 'fulfilled' && s.value)).toEqual(Array.from({ length: 19 }, (_, i) => `burst-${i}`));
    expect(starts[19]).toMatchObject({ status: 'rejected', reason: { name: 'InstanceAlreadyExistsError' } });
    for (let i = 0; i < 19; i++) expect((await client.waitForCompletion(`burst-${i}`, { timeoutInMilliseconds: 10_000 })).runtimeStatus).toBe('Completed');
    // Starts in separate turns are separate calls; a first write from a fresh storage registers the hub once per turn.
    const fresh = new DurableClient({ storage: new DurableObjectStorage(ns), taskHub: 'Samples' });
    const calls = ns.calls;
    await Promise.all([fresh.startNew('HelloSequence'), fresh.startNew('HelloSequence')]);
    expect(ns.calls - calls).toBe(2); // one registration, one batch
    await fresh.startNew('HelloSequence');
    expect(ns.calls - calls).toBe(3);
  });

  it('starts and waits in one call; a burst of starts goes together and each waits on its own call', async () => {
    const ns = new FakeNamespace({ app: registerSamples() });
    const client = new DurableClient({ storage: new DurableObjectStorage(ns), taskHub: 'Samples' });
    await client.startNew('Approval', { instanceId: 'taken', input: { timeoutSeconds: 3600 } });
    let before = ns.calls;
    expect(await client.startNewAndWait('HelloSequence', { timeoutInMilliseconds: 10_000 })).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    });
    expect(ns.calls - before).toBe(1);
    // A start that fails is not waited on; nothing is written for it.
    before = ns.calls;
    await expect(client.startNewAndWait('HelloSequence', { instanceId: 'taken' })).rejects.toMatchObject({ name: 'InstanceAlreadyExistsError' });
    expect(ns.calls - before).toBe(1);
    expect((await client.getStatus('taken'))?.name).toBe('Approval');
    // Not done in time: the instance runs on, and a later wait sees it finish.
    await expect(client.startNewAndWait('Approval', { instanceId: 'slow', input: { timeoutSeconds: 3600 }, timeoutInMilliseconds: 50 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await client.raiseEvent('slow', 'Approval', true);
    expect((await client.waitForCompletion('slow', { timeoutInMilliseconds: 10_000 })).output).toBe('approved');
    // Ten in one turn: one call starts them all, then one wait each.
    before = ns.calls;
    const all = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.startNewAndWait('HelloSequence', { instanceId: `many-${i}`, timeoutInMilliseconds: 10_000 })),
    );
    expect(all.map((s) => [s.instanceId, s.runtimeStatus])).toEqual(Array.from({ length: 10 }, (_, i) => [`many-${i}`, 'Completed']));
    expect(ns.calls - before).toBe(11);
  });

  it('checks the statuses of a start-and-wait call before starting anything', async () => {
    const ns = new FakeNamespace({ app: registerSamples() });
    const client = new DurableClient({ storage: new DurableObjectStorage(ns), taskHub: 'Samples' });
    await client.startNew('HelloSequence', { instanceId: 'first' });
    const t = new Date().toISOString();
    const instance = {
      record: { instanceId: 'bad', name: 'HelloSequence', executionId: 'e', runtimeStatus: 'Pending', createdTime: t, lastUpdatedTime: t },
      start: {
        id: 'm',
        instanceId: 'bad',
        executionId: 'e',
        visibleAt: t,
        event: { type: 'ExecutionStarted', eventId: -1, timestamp: t, name: 'HelloSequence', orchestrationInstance: { instanceId: 'bad', executionId: 'e' } },
      },
    };
    expect(await ns.get('Samples').invoke('Samples', 'createInstanceAndWait', [instance, 'Completed', 1000])).toMatchObject({
      ok: false,
      error: { name: 'InvalidArgumentError' },
    });
    expect(await client.getStatus('bad')).toBeNull();
  });

  it('refuses a malformed batch call with a typed error', async () => {
    const ns = new FakeNamespace({ app: registerSamples() });
    const stub = ns.get('Samples');
    expect(await stub.invoke('Samples', 'batch', [[['pollNotifications', [0, 0]]]])).toMatchObject({ ok: false, error: { name: 'InvalidArgumentError' } });
    expect(await stub.invoke('Samples', 'batch', ['nope'])).toMatchObject({ ok: false, error: { name: 'InvalidArgumentError' } });
  });
});
