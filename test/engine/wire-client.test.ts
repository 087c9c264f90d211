/** The one HTTP client's error mapping and paging, against a scripted fetch. */
import { describe, expect, it } from 'vitest';
import { DurableHttpClient } from '../../core/wire/client.js';
import { ApiError, EndpointUnreachableError, UnauthorizedError } from '../../core/wire/errors.js';

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

function scripted(replies: Reply[], seen: Request[] = []) {
  return new DurableHttpClient({
    endpoint: 'http://host:7071/runtime/webhooks/durabletask/',
    token: 't0k',
    fetch: async (input, init) => {
      seen.push(new Request(input, init));
      const reply = replies.shift()!;
      return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status, headers: reply.headers });
    },
  });
}

describe('DurableHttpClient', () => {
  it('maps each error answer to one typed error with the server code and message', async () => {
    const client = scripted([
      { status: 410, body: { error: { code: 'InvalidState', message: 'finished' } } },
      { status: 409, body: { error: { code: 'InstanceAlreadyExists', message: 'taken' } } },
      { status: 400, body: { error: { code: 'UnknownOrchestrator', message: 'no such' } } },
      { status: 401, body: { error: { code: 'Unauthorized', message: 'token' } } },
      { status: 404 },
      { status: 500, body: { Message: 'An error has occurred.', ExceptionMessage: 'boom' } },
    ]);
    await expect(client.resume('h', 'a')).rejects.toMatchObject({ status: 410, kind: 'InvalidState', code: 'InvalidState', message: 'finished' });
    await expect(client.startNew('h', 'X', undefined, 'a')).rejects.toMatchObject({ kind: 'Conflict', code: 'InstanceAlreadyExists' });
    await expect(client.startNew('h', 'X')).rejects.toMatchObject({ kind: 'UnknownOrchestrator' });
    await expect(client.listTaskHubs()).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(client.getStatus('h', 'gone')).rejects.toMatchObject({
      kind: 'NotFound',
      code: 'InstanceNotFound',
      message: "No orchestration instance with ID 'gone' exists.",
    });
    const failed = await client.listTaskHubs().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ApiError);
    expect(failed).toMatchObject({ status: 500, kind: 'Failed', code: 'Http500', message: 'An error has occurred. boom' });
  });

  it('resets with a JSON body and returns the instance that continues; an answer without it is an error', async () => {
    const seen: Request[] = [];
    const client = scripted(
      [
        { status: 202, body: { instanceId: 'fork 1' } },
        { status: 202, body: {} },
      ],
      seen,
    );
    expect(await client.reset('hub', 'a/b', { eventId: 5, newInstanceId: 'fork 1', reapplyEvents: false })).toBe('fork 1');
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.url).toBe('http://host:7071/runtime/webhooks/durabletask/instances/a%2Fb/reset?taskHub=hub');
    expect(seen[0]!.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await seen[0]!.json()).toEqual({ eventId: 5, newInstanceId: 'fork 1', reapplyEvents: false });
    await expect(client.reset('hub', 'a', { eventId: 1 })).rejects.toMatchObject({ code: 'InvalidResponse' });
  });

  it('sends the token as a header, leaves unset query values out, and reads every page', async () => {
    const seen: Request[] = [];
    const client = scripted(
      [
        { status: 200, body: [{ instanceId: 'a' }], headers: { 'x-ms-continuation-token': 'p2' } },
        { status: 200, body: [{ instanceId: 'b' }], headers: { 'x-ms-continuation-token': 'null' } },
      ],
      seen,
    );
    const all = await client.listAllInstances('hub', { runtimeStatus: ['Running', 'Suspended'] }, 1);
    expect(all.map((s) => s.instanceId)).toEqual(['a', 'b']);
    expect(seen.map((r) => r.url)).toEqual([
      'http://host:7071/runtime/webhooks/durabletask/instances?taskHub=hub&runtimeStatus=Running%2CSuspended&top=1&showInput=true',
      'http://host:7071/runtime/webhooks/durabletask/instances?taskHub=hub&runtimeStatus=Running%2CSuspended&top=1&showInput=true',
    ]);
    expect(seen.map((r) => r.headers.get('x-ms-continuation-token'))).toEqual([null, 'p2']);
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer t0k');
  });

  it('pages history: from and top in the query, getHistoryAll walks nextFrom to the end', async () => {
    const seen: Request[] = [];
    const rows = (n: number, at: number) => Array.from({ length: n }, (_, i) => ({ EventType: 'EventRaised', Timestamp: 't', Name: `e${at + i}` }));
    const client = scripted(
      [
        { status: 200, body: { events: rows(2, 5), from: 5, total: 9, nextFrom: 7 } },
        { status: 200, body: { events: rows(3, 0), from: 0, total: 5, nextFrom: 3 } },
        { status: 200, body: { events: rows(2, 3), from: 3, total: 5 } },
        { status: 404, body: { error: { code: 'InstanceNotFound', message: "No orchestration instance with ID 'a/b' exists." } } },
      ],
      seen,
    );
    expect(await client.getHistoryPage('hub', 'x', { from: 5, top: 2 })).toEqual({ events: rows(2, 5), from: 5, total: 9, nextFrom: 7 });
    expect((await client.getHistoryAll('hub', 'x', 3)).map((r) => r.Name)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    await expect(client.getHistoryAll('hub', 'a/b')).rejects.toMatchObject({ status: 404, kind: 'NotFound', code: 'InstanceNotFound' });
    expect(seen.map((r) => r.url.replace('http://host:7071/runtime/webhooks/durabletask/', ''))).toEqual([
      'instances/x/history?taskHub=hub&from=5&top=2',
      'instances/x/history?taskHub=hub&from=0&top=3',
      'instances/x/history?taskHub=hub&from=3&top=3',
      'instances/a%2Fb/history?taskHub=hub&from=0&top=1000',
    ]);
  });

  it('stops a history walk whose nextFrom does not move forward, instead of looping', async () => {
    const client = scripted([{ status: 200, body: { events: [], from: 0, total: 4, nextFrom: 0 } }]);
    await expect(client.getHistoryAll('hub', 'x')).rejects.toMatchObject({ kind: 'Failed', message: expect.stringContaining('pointed back to 0') });
  });

  it('counts with the created-time range in the query; reads the scope', async () => {
    const seen: Request[] = [];
    const counts = { Pending: 1, Running: 2, Completed: 3, ContinuedAsNew: 0, Failed: 0, Terminated: 0, Suspended: 0 };
    const client = scripted(
      [
        { status: 200, body: counts },
        { status: 200, body: counts },
        { status: 200, body: { scope: 'read' } },
      ],
      seen,
    );
    expect(await client.countInstances('hub')).toEqual(counts);
    expect(await client.countInstances('hub', { createdTimeFrom: '2026-01-01T00:00:00Z' })).toEqual(counts);
    expect(await client.getScope()).toBe('read');
    expect(seen.map((r) => r.url.replace('http://host:7071/runtime/webhooks/durabletask/', ''))).toEqual([
      'counts?taskHub=hub',
      'counts?taskHub=hub&createdTimeFrom=2026-01-01T00%3A00%3A00Z',
      'scope',
    ]);
  });

  it('reports no answer as unreachable', async () => {
    const client = new DurableHttpClient({
      endpoint: 'http://host:1',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(client.listTaskHubs()).rejects.toEqual(new EndpointUnreachableError('http://host:1', 'fetch failed'));
  });
});
