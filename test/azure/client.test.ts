/**
 * The v3 DurableClient over the engine: each mapping of an engine outcome to what
 * durable-functions v3 does on the matching HTTP status (src/durableClient/DurableClient.ts),
 * on a MemoryStorage task hub with a Worker running the orchestrations.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableApp } from '../../core/app.js';
import { DurableClient as EngineClient } from '../../core/client.js';
import { MemoryStorage } from '../../core/store/memory.js';
import { Worker } from '../../core/worker/index.js';
import { DurableClient } from '../../edge-worker/azure/durable-client.js';
import { getClient, input } from '../../edge-worker/azure/get-client.js';
import { HttpRequest } from '../../edge-worker/azure/http-types.js';
import { InvocationContext } from '../../edge-worker/azure/invocation-context.js';

const app = new DurableApp()
  .orchestration('wait', function* (context) {
    return yield context.df.waitForExternalEvent('go');
  })
  // biome-ignore lint/correctness/useYield: an orchestrator that fails before its first yield.
  .orchestration('fail', function* () {
    throw new Error('boom');
  })
  // biome-ignore lint/correctness/useYield: an orchestrator that returns its input at once.
  .orchestration('echo', function* (context) {
    return context.df.getInput();
  });

let storage: MemoryStorage;
let worker: Worker;
let engine: EngineClient;
let client: DurableClient;
beforeEach(() => {
  storage = new MemoryStorage();
  worker = new Worker(app, storage.taskHub('DurableFunctionsHub'), { pollIntervalMs: 5 });
  worker.start();
  engine = new EngineClient({ storage, app });
  client = new DurableClient({ kind: 'edge-durable.durableClient', client: engine, request: new Request('http://functions.example:7071/api/start') });
});
afterEach(() => worker.stop());

const finished = async (id: string) => engine.waitForCompletion(id, { timeoutInMilliseconds: 5000, retryIntervalInMilliseconds: 10 });

describe('DurableClient (durable-functions v3 shape)', () => {
  it('getStatus: a missing instance rejects with v3 message; a present one is a DurableOrchestrationStatus with Dates', async () => {
    await expect(client.getStatus('nope')).rejects.toThrow(
      'DurableClient error: Durable Functions extension replied with HTTP 404 response. This usually means we could not find any data associated with the instanceId provided: nope.',
    );
    const id = await client.startNew('echo', { instanceId: 'echo-1', input: { a: 1 } });
    expect(id).toBe('echo-1');
    await finished(id);
    const status = await client.getStatus(id, { showHistory: true });
    expect(status).toMatchObject({ name: 'echo', instanceId: 'echo-1', runtimeStatus: 'Completed', input: { a: 1 }, output: { a: 1 } });
    expect(status.createdTime).toBeInstanceOf(Date);
    expect((status.history as { EventType: string }[]).map((e) => e.EventType)).toContain('ExecutionCompleted');
  });

  it('raiseEvent, terminate, suspend, resume on a finished instance resolve (v3: HTTP 410); on a missing one they reject', async () => {
    const id = await client.startNew('echo', { input: 1 });
    await finished(id);
    await expect(client.raiseEvent(id, 'go', 1)).resolves.toBeUndefined();
    await expect(client.terminate(id, 'late')).resolves.toBeUndefined();
    await expect(client.suspend(id, 'late')).resolves.toBeUndefined();
    await expect(client.resume(id, 'late')).resolves.toBeUndefined();
    expect((await client.getStatus(id)).runtimeStatus).toBe('Completed');
    for (const op of [
      () => client.raiseEvent('ghost', 'go', 1),
      () => client.terminate('ghost', 'r'),
      () => client.suspend('ghost', 'r'),
      () => client.resume('ghost', 'r'),
    ]) {
      await expect(op()).rejects.toThrow("No instance with ID 'ghost' found.");
    }
  });

  it('rewind rejects on a completed instance (v3 rejects on 410) and on a missing one', async () => {
    const id = await client.startNew('echo', { input: 1 });
    await finished(id);
    await expect(client.rewind(id, 'why')).rejects.toThrow('The rewind operation is only supported on failed orchestration instances.');
    await expect(client.rewind('ghost', 'why')).rejects.toThrow("No instance with ID 'ghost' found.");
  });

  it('purgeInstanceHistory: a missing instance gives { instancesDeleted: 0 }, a finished one 1', async () => {
    expect(await client.purgeInstanceHistory('ghost')).toEqual({ instancesDeleted: 0 });
    const id = await client.startNew('echo', { input: 1 });
    await finished(id);
    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 1 });
    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 0 });
  });

  it('getStatusAll and getStatusBy walk every page (more instances than one page holds)', async () => {
    const ids = await Promise.all(Array.from({ length: 130 }, (_, i) => client.startNew('wait', { instanceId: `w-${i}` })));
    const all = await client.getStatusAll();
    expect(all.map((s) => s.instanceId).sort()).toEqual([...ids].sort());
    const first = await engine.listInstances({});
    expect(first.continuationToken).toBeDefined();
    await client.raiseEvent('w-0', 'go', 'done');
    await finished('w-0');
    const completed = await client.getStatusBy({ runtimeStatus: ['Completed'] });
    expect(completed.map((s) => s.instanceId)).toEqual(['w-0']);
    expect(typeof completed[0]!.createdTime).toBe('string');
  });

  it('createCheckStatusResponse: 202 HttpResponse on the request origin, Location and Retry-After; the management payload adds rewindPostUri', async () => {
    const request = new HttpRequest(new Request('https://myapp.example/api/orchestrators/echo', { method: 'POST' }));
    const response = client.createCheckStatusResponse(request, 'abc');
    expect(response.status).toBe(202);
    const body = (await response.json()) as Record<string, string>;
    expect(body.statusQueryGetUri).toBe('https://myapp.example/runtime/webhooks/durabletask/instances/abc?taskHub=DurableFunctionsHub');
    expect(response.headers.get('location')).toBe(body.statusQueryGetUri);
    expect(response.headers.get('retry-after')).toBe('10');
    const payload = client.createHttpManagementPayload('abc');
    expect(payload.rewindPostUri).toBe(
      'http://functions.example:7071/runtime/webhooks/durabletask/instances/abc/rewind?reason={text}&taskHub=DurableFunctionsHub',
    );
    expect(client.uniqueWebhookOrigins).toEqual(['http://functions.example:7071']);
  });

  it('waitForCompletionOrCreateCheckStatusResponse: 200 output, 500 status for Failed, 202 on timeout, and refuses an interval above the timeout', async () => {
    const echo = await client.startNew('echo', { input: 'out' });
    const ok = await client.waitForCompletionOrCreateCheckStatusResponse(undefined, echo, { timeoutInMilliseconds: 5000, retryIntervalInMilliseconds: 10 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toBe('out');
    const failed = await client.startNew('fail');
    const bad = await client.waitForCompletionOrCreateCheckStatusResponse(undefined, failed, { timeoutInMilliseconds: 5000, retryIntervalInMilliseconds: 10 });
    expect(bad.status).toBe(500);
    expect(await bad.json()).toMatchObject({ instanceId: failed, runtimeStatus: 'Failed' });
    const waiting = await client.startNew('wait');
    const pending = await client.waitForCompletionOrCreateCheckStatusResponse(undefined, waiting, {
      timeoutInMilliseconds: 50,
      retryIntervalInMilliseconds: 10,
    });
    expect(pending.status).toBe(202);
    expect(((await pending.json()) as { id: string }).id).toBe(waiting);
    await expect(
      client.waitForCompletionOrCreateCheckStatusResponse(undefined, waiting, { timeoutInMilliseconds: 10, retryIntervalInMilliseconds: 20 }),
    ).rejects.toThrow('must not exceed the timeout');
  });

  it('restart starts the orchestrator again with its input; entity methods say they are not supported yet', async () => {
    const id = await client.startNew('echo', { input: 'again' });
    await finished(id);
    const restarted = await client.restart(id);
    expect(restarted).not.toBe(id);
    expect((await finished(restarted)).output).toBe('again');
    expect(() => client.readEntityState()).toThrow('client.readEntityState: durable entities are not supported yet by edge-durable.');
    expect(() => client.signalEntity()).toThrow('not supported yet');
  });

  it('getClient needs the durable client among the extraInputs, as v3 says', () => {
    expect(() => getClient(new InvocationContext({ functionName: 'f' }))).toThrow('Could not find a registered durable client input binding');
    const clientInput = input.durableClient();
    const binding = { kind: 'edge-durable.durableClient', client: engine, request: undefined };
    const context = new InvocationContext({ functionName: 'f', extraInputs: [clientInput], inputs: new Map([[clientInput.name, binding]]) });
    expect(getClient(context).taskHubName).toBe('DurableFunctionsHub');
  });
});
