/** Every management operation, every status transition, and bad input that loses nothing. */
import { describe, expect, it } from 'vitest';
import { DurableApp, MemoryStorage, type OrchestrationContext, RetryOptions, type Task } from '../../core/index.js';

type Orchestrator = Generator<Task, unknown, unknown>;

import { registerSamples } from '../../samples/index.js';
import { harness } from '../helpers.js';

function* waitsForever(context: OrchestrationContext): Orchestrator {
  return yield context.df.waitForExternalEvent('Never');
}

function* parentOfWaiter(context: OrchestrationContext): Orchestrator {
  return yield context.df.callSubOrchestrator('WaitsForever', undefined, `${context.df.instanceId}-child`);
}

function* parentOfFlaky(context: OrchestrationContext): Orchestrator {
  return yield context.df.callSubOrchestrator('FlakyActivity', { failTimes: 1 }, `${context.df.instanceId}-child`);
}

const appWithExtras = () =>
  registerSamples(
    new DurableApp()
      .orchestration('WaitsForever', waitsForever)
      .orchestration('ParentOfWaiter', parentOfWaiter)
      .orchestration('ParentOfFlaky', parentOfFlaky)
      .orchestration('RetryThenSucceed', function* (ctx) {
        const retry = new RetryOptions(1000, 3);
        return yield ctx.df.callActivityWithRetry('Flaky', retry, { failTimes: 2 });
      }),
  );

