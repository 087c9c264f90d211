// The API client against a real HTTP endpoint: the test backend (test/support/backend.ts), or the server named by
// EDGE_DURABLE_ENDPOINT. Every test works in its own task hub and checks effects through the API itself.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, DurableHttpClient, EndpointUnreachableError, isNotFound, type StatusPayload, UnauthorizedError } from '../../src/wire.js';
import { type Backend, startBackend } from '../support/backend.js';
import { uniqueHub } from '../support/explorer.js';
import { useLiveBackend } from '../support/live.js';

const live = useLiveBackend();
const { waitForStatus } = live;

/** A new hub with `instanceId` of `name` started in it and seen in `status`. */
async function startedIn(name: string, input: unknown, instanceId: string, status: StatusPayload['runtimeStatus']): Promise<string> {
  const hub = uniqueHub();
  await live.client.startNew(hub, name, input, instanceId);
  await waitForStatus(hub, instanceId, status);
  return hub;
}

const historyOf = async (hub: string, instanceId: string) => (await live.client.getStatus(hub, instanceId, { history: true })).historyEvents!;

describe('task hubs and orchestrators', () => {
  it('lists the registered orchestrators', async () => {
    const names = await live.client.listOrchestrators('default');
    expect(names).toEqual(expect.arrayContaining(['HelloSequence', 'FanOutFanIn', 'Approval', 'Counter', 'ParentChild', 'FlakyActivity', 'LongTimer']));
  });

  it('lists a hub once an orchestration ran in it, and forgets it after deletion', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'HelloSequence');
    expect(await live.client.listTaskHubs()).toContain(hub);
    await live.client.deleteTaskHub(hub);
    expect(await live.client.listTaskHubs()).not.toContain(hub);
    await expect(live.client.listInstances(hub)).resolves.toEqual({ instances: [] });
  });
});