describe('start and query', () => {
  it('starts with a random 32-hex ID, Pending until a worker runs it, then Running and Completed', async () => {
    const h = harness();
    const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const pending = await h.client.getStatus(id);
    expect(pending).toMatchObject({ name: 'Approval', instanceId: id, runtimeStatus: 'Pending', input: { timeoutSeconds: 60 } });
    expect(pending?.createdTime.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    h.clock.advance(1000);
    await h.settle();
    const running = await h.client.getStatus(id);
    expect(running?.runtimeStatus).toBe('Running');
    expect(running!.lastUpdatedTime.getTime()).toBeGreaterThan(running!.createdTime.getTime());
    await h.settle({ timers: true });
    expect((await h.client.getStatus(id))?.runtimeStatus).toBe('Completed');
  });

  it('hides input with showInput: false and strips results unless showHistoryOutput', async () => {
    const h = harness();
    const id = await h.client.startNew('HelloSequence', { instanceId: 'hello', input: { secret: 1 } });
    await h.settle();
    expect((await h.client.getStatus(id, { showInput: false }))?.input).toBeUndefined();
    const bare = await h.client.getStatus(id, { showHistory: true });
    expect(bare?.history?.find((e) => e.type === 'TaskCompleted')).not.toHaveProperty('result');
    const full = await h.client.getStatus(id, { showHistory: true, showHistoryOutput: true });
    expect(full?.history?.find((e) => e.type === 'TaskCompleted')).toMatchObject({ result: '"Hello Tokyo!"' });
    expect(await h.client.getStatus('nobody')).toBeNull();
  });

  it('lists with status, time and prefix filters, in pages', async () => {
    const h = harness();
    for (let i = 0; i < 7; i++) {
      await h.client.startNew(i % 2 ? 'HelloSequence' : 'Approval', { instanceId: `job-${i}`, input: { timeoutSeconds: 60 } });
      h.clock.advance(1000);
    }
    await h.settle();
    const done = await h.client.listInstances({ runtimeStatus: ['Completed'] });
    expect(done.instances.map((s) => s.instanceId).sort()).toEqual(['job-1', 'job-3', 'job-5']);
    const window = await h.client.listInstances({ createdTimeFrom: new Date('2026-01-01T00:00:02Z'), createdTimeTo: '2026-01-01T00:00:04Z' });
    expect(window.instances.map((s) => s.instanceId)).toEqual(['job-4', 'job-3', 'job-2']);
    const first = await h.client.listInstances({ instanceIdPrefix: 'job-', pageSize: 5 });
    const second = await h.client.listInstances({ instanceIdPrefix: 'job-', pageSize: 5, continuationToken: first.continuationToken! });
    expect([...first.instances, ...second.instances].map((s) => s.instanceId)).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4', 'job-5', 'job-6']);
    expect(second.continuationToken).toBeUndefined();
    await expect(h.client.listInstances({ createdTimeFrom: 'not a date' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
  });

  it('waits for start and for completion, and times out with TimeoutError', async () => {
    const h = harness();
    const id = await h.client.startNew('HelloSequence');
    const started = h.client.waitForInstanceStart(id, { timeoutInMilliseconds: 5000 });
    const completed = h.client.waitForCompletion(id, { timeoutInMilliseconds: 5000 });
    await h.settle();
    expect((await started).runtimeStatus).not.toBe('Pending');
    expect((await completed).output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const stuck = await h.client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
    await h.settle();
    const waiting = expect(h.client.waitForCompletion(stuck, { timeoutInMilliseconds: 2000, retryIntervalInMilliseconds: 500 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 0));
      h.clock.advance(500);
    }
    await waiting;
  });

  it('starts and waits for completion in one call, with what startNew refuses and a TimeoutError', async () => {
    const h = harness();
    const done = h.client.startNewAndWait('HelloSequence', { instanceId: 'hello', timeoutInMilliseconds: 5000 });
    await new Promise((r) => setTimeout(r, 0));
    await h.settle();
    expect(await done).toMatchObject({ instanceId: 'hello', runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    await expect(h.client.startNewAndWait('NoSuchThing')).rejects.toMatchObject({ name: 'UnknownOrchestratorError' });
    const waiting = expect(
      h.client.startNewAndWait('Approval', {
        instanceId: 'stuck',
        input: { timeoutSeconds: 3600 },
        timeoutInMilliseconds: 1000,
        retryIntervalInMilliseconds: 500,
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError', message: expect.stringContaining("'stuck'") });
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 0));
      h.clock.advance(500);
    }
    await waiting;
    await expect(h.client.startNewAndWait('HelloSequence', { instanceId: 'stuck' })).rejects.toMatchObject({ name: 'InstanceAlreadyExistsError' });
  });
});

describe('bad input is refused and loses nothing', () => {
  const invalidIds = ['', 'x'.repeat(101), 'a/b', 'a\\b', 'a#b', 'a?b', '@entity', 'tab\there', 'nul\u0000'];

  it.each(invalidIds)('rejects the instance ID %j', async (bad) => {
    const h = harness();
    await expect(h.client.startNew('HelloSequence', { instanceId: bad })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    await expect(h.client.getStatus(bad)).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    expect((await h.client.listInstances()).instances).toEqual([]);
  });

  it('accepts a 100-character ID with punctuation', async () => {
    const h = harness();
    const id = `${'x'.repeat(95)}:-_.~`;
    await expect(h.client.startNew('HelloSequence', { instanceId: id })).resolves.toBe(id);
  });

  it('rejects unknown orchestrators, unserializable and oversized input', async () => {
    const h = harness();
    await expect(h.client.startNew('NoSuchThing')).rejects.toMatchObject({
      name: 'UnknownOrchestratorError',
      message: expect.stringContaining('HelloSequence'),
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const input of [10n, () => 1, circular, { n: NaN }, Symbol('s')]) {
      await expect(h.client.startNew('HelloSequence', { input })).rejects.toMatchObject({ name: 'SerializationError' });
    }
    await expect(h.client.startNew('HelloSequence', { input: 'x'.repeat(1024 * 1024 + 1) })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    expect((await h.client.listInstances()).instances).toEqual([]);
    expect(await h.store.nextWakeTime()).toBeUndefined();
  });

  it('refuses a second start of a running ID, and replaces a finished one', async () => {
    const h = harness();
    await h.client.startNew('Approval', { instanceId: 'once', input: { timeoutSeconds: 60 } });
    await h.settle();
    await expect(h.client.startNew('HelloSequence', { instanceId: 'once' })).rejects.toMatchObject({ name: 'InstanceAlreadyExistsError' });
    expect((await h.client.getStatus('once'))?.name).toBe('Approval');
    await h.settle({ timers: true });
    await h.client.startNew('HelloSequence', { instanceId: 'once' });
    await h.settle();
    expect(await h.client.getStatus('once')).toMatchObject({ name: 'HelloSequence', runtimeStatus: 'Completed' });
  });

  it('fails an instance whose activity is unknown, with UnknownActivityError', async () => {
    const app = new DurableApp().orchestration('CallsGhost', function* (ctx) {
      yield ctx.df.callActivity('Ghost');
    });
    const h = harness({ app });
    const id = await h.client.startNew('CallsGhost');
    await h.settle();
    const status = await h.client.getStatus(id);
    expect(status?.runtimeStatus).toBe('Failed');
    expect(status?.failureDetails?.innerFailure?.errorType).toBe('UnknownActivityError');
  });
});

describe('control operations', () => {
  it('queues terminate: it takes effect at the next episode, with the reason as output', async () => {
    const h = harness();
    const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
    await h.settle();
    await h.client.terminate(id, 'no longer needed');
    expect((await h.client.getStatus(id))?.runtimeStatus).toBe('Running');
    await h.settle();
    expect(await h.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Terminated', output: 'no longer needed' });
    await expect(h.client.terminate(id)).rejects.toMatchObject({ name: 'InvalidStateError' });
    await expect(h.client.terminate('missing')).rejects.toMatchObject({ name: 'InstanceNotFoundError' });
  });

  it('terminates sub-orchestrations too when asked', async () => {
    const h = harness({ app: appWithExtras() });
    await h.client.startNew('ParentOfWaiter', { instanceId: 'p' });
    await h.client.startNew('ParentOfWaiter', { instanceId: 'q' });
    await h.settle();
    expect((await h.client.getStatus('p-child'))?.runtimeStatus).toBe('Running');
    await h.client.terminate('p', 'all of it', { recursive: true });
    await h.client.terminate('q', 'just the parent');
    await h.settle();
    expect((await h.client.getStatus('p-child'))?.runtimeStatus).toBe('Terminated');
    expect((await h.client.getStatus('q'))?.runtimeStatus).toBe('Terminated');
    expect((await h.client.getStatus('q-child'))?.runtimeStatus).toBe('Running');
  });

  it('suspends (buffering events) and resumes where it stopped', async () => {
    const h = harness();
    const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
    await h.settle();
    await h.client.suspend(id, 'maintenance');
    await h.settle();
    expect((await h.client.getStatus(id))?.runtimeStatus).toBe('Suspended');
    await h.client.raiseEvent(id, 'Approval', true);
    await h.settle();
    expect((await h.client.getStatus(id))?.runtimeStatus).toBe('Suspended');
    await h.client.resume(id, 'done');
    await h.settle();
    const status = await h.client.getStatus(id, { showHistory: true });
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'approved' });
    expect(status?.history?.filter((e) => ['ExecutionSuspended', 'EventRaised', 'ExecutionResumed'].includes(e.type)).map((e) => e.type)).toEqual([
      'ExecutionSuspended',
      'EventRaised',
      'ExecutionResumed',
    ]);
    await expect(h.client.suspend(id)).rejects.toMatchObject({ name: 'InvalidStateError' });
    await expect(h.client.resume(id)).rejects.toMatchObject({ name: 'InvalidStateError' });
  });

  it('discards an event for a missing instance and refuses one for a finished instance', async () => {
    const h = harness();
    await expect(h.client.raiseEvent('ghost', 'Approval', true)).rejects.toMatchObject({ name: 'InstanceNotFoundError' });
    expect(await h.store.nextWakeTime()).toBeUndefined();
    const id = await h.client.startNew('HelloSequence');
    await h.settle();
    await expect(h.client.raiseEvent(id, 'Approval', true)).rejects.toMatchObject({ name: 'InvalidStateError' });
    await expect(h.client.raiseEvent(id, '', true)).rejects.toMatchObject({ name: 'InvalidArgumentError' });
  });

  it('buffers an event raised before the orchestrator waits for it', async () => {
    const h = harness();
    const id = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
    await h.client.raiseEvent(id, 'Approval', false);
    await h.settle();
    expect((await h.client.getStatus(id))?.output).toBe('rejected');
  });
});

describe('repair and clean-up', () => {
  it('rewinds only Failed instances, re-running a failed sub-orchestration and keeping the rest', async () => {
    const h = harness({ app: appWithExtras() });
    await h.client.startNew('ParentOfFlaky', { instanceId: 'pf' });
    await h.settle();
    expect((await h.client.getStatus('pf'))?.runtimeStatus).toBe('Failed');
    expect((await h.client.getStatus('pf-child'))?.runtimeStatus).toBe('Failed');
    await h.client.rewind('pf', 'fixed');
    await h.settle();
    expect(await h.client.getStatus('pf')).toMatchObject({ runtimeStatus: 'Completed', output: 'recovered' });
    expect(await h.client.getStatus('pf-child')).toMatchObject({ runtimeStatus: 'Completed', output: 'recovered' });
    await expect(h.client.rewind('pf')).rejects.toMatchObject({ name: 'InvalidStateError', message: expect.stringContaining('Failed') });
  });

  it('retries an activity with backoff before it succeeds', async () => {
    const h = harness({ app: appWithExtras() });
    const id = await h.client.startNew('RetryThenSucceed');
    await h.settle({ timers: true });
    const status = await h.client.getStatus(id, { showHistory: true });
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'recovered' });
    expect(status?.history?.filter((e) => e.type === 'TaskFailed')).toHaveLength(2);
    expect(status?.history?.filter((e) => e.type === 'TimerFired')).toHaveLength(2);
  });

  it('restarts under a new ID, a chosen ID, or the same ID once finished', async () => {
    const h = harness();
    const id = await h.client.startNew('FanOutFanIn', { input: 3 });
    await expect(h.client.restart(id, { newInstanceId: false })).rejects.toMatchObject({ name: 'InvalidStateError' });
    await h.settle();
    const fresh = await h.client.restart(id);
    const chosen = await h.client.restart(id, { newInstanceId: 'chosen' });
    expect(await h.client.restart(id, { newInstanceId: false })).toBe(id);
    await h.settle();
    for (const i of [fresh, chosen, id]) expect(await h.client.getStatus(i)).toMatchObject({ runtimeStatus: 'Completed', output: 14, input: 3 });
    expect(fresh).not.toBe(id);
    await expect(h.client.restart('missing')).rejects.toMatchObject({ name: 'InstanceNotFoundError' });
  });

  it('purges terminal instances only, one or by filter', async () => {
    const h = harness();
    const done = await h.client.startNew('HelloSequence', { instanceId: 'done' });
    const running = await h.client.startNew('Approval', { instanceId: 'running', input: { timeoutSeconds: 60 } });
    const failed = await h.client.startNew('FlakyActivity', { instanceId: 'failed', input: { failTimes: 1 } });
    await h.settle();
    await expect(h.client.purgeInstanceHistory(running)).rejects.toMatchObject({ name: 'InvalidStateError' });
    await expect(h.client.purgeInstanceHistory('missing')).rejects.toMatchObject({ name: 'InstanceNotFoundError' });
    expect(await h.client.purgeInstanceHistory(done)).toEqual({ instancesDeleted: 1 });
    expect(await h.client.getStatus(done)).toBeNull();
    await expect(h.client.purgeInstanceHistoryBy({ runtimeStatus: ['Running'] })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    expect(await h.client.purgeInstanceHistoryBy({ createdTimeFrom: new Date(0) })).toEqual({ instancesDeleted: 1 });
    expect(await h.client.getStatus(failed)).toBeNull();
    expect((await h.client.getStatus(running))?.runtimeStatus).toBe('Running');
  });

  it('lists and deletes task hubs, which keep instances apart', async () => {
    const storage = new MemoryStorage();
    const a = harness({ storage });
    const b = a.client.forTaskHub('OtherHub');
    await a.client.startNew('HelloSequence', { instanceId: 'same' });
    await b.startNew('FanOutFanIn', { instanceId: 'same', input: 1 });
    expect((await b.getStatus('same'))?.name).toBe('FanOutFanIn');
    expect(await a.client.listTaskHubs()).toEqual(['DurableFunctionsHub', 'OtherHub']);
    expect(await b.deleteTaskHub()).toBe(true);
    expect(await a.client.listTaskHubs()).toEqual(['DurableFunctionsHub']);
    expect((await a.client.getStatus('same'))?.name).toBe('HelloSequence');
    await expect(a.client.deleteTaskHub('bad hub!')).rejects.toMatchObject({ name: 'InvalidArgumentError' });
  });
});

describe('management URLs', () => {
  it('builds management URLs from a configurable base, with a key only when configured', async () => {
    const h = harness();
    const payload = h.client.createHttpManagementPayload('abc');
    expect(payload).toEqual({
      id: 'abc',
      statusQueryGetUri: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc?taskHub=DurableFunctionsHub',
      sendEventPostUri: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc/raiseEvent/{eventName}?taskHub=DurableFunctionsHub',
      terminatePostUri: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc/terminate?reason={text}&taskHub=DurableFunctionsHub',
      rewindPostUri: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc/rewind?reason={text}&taskHub=DurableFunctionsHub',
      purgeHistoryDeleteUri: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc?taskHub=DurableFunctionsHub',
      restartPostUri: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc/restart?taskHub=DurableFunctionsHub',
      suspendPostUri: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc/suspend?reason={text}&taskHub=DurableFunctionsHub',
      resumePostUri: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/abc/resume?reason={text}&taskHub=DurableFunctionsHub',
    });
    const { DurableClient } = await import('../../core/index.js');
    const keyed = new DurableClient({ storage: h.storage, baseUrl: 'https://edge.example/', managementKey: 'k 1' });
    expect(keyed.createHttpManagementPayload('abc').statusQueryGetUri).toBe(
      'https://edge.example/runtime/webhooks/durabletask/instances/abc?taskHub=DurableFunctionsHub&code=k%201',
    );
  });
});