describe('instances', () => {
  it('starts an orchestration and returns the check-status payload', async () => {
    const hub = uniqueHub();
    const payload = await live.client.startNew(hub, 'LongTimer', { seconds: 60, who: 'me' }, 'hello-1');
    expect(payload.id).toBe('hello-1');
    expect(payload.statusQueryGetUri).toContain('/runtime/webhooks/durabletask/instances/hello-1');
    expect(payload.statusQueryGetUri).toContain(`taskHub=${hub}`);
    expect(payload.terminatePostUri).toContain('/instances/hello-1/terminate');
    const status = await live.client.getStatus(hub, 'hello-1');
    expect(status).toMatchObject({ name: 'LongTimer', instanceId: 'hello-1', input: { seconds: 60, who: 'me' } });
    expect(['Pending', 'Running']).toContain(status.runtimeStatus);
  });

  it('returns the merged history of a completed instance', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'HelloSequence', null, 'seq');
    await waitForStatus(hub, 'seq', 'Completed');
    const status = await live.client.getStatus(hub, 'seq', { history: true });
    expect(status.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const events = status.historyEvents!;
    expect(events.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted']);
    expect(events[0]).toMatchObject({ FunctionName: 'HelloSequence' });
    expect(events[1]).toMatchObject({ FunctionName: 'SayHello', Input: 'Tokyo', Result: 'Hello Tokyo!' });
    expect(Date.parse(events[1]!.ScheduledTime as string)).toBeLessThanOrEqual(Date.parse(events[1]!.Timestamp));
    expect(events[4]).toMatchObject({ OrchestrationStatus: 'Completed' });
    // without showHistory the status carries no history
    expect((await live.client.getStatus(hub, 'seq')).historyEvents).toBeUndefined();
  });

  it('encodes instance IDs with spaces and colons in the URL', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, 'order 1:a');
    expect((await live.client.getStatus(hub, 'order 1:a')).instanceId).toBe('order 1:a');
    await live.client.terminate(hub, 'order 1:a');
  });

  it('reports a missing instance as a 404 ApiError with the server code', async () => {
    const error = await live.client.getStatus(uniqueHub(), 'nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    // the server's 404 here is empty (as in Durable Functions); the live.client names the instance itself
    expect(error).toMatchObject({ status: 404, code: 'InstanceNotFound', message: expect.stringContaining("'nope'") });
    expect(isNotFound(error)).toBe(true);
  });

  it('pages with continuation tokens until the server has no more', async () => {
    const hub = uniqueHub();
    for (let i = 0; i < 5; i++) await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, `page-${i}`);
    const first = await live.client.listInstances(hub, { top: 2 });
    expect(first.instances).toHaveLength(2);
    expect(first.continuationToken).toBeTruthy();
    const second = await live.client.listInstances(hub, { top: 2, continuationToken: first.continuationToken! });
    const third = await live.client.listInstances(hub, { top: 2, continuationToken: second.continuationToken! });
    expect(third.instances).toHaveLength(1);
    expect(third.continuationToken).toBeUndefined();
    const ids = [...first.instances, ...second.instances, ...third.instances].map((i) => i.instanceId).sort();
    expect(ids).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect((await live.client.listAllInstances(hub, {}, 2)).map((i) => i.instanceId).sort()).toEqual(ids);
  });

  it('filters by runtime status, ID prefix and created time', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, 'run-a');
    await live.client.startNew(hub, 'HelloSequence', null, 'done-b');
    await waitForStatus(hub, 'done-b', 'Completed');
    await waitForStatus(hub, 'run-a', 'Running');
    const ids = async (query: Parameters<DurableHttpClient['listInstances']>[1]) =>
      (await live.client.listInstances(hub, query)).instances.map((i: StatusPayload) => i.instanceId).sort();
    expect(await ids({ runtimeStatus: ['Running'] })).toEqual(['run-a']);
    expect(await ids({ runtimeStatus: ['Running', 'Completed'] })).toEqual(['done-b', 'run-a']);
    expect(await ids({ instanceIdPrefix: 'done' })).toEqual(['done-b']);
    expect(await ids({ createdTimeFrom: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect(await ids({ createdTimeTo: new Date(Date.now() + 60_000).toISOString() })).toEqual(['done-b', 'run-a']);
  });
});

describe('management operations', () => {
  it('raises an event the orchestrator waits for; a finished instance answers 410', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'Approval', null, 'appr');
    await waitForStatus(hub, 'appr', 'Running');
    await live.client.raiseEvent(hub, 'appr', 'Approval', true); // the sample approves on `true` exactly
    await waitForStatus(hub, 'appr', 'Completed');
    expect((await live.client.getStatus(hub, 'appr')).output).toBe('approved');
    await expect(live.client.raiseEvent(hub, 'appr', 'Approval', true)).rejects.toMatchObject({ status: 410 });
  });

  it('suspends, resumes and terminates with a reason recorded in history', async () => {
    const hub = await startedIn('LongTimer', { seconds: 60 }, 'timer', 'Running');
    await live.client.suspend(hub, 'timer', 'maintenance');
    await waitForStatus(hub, 'timer', 'Suspended');
    await live.client.resume(hub, 'timer', 'back');
    await waitForStatus(hub, 'timer', 'Running');
    await live.client.terminate(hub, 'timer', 'no longer needed');
    await waitForStatus(hub, 'timer', 'Terminated');
    const history = await historyOf(hub, 'timer');
    expect(history.map((e) => e.EventType)).toEqual(
      expect.arrayContaining(['ExecutionSuspended', 'ExecutionResumed', 'ExecutionTerminated', 'ExecutionCompleted']),
    );
    expect(history.find((e) => e.EventType === 'ExecutionTerminated')).toMatchObject({ Input: 'no longer needed' });
    await expect(live.client.terminate(hub, 'timer')).rejects.toMatchObject({ status: 410 });
  });

  it('rewinds a failed instance to completion', async () => {
    const hub = await startedIn('FlakyActivity', { failTimes: 1 }, 'flaky', 'Failed');
    await live.client.rewind(hub, 'flaky', 'try again');
    await waitForStatus(hub, 'flaky', 'Completed');
    const history = await historyOf(hub, 'flaky');
    expect(history.map((e) => e.EventType)).toContain('ExecutionRewound');
  });

  it('restarts with a new instance ID, or with the same one', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'HelloSequence', { x: 1 }, 'orig');
    await waitForStatus(hub, 'orig', 'Completed');
    const fresh = await live.client.restart(hub, 'orig', true);
    expect(fresh.id).not.toBe('orig');
    expect((await live.client.getStatus(hub, fresh.id)).input).toEqual({ x: 1 });
    const same = await live.client.restart(hub, 'orig', false);
    expect(same.id).toBe('orig');
  });

  it('purges one terminal instance, refuses a running one, and purges by filter', async () => {
    const hub = uniqueHub();
    await live.client.startNew(hub, 'HelloSequence', null, 'p1');
    await live.client.startNew(hub, 'HelloSequence', null, 'p2');
    await live.client.startNew(hub, 'LongTimer', { seconds: 60 }, 'p3');
    await waitForStatus(hub, 'p1', 'Completed');
    await waitForStatus(hub, 'p2', 'Completed');
    expect(await live.client.purgeInstance(hub, 'p1')).toBe(1);
    await expect(live.client.getStatus(hub, 'p1')).rejects.toMatchObject({ status: 404 });
    const refused = await live.client.purgeInstance(hub, 'p3').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBeGreaterThanOrEqual(400);
    expect((refused as ApiError).status).toBeLessThan(500);
    expect(await live.client.purgeInstances(hub, { createdTimeFrom: '2000-01-01T00:00:00Z', runtimeStatus: ['Completed'] })).toBe(1);
    expect((await live.client.listInstances(hub)).instances.map((i) => i.instanceId)).toEqual(['p3']);
    expect(await live.client.purgeInstances(hub, { createdTimeFrom: '2000-01-01T00:00:00Z', runtimeStatus: ['Completed'] })).toBe(0);
  });

  it('builds the status URL without any token in it', () => {
    const withToken = new DurableHttpClient({ endpoint: `${live.backend.endpoint}/`, token: 'secret' });
    const url = withToken.statusUrl('my hub', 'a/b');
    expect(url).toBe(`${live.backend.endpoint}/runtime/webhooks/durabletask/instances/a%2Fb?taskHub=my+hub`);
    expect(url).not.toContain('secret');
  });
});

describe('authentication and reachability', () => {
  let secured: Backend;
  beforeAll(async () => {
    secured = await startBackend({ token: 's3cret' });
  });
  afterAll(() => secured.close());

  it('sends the bearer token; a missing or wrong token is an UnauthorizedError', async () => {
    await expect(new DurableHttpClient({ endpoint: secured.endpoint }).listTaskHubs()).rejects.toBeInstanceOf(UnauthorizedError);
    const wrong = await new DurableHttpClient({ endpoint: secured.endpoint, token: 'wrong' }).listTaskHubs().catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(UnauthorizedError);
    expect(wrong).toMatchObject({ status: 401 });
    await expect(new DurableHttpClient({ endpoint: secured.endpoint, token: secured.token }).listTaskHubs()).resolves.toEqual(expect.any(Array));
  });

  it('reports a closed port as EndpointUnreachableError naming the endpoint', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const error = await new DurableHttpClient({ endpoint: `http://127.0.0.1:${closed}` }).listTaskHubs().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointUnreachableError);
    expect((error as EndpointUnreachableError).message).toContain(`http://127.0.0.1:${closed}`);
    expect((error as EndpointUnreachableError).reason).toMatch(/ECONNREFUSED/);
  });

  it('gives up on an endpoint that never answers', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await new DurableHttpClient({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 200 }).listTaskHubs().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EndpointUnreachableError);
      expect((error as EndpointUnreachableError).reason).toBe('no answer within 200 ms');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
