/**
 * The HTTP contract suite: every route and every status code of the API, written once and
 * run against each host over a real socket:
 *   runHttpContract('node', async () => ({ baseUrl, fetch, tokens, close }))
 * The suite only speaks HTTP, so it needs nothing from the host but the samples registered
 * (HelloSequence, Approval, FlakyActivity, LongTimer) and an admin and a read token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyPage } from '../../core/store/history-page.js';
import { exportBundle, parseBundle } from '../../core/wire/bundle.js';
import { DurableHttpClient } from '../../core/wire/client.js';
import { isNotFound } from '../../core/wire/errors.js';
import { toHistoryPagePayload, toStatusPayload } from '../../core/wire/payloads.js';
import { normalizeBundle } from '../bundle/normalize.js';
import { harness } from '../helpers.js';

export interface ContractTarget {
  /** Origin of the server, e.g. `http://127.0.0.1:7071`. */
  baseUrl: string;
  fetch: typeof fetch;
  tokens: { admin: string; read: string };
  close?: () => Promise<void>;
}

const PATH = '/runtime/webhooks/durabletask';
/** The fields of a check-status payload, sorted: the same from the API and from an app's own handler. */
export const CHECK_STATUS_KEYS = [
  'id',
  'purgeHistoryDeleteUri',
  'restartPostUri',
  'resumePostUri',
  'sendEventPostUri',
  'statusQueryGetUri',
  'suspendPostUri',
  'terminatePostUri',
];
const STATUS_KEYS = ['createdTime', 'customStatus', 'input', 'instanceId', 'lastUpdatedTime', 'name', 'output', 'runtimeStatus'];
const WIRE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
/** The Authorization header for `token`, none for null: a header must be left out, not sent empty. */
const authorization = (token: string | null): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` });

type Json = any;

export function runHttpContract(name: string, setup: () => Promise<ContractTarget>): void {
  describe(`HTTP contract: ${name}`, () => {
    let target: ContractTarget;
    // A fresh task hub per run, so that state left by other runs (persistent stores) cannot interfere.
    const hub = `Contract${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    let seq = 0;
    const uid = (prefix: string) => `${prefix}-${(++seq).toString().padStart(3, '0')}`;

    beforeAll(async () => {
      target = await setup();
    }, 60_000);
    afterAll(async () => {
      await target?.close?.();
    });

    /** A request with the admin token (or `token`), `taskHub` added to the query. */
    const call = (
      method: string,
      path: string,
      init: { body?: BodyInit; headers?: Record<string, string>; token?: string | null; hub?: string | null } = {},
    ) => {
      const url = new URL(`${PATH}${path}`, target.baseUrl);
      if (init.hub !== null && !url.searchParams.has('taskHub')) url.searchParams.set('taskHub', init.hub ?? hub);
      const token = init.token === undefined ? target.tokens.admin : init.token;
      return target.fetch(url, {
        method,
        headers: { ...authorization(token), ...init.headers },
        body: init.body,
      });
    };
    const jsonBody = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
    const start = async (orchestrator: string, instanceId: string, input?: unknown) => {
      const res = await call('POST', `/orchestrators/${orchestrator}/${encodeURIComponent(instanceId)}`, input === undefined ? {} : jsonBody(input));
      expect(res.status, await res.clone().text()).toBe(202);
      return (await res.json()) as Json;
    };
    const status = async (instanceId: string, query = '') => {
      const res = await call('GET', `/instances/${encodeURIComponent(instanceId)}${query}`);
      return { res, body: res.status === 404 ? undefined : ((await res.json()) as Json) };
    };
    /** Polls GET status until the instance is in one of `statuses`. */
    const until = async (instanceId: string, statuses: string[], timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await status(instanceId);
        if (body && statuses.includes(body.runtimeStatus)) return body;
        if (Date.now() > deadline) throw new Error(`${instanceId} is ${body?.runtimeStatus ?? 'missing'}, not ${statuses.join('/')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const expectError = async (res: Response, statusCode: number, code?: string) => {
      const text = await res.text();
      expect(res.status, text).toBe(statusCode);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(text) as Json;
      expect(typeof body.error.message).toBe('string');
      if (code) expect(body.error.code).toBe(code);
      return body;
    };
    /** A Failed FlakyActivity instance (its activity fails once; no retry). */
    const failed = async (instanceId: string) => {
      await start('FlakyActivity', instanceId, { failTimes: 1 });
      return until(instanceId, ['Failed']);
    };

    describe('POST orchestrators/{functionName}/{instanceId?}', () => {
      it('202 with the check-status payload, Location and Retry-After: 10', async () => {
        const res = await call('POST', '/orchestrators/HelloSequence');
        expect(res.status).toBe(202);
        const body = (await res.json()) as Json;
        expect(Object.keys(body).sort()).toEqual(CHECK_STATUS_KEYS);
        expect(body.id).toMatch(/^[0-9a-f]{32}$/);
        expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
        expect(res.headers.get('retry-after')).toBe('10');
        const statusUrl = new URL(body.statusQueryGetUri);
        expect(statusUrl.pathname).toBe(`${PATH}/instances/${body.id}`);
        expect(statusUrl.searchParams.get('taskHub')).toBe(hub);
        expect(statusUrl.searchParams.has('code')).toBe(false);
        expect(body.sendEventPostUri).toContain(`/instances/${body.id}/raiseEvent/{eventName}?`);
        expect(body.terminatePostUri).toContain(`/instances/${body.id}/terminate?reason={text}&taskHub=${hub}`);
        expect(body.restartPostUri).toContain(`/instances/${body.id}/restart?`);
        await until(body.id, ['Completed']);
      });

      it('takes the instance ID from the path and the input from the body', async () => {
        const id = uid('start');
        const body = await start('LongTimer', id, { seconds: 3600 });
        expect(body.id).toBe(id);
        const s = await until(id, ['Running']);
        expect(s.input).toEqual({ seconds: 3600 });
        await call('POST', `/instances/${id}/terminate`);
      });

      it('200 with the raw output when it completes within timeout', async () => {
        const res = await call('POST', `/orchestrators/HelloSequence/${uid('wait')}?timeout=20&pollingInterval=0.05`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      });

      it('202 check-status when the timeout passes first', async () => {
        const id = uid('slow');
        const res = await call('POST', `/orchestrators/Approval/${id}?timeout=0.3&pollingInterval=0.1`, jsonBody({ timeoutSeconds: 3600 }));
        expect(res.status).toBe(202);
        expect(((await res.json()) as Json).id).toBe(id);
        await call('POST', `/instances/${id}/terminate`);
      });

      it('a Failed wait: 200 with the status payload, 500 with returnInternalServerErrorOnFailure', async () => {
        let res = await call('POST', `/orchestrators/FlakyActivity/${uid('fw')}?timeout=20&pollingInterval=0.05`, jsonBody({ failTimes: 1 }));
        expect(res.status).toBe(200);
        expect(((await res.json()) as Json).runtimeStatus).toBe('Failed');
        res = await call(
          'POST',
          `/orchestrators/FlakyActivity/${uid('fw')}?timeout=20&pollingInterval=0.05&returnInternalServerErrorOnFailure=true`,
          jsonBody({ failTimes: 1 }),
        );
        expect(res.status).toBe(500);
        expect(((await res.json()) as Json).runtimeStatus).toBe('Failed');
      });

      it('400 for malformed JSON, an unknown orchestrator, an invalid ID, bad wait parameters; none creates anything', async () => {
        const id = uid('bad');
        await expectError(
          await call('POST', `/orchestrators/HelloSequence/${id}`, { body: '{"a":', headers: { 'content-type': 'application/json' } }),
          400,
          'InvalidJson',
        );
        await expectError(await call('POST', `/orchestrators/NoSuchOrchestrator/${id}`), 400, 'UnknownOrchestrator');
        await expectError(await call('POST', '/orchestrators/HelloSequence/%40entity'), 400, 'InvalidArgument');
        await expectError(await call('POST', `/orchestrators/HelloSequence/${'x'.repeat(101)}`), 400, 'InvalidArgument');
        await expectError(await call('POST', `/orchestrators/HelloSequence/${id}?timeout=1&pollingInterval=2`), 400, 'InvalidArgument');
        await expectError(await call('POST', `/orchestrators/HelloSequence/${id}?timeout=abc&pollingInterval=1`), 400, 'InvalidArgument');
        expect((await status(id)).res.status).toBe(404);
      });

      it('409 when a running instance has the ID', async () => {
        const id = uid('dup');
        await start('Approval', id);
        await expectError(await call('POST', `/orchestrators/Approval/${id}`), 409, 'InstanceAlreadyExists');
        await call('POST', `/instances/${id}/terminate`);
      });

      it('413 for a body over the limit, declared or streamed', async () => {
        const id = uid('big');
        const big = `"${'x'.repeat(1024 * 1024)}"`;
        await expectError(await call('POST', `/orchestrators/HelloSequence/${id}`, { body: big }), 413, 'PayloadTooLarge');
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
            for (let i = 0; i < 20; i++) controller.enqueue(chunk);
            controller.close();
          },
        });
        const url = new URL(`${PATH}/orchestrators/HelloSequence/${id}?taskHub=${hub}`, target.baseUrl);
        const res = await target.fetch(url, {
          method: 'POST',
          body: stream,
          headers: { authorization: `Bearer ${target.tokens.admin}` },
          duplex: 'half',
        } as RequestInit);
        await expectError(res, 413, 'PayloadTooLarge');
        expect((await status(id)).res.status).toBe(404);
      });
    });

    describe('GET instances/{instanceId}', () => {
      it('202 while running, with Location (the request URL) and Retry-After: 5', async () => {
        const id = uid('run');
        await start('Approval', id, { timeoutSeconds: 3600 });
        await until(id, ['Running']);
        const { res, body } = await status(id);
        expect(res.status).toBe(202);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.headers.get('location')).toBe(res.url);
        expect(Object.keys(body).sort()).toEqual(STATUS_KEYS);
        expect(body).toMatchObject({ name: 'Approval', instanceId: id, runtimeStatus: 'Running', input: { timeoutSeconds: 3600 }, output: null });
        expect(body.customStatus).toEqual({ stage: 'Waiting for approval', timeoutSeconds: 3600 });
        expect(body.createdTime).toMatch(WIRE_TIME);
        expect(body.lastUpdatedTime).toMatch(WIRE_TIME);
        await call('POST', `/instances/${id}/terminate`);
      });

      it('200 when completed; historyEvents in the Durable Functions view', async () => {
        const id = uid('hist');
        await start('HelloSequence', id);
        await until(id, ['Completed']);
        let { res, body } = await status(id, '?showHistory=true');
        expect(res.status).toBe(200);
        expect(body.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        const types = body.historyEvents.map((e: Json) => e.EventType);
        expect(types).toEqual(['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted']);
        expect(body.historyEvents[0]).toMatchObject({ FunctionName: 'HelloSequence' });
        expect(body.historyEvents[1]).toMatchObject({ FunctionName: 'SayHello', Input: 'Tokyo' });
        expect(body.historyEvents[1].ScheduledTime).toBeTypeOf('string');
        expect(body.historyEvents[1]).not.toHaveProperty('Result');
        expect(body.historyEvents[4]).toMatchObject({ OrchestrationStatus: 'Completed' });
        ({ body } = await status(id, '?showHistory=true&showHistoryOutput=true&showInput=false'));
        expect(body.historyEvents[1]).toMatchObject({ Result: 'Hello Tokyo!' });
        expect(body.historyEvents[1]).not.toHaveProperty('Input');
        expect(body.historyEvents[4]).toMatchObject({ Result: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
        ({ body } = await status(id));
        expect(body).not.toHaveProperty('historyEvents');
      });

      it('showInput=false hides the input', async () => {
        const id = uid('noin');
        await start('LongTimer', id, { seconds: 3600 });
        const body = await until(id, ['Running']);
        expect(body.input).toEqual({ seconds: 3600 });
        expect((await status(id, '?showInput=false')).body.input).toBeNull();
        await call('POST', `/instances/${id}/terminate`);
      });

      it('Failed: 200, or 500 with returnInternalServerErrorOnFailure=true', async () => {
        const id = uid('fail');
        await failed(id);
        const ok = await status(id);
        expect(ok.res.status).toBe(200);
        expect(ok.body.output).toMatch(/Flaky failure 1 of 1/);
        const flagged = await status(id, '?returnInternalServerErrorOnFailure=true');
        expect(flagged.res.status).toBe(500);
        expect(flagged.body.runtimeStatus).toBe('Failed');
      });

      it('404 with an empty body when there is no such instance', async () => {
        const { res } = await status('no-such-instance');
        expect(res.status).toBe(404);
        expect(await res.text()).toBe('');
      });

      it('400 for an invalid ID or a malformed flag', async () => {
        await expectError(await call('GET', '/instances/%40entity'), 400, 'InvalidArgument');
        await expectError(await call('GET', '/instances/a%2Fb'), 400, 'InvalidArgument');
        await expectError(await call('GET', '/instances/x?showHistory=maybe'), 400, 'InvalidArgument');
      });
    });

    describe('GET instances', () => {
      const prefix = `list${Math.random().toString(36).slice(2, 7)}-`;
      let ids: string[];
      beforeAll(async () => {
        ids = [`${prefix}a`, `${prefix}b`, `${prefix}c`];
        for (const id of ids) await start('HelloSequence', id);
        for (const id of ids) await until(id, ['Completed']);
        await start('Approval', `${prefix}d`);
        await until(`${prefix}d`, ['Running']);
      });
      afterAll(async () => {
        await call('POST', `/instances/${prefix}d/terminate`);
      });

      it('200 with a JSON array of status payloads (no history)', async () => {
        const res = await call('GET', `/instances?instanceIdPrefix=${prefix}&showHistory=true`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as Json[];
        expect(body.map((s) => s.instanceId)).toEqual([...ids, `${prefix}d`]);
        for (const s of body) expect(Object.keys(s).sort()).toEqual(STATUS_KEYS);
        expect(res.headers.get('x-ms-continuation-token')).toBeNull();
      });

      it('filters by runtimeStatus (comma list and repeated, any case) and creation time', async () => {
        const q = (query: string) =>
          call('GET', `/instances?instanceIdPrefix=${prefix}&${query}`).then(async (r) => ((await r.json()) as Json[]).map((s) => s.instanceId));
        expect(await q('runtimeStatus=Running')).toEqual([`${prefix}d`]);
        expect(await q('runtimeStatus=completed,Running')).toHaveLength(4);
        expect(await q('runtimeStatus=Failed&runtimeStatus=Running')).toEqual([`${prefix}d`]);
        expect(await q('runtimeStatus=Canceled')).toEqual([]);
        expect(await q('createdTimeFrom=2999-01-01T00:00:00Z')).toEqual([]);
        expect(await q('createdTimeTo=2000-01-01T00:00:00Z')).toEqual([]);
        const noInput = (await (await call('GET', `/instances?instanceIdPrefix=${prefix}d&showInput=false`)).json()) as Json[];
        expect(noInput[0].input).toBeNull();
      });

      it('pages with top and x-ms-continuation-token', async () => {
        const seen: string[] = [];
        let token: string | null = null;
        let pages = 0;
        do {
          const res: Response = await call('GET', `/instances?instanceIdPrefix=${prefix}&top=1`, {
            headers: token ? { 'x-ms-continuation-token': token } : {},
          });
          expect(res.status).toBe(200);
          const page = (await res.json()) as Json[];
          expect(page.length).toBeLessThanOrEqual(1);
          seen.push(...page.map((s) => s.instanceId));
          token = res.headers.get('x-ms-continuation-token');
          pages++;
        } while (token && pages < 10);
        expect(seen).toEqual([...ids, `${prefix}d`]);
      });

      it('400 for an unknown status, a bad top, a bad date or a bad continuation token', async () => {
        await expectError(await call('GET', '/instances?runtimeStatus=Sleeping'), 400, 'InvalidArgument');
        await expectError(await call('GET', '/instances?top=0'), 400, 'InvalidArgument');
        await expectError(await call('GET', '/instances?top=abc'), 400, 'InvalidArgument');
        await expectError(await call('GET', '/instances?createdTimeFrom=yesterday'), 400, 'InvalidArgument');
        await expectError(await call('GET', '/instances', { headers: { 'x-ms-continuation-token': 'garbage!' } }), 400, 'InvalidArgument');
      });
    });

    describe('DELETE instances/{instanceId}', () => {
      it('200 {"instancesDeleted":1}, then the instance is gone', async () => {
        const id = uid('purge');
        await start('HelloSequence', id);
        await until(id, ['Completed']);
        const res = await call('DELETE', `/instances/${id}`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ instancesDeleted: 1 });
        expect((await status(id)).res.status).toBe(404);
      });

      it('404 when missing; 409 while the instance is running (Durable Functions would purge it)', async () => {
        await expectError(await call('DELETE', '/instances/no-such-instance'), 404, 'InstanceNotFound');
        const id = uid('purgerun');
        await start('Approval', id);
        await until(id, ['Running']);
        await expectError(await call('DELETE', `/instances/${id}`), 409, 'InvalidState');
        expect((await status(id)).res.status).toBe(202);
        await call('POST', `/instances/${id}/terminate`);
      });
    });

    describe('DELETE instances', () => {
      it('400 without createdTimeFrom; 200 with the count; 404 when nothing matched', async () => {
        const purgeHub = `${hub}P`;
        await expectError(await call('DELETE', '/instances', { hub: purgeHub }), 400, 'InvalidArgument');
        const from = new Date(Date.now() - 60_000).toISOString();
        for (const id of ['p1', 'p2']) {
          await call('POST', `/orchestrators/HelloSequence/${id}?timeout=20&pollingInterval=0.05`, { hub: purgeHub });
        }
        await expectError(await call('DELETE', `/instances?createdTimeFrom=${from}&runtimeStatus=Running`, { hub: purgeHub }), 400, 'InvalidArgument');
        let res = await call('DELETE', `/instances?createdTimeFrom=${from}&runtimeStatus=Failed`, { hub: purgeHub });
        await expectError(res, 404);
        res = await call('DELETE', `/instances?createdTimeFrom=${from}&runtimeStatus=Completed,Terminated`, { hub: purgeHub });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ instancesDeleted: 2 });
        await expectError(await call('DELETE', `/instances?createdTimeFrom=${from}`, { hub: purgeHub }), 404);
      });
    });

    describe('POST instances/{instanceId}/raiseEvent/{eventName}', () => {
      it('202, and the instance receives the event', async () => {
        const id = uid('event');
        await start('Approval', id);
        await until(id, ['Running']);
        const res = await call('POST', `/instances/${id}/RaiseEvent/Approval`, jsonBody(true));
        expect(res.status).toBe(202);
        expect((await until(id, ['Completed'])).output).toBe('approved');
        // Finished: 410 Gone.
        await expectError(await call('POST', `/instances/${id}/raiseEvent/Approval`, jsonBody(true)), 410, 'InvalidState');
      });

      it('400 for a non-JSON content type or malformed JSON; 404 when missing; 413 when too large', async () => {
        const id = uid('eventbad');
        await start('Approval', id);
        await until(id, ['Running']);
        const body = await expectError(
          await call('POST', `/instances/${id}/raiseEvent/Approval`, { body: 'true', headers: { 'content-type': 'text/plain' } }),
          400,
          'UnsupportedContentType',
        );
        expect(body.error.message).toBe('Only application/json request content is supported');
        await expectError(
          await call('POST', `/instances/${id}/raiseEvent/Approval`, { body: 'tru', headers: { 'content-type': 'application/json' } }),
          400,
          'InvalidJson',
        );
        await expectError(
          await call('POST', `/instances/${id}/raiseEvent/Approval`, { body: `"${'x'.repeat(1024 * 1024)}"`, headers: { 'content-type': 'application/json' } }),
          413,
          'PayloadTooLarge',
        );
        await expectError(await call('POST', '/instances/no-such-instance/raiseEvent/Approval', jsonBody(true)), 404, 'InstanceNotFound');
        expect((await status(id)).body.runtimeStatus).toBe('Running');
        await call('POST', `/instances/${id}/terminate`);
      });
    });

    describe('POST instances/{instanceId}/terminate|suspend|resume', () => {
      it('suspend → Suspended (202 status), resume → Running, terminate → Terminated with the reason', async () => {
        const id = uid('ctl');
        await start('Approval', id);
        await until(id, ['Running']);
        expect((await call('POST', `/instances/${id}/suspend?reason=pause`)).status).toBe(202);
        await until(id, ['Suspended']);
        expect((await status(id)).res.status).toBe(202);
        expect((await call('POST', `/instances/${id}/Resume?reason=go`)).status).toBe(202);
        await until(id, ['Running']);
        expect((await call('POST', `/instances/${id}/TERMINATE?reason=done`)).status).toBe(202);
        const s = await until(id, ['Terminated']);
        expect(s.output).toBe('done');
        expect((await status(id)).res.status).toBe(200);
        for (const op of ['terminate', 'suspend', 'resume']) {
          await expectError(await call('POST', `/instances/${id}/${op}`), 410, 'InvalidState');
          await expectError(await call('POST', `/instances/no-such-instance/${op}`), 404, 'InstanceNotFound');
        }
      });
    });

    describe('POST instances/{instanceId}/rewind', () => {
      it('202 on a Failed instance, which then completes; 410 otherwise; 404 when missing', async () => {
        const id = uid('rewind');
        await failed(id);
        expect((await call('POST', `/instances/${id}/rewind?reason=retry`)).status).toBe(202);
        expect((await until(id, ['Completed'])).output).toBe('recovered');
        await expectError(await call('POST', `/instances/${id}/rewind`), 410, 'InvalidState');
        await expectError(await call('POST', '/instances/no-such-instance/rewind'), 404, 'InstanceNotFound');
      });
    });

    describe('POST instances/{instanceId}/reset (beyond Durable Functions)', () => {
      // HelloSequence's history has 16 rows; row 8 closes the episode that scheduled Seattle.
      const reset = (id: string, body: unknown) => call('POST', `/instances/${encodeURIComponent(id)}/reset`, jsonBody(body));

      it('202 with the instance that continues: the same one, or a fork that leaves the original as it was', async () => {
        const id = uid('reset');
        await start('HelloSequence', id);
        await until(id, ['Completed']);
        let res = await reset(id, { eventId: 8, reason: 'again' });
        expect(res.status, await res.clone().text()).toBe(202);
        expect(await res.json()).toEqual({ instanceId: id });
        const again = await until(id, ['Completed']);
        expect(again.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        const withHistory = (await status(id, '?showHistory=true&showHistoryOutput=true')).body;
        expect(withHistory.historyEvents.some((e: Json) => e.EventType === 'ExecutionReset' && e.Reason === 'again' && e.EventId === 8)).toBe(true);
        const before = JSON.stringify(withHistory);
        const fork = uid('reset-fork');
        res = await call('POST', `/instances/${id}/ReSet`, jsonBody({ eventId: 4, newInstanceId: fork, reapplyEvents: false }));
        expect(res.status, await res.clone().text()).toBe(202);
        expect(await res.json()).toEqual({ instanceId: fork });
        expect((await until(fork, ['Completed'])).output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        expect(JSON.stringify((await status(id, '?showHistory=true&showHistoryOutput=true')).body)).toBe(before);
      });

      it('400 for a bad body or an eventId out of range (naming the range), 404 when missing, 409 over an instance still running', async () => {
        const id = uid('resetbad');
        await start('HelloSequence', id);
        await until(id, ['Completed']);
        const outOfRange = await expectError(await reset(id, { eventId: 17 }), 400, 'InvalidArgument');
        expect(outOfRange.error.message).toContain('from 1 to 16');
        await expectError(await reset(id, { eventId: 0 }), 400, 'InvalidArgument');
        await expectError(await reset(id, { eventID: 3 }), 400, 'InvalidArgument');
        await expectError(await reset(id, { eventId: '3' }), 400, 'InvalidArgument');
        await expectError(await reset(id, [3]), 400, 'InvalidArgument');
        await expectError(await call('POST', `/instances/${id}/reset`), 400, 'InvalidArgument');
        await expectError(await reset('no-such-instance', { eventId: 1 }), 404, 'InstanceNotFound');
        const busy = uid('resetbusy');
        await start('Approval', busy, { timeoutSeconds: 3600 });
        await until(busy, ['Running']);
        await expectError(await reset(id, { eventId: 4, newInstanceId: busy }), 409, 'InstanceAlreadyExists');
        expect((await status(busy)).body.runtimeStatus).toBe('Running');
      });
    });

    describe('POST instances/{instanceId}/restart', () => {
      it('202 check-status of a new instance; restartWithNewInstanceId=false reuses a finished ID', async () => {
        const id = uid('restart');
        await start('HelloSequence', id);
        await until(id, ['Completed']);
        let res = await call('POST', `/instances/${id}/restart`);
        expect(res.status).toBe(202);
        const fresh = (await res.json()) as Json;
        expect(Object.keys(fresh).sort()).toEqual(CHECK_STATUS_KEYS);
        expect(fresh.id).not.toBe(id);
        expect(res.headers.get('location')).toBe(fresh.statusQueryGetUri);
        expect((await until(fresh.id, ['Completed'])).name).toBe('HelloSequence');
        res = await call('POST', `/instances/${id}/ReStart?restartWithNewInstanceId=false&timeout=20&pollingInterval=0.05`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      });

      it('400 when missing (as Durable Functions); 409 for the same ID while running', async () => {
        await expectError(await call('POST', '/instances/no-such-instance/restart'), 400, 'InstanceNotFound');
        const id = uid('restartrun');
        await start('Approval', id);
        await until(id, ['Running']);
        await expectError(await call('POST', `/instances/${id}/restart?restartWithNewInstanceId=false`), 409, 'InvalidState');
        await expectError(await call('POST', `/instances/${id}/restart?restartWithNewInstanceId=perhaps`), 400, 'InvalidArgument');
        await call('POST', `/instances/${id}/terminate`);
      });
    });

    describe('GET counts (beyond Durable Functions)', () => {
      it('200 with every status counted, in a created-time range; 400 for a bad date', async () => {
        const counted = `${hub}N`;
        for (const id of ['n1', 'n2']) {
          const res = await call('POST', `/orchestrators/HelloSequence/${id}?timeout=20&pollingInterval=0.05`, { hub: counted });
          expect(res.status).toBe(200);
        }
        const waiting = await call('POST', '/orchestrators/Approval/n3', { hub: counted });
        expect(waiting.status).toBe(202);
        const zero = { Pending: 0, Running: 0, Completed: 0, ContinuedAsNew: 0, Failed: 0, Terminated: 0, Suspended: 0 };
        const client = new DurableHttpClient({ endpoint: target.baseUrl, token: target.tokens.read, fetch: target.fetch });
        const deadline = Date.now() + 15_000;
        let counts = await client.countInstances(counted);
        while (counts.Running !== 1 && Date.now() < deadline) counts = await client.countInstances(counted);
        expect(counts).toEqual({ ...zero, Completed: 2, Running: 1 });
        const res = await call('GET', '/counts', { hub: counted, token: target.tokens.read });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ ...zero, Completed: 2, Running: 1 });
        expect(await client.countInstances(counted, { createdTimeFrom: '2999-01-01T00:00:00Z' })).toEqual(zero);
        expect(await client.countInstances(counted, { createdTimeTo: '2999-01-01T00:00:00Z' })).toEqual({ ...zero, Completed: 2, Running: 1 });
        const bad = await expectError(await call('GET', '/counts?createdTimeFrom=soon', { hub: counted }), 400, 'InvalidArgument');
        expect(bad.error.message).toContain('createdTimeFrom');
        await call('DELETE', `/taskhubs/${counted}`, { hub: null });
      });
    });

    describe('GET instances/{instanceId}/history (beyond Durable Functions)', () => {
      it('pages the history one row per event; the pages together are the whole history', async () => {
        const id = uid('paged');
        await start('HelloSequence', id);
        await until(id, ['Completed']);
        const first = await call('GET', `/instances/${id}/history?from=0&top=3`, { token: target.tokens.read });
        expect(first.status).toBe(200);
        const page = (await first.json()) as Json;
        expect(page.from).toBe(0);
        expect(page.events).toHaveLength(3);
        expect(page.total).toBeGreaterThan(6);
        expect(page.nextFrom).toBe(3);
        // Nothing dropped: the episode markers are rows too.
        expect(page.events[0]).toMatchObject({ EventType: 'OrchestratorStarted' });
        expect(page.events[1]).toMatchObject({ EventType: 'ExecutionStarted', FunctionName: 'HelloSequence' });
        const client = new DurableHttpClient({ endpoint: target.baseUrl, token: target.tokens.read, fetch: target.fetch });
        const walked: Json[] = [];
        for (let from: number | undefined = 0; from !== undefined; ) {
          const next = await client.getHistoryPage(hub, id, { from, top: 2 });
          expect(next.from).toBe(from);
          expect(next.total).toBe(page.total);
          walked.push(...next.events);
          from = next.nextFrom;
        }
        expect(walked).toHaveLength(page.total);
        expect(walked.slice(0, 3)).toEqual(page.events);
        expect(walked.find((row) => row.EventType === 'ExecutionCompleted')).toMatchObject({ OrchestrationStatus: 'Completed', Result: expect.anything() });
        expect(await client.getHistoryAll(hub, id)).toEqual(walked);
        const past = (await (await call('GET', `/instances/${id}/history?from=${page.total}`)).json()) as Json;
        expect(past).toEqual({ events: [], from: page.total, total: page.total });
      });

      it('400 naming the valid range for a bad from or top; 404 for a missing instance', async () => {
        const id = uid('paged');
        await start('HelloSequence', id);
        for (const [query, range] of [
          ['from=-1', 'from 0'],
          ['from=x', 'from 0'],
          ['top=0', 'from 1 to 1000'],
          ['top=1001', 'from 1 to 1000'],
        ]) {
          const body = await expectError(await call('GET', `/instances/${id}/history?${query}`), 400, 'InvalidArgument');
          expect(body.error.message).toContain(range);
        }
        await expectError(await call('GET', '/instances/nobody-here/history'), 404, 'InstanceNotFound');
        const client = new DurableHttpClient({ endpoint: target.baseUrl, token: target.tokens.read, fetch: target.fetch });
        await expect(client.getHistoryPage(hub, 'nobody-here')).rejects.toMatchObject({ status: 404, code: 'InstanceNotFound' });
      });
    });

    describe('history bundles over HTTP', () => {
      it("an export through the wire client equals the memory store's bundle of the same run, once normalized", async () => {
        const id = uid('bundle');
        await start('ParentChild', id);
        await until(id, ['Completed']);
        const client = new DurableHttpClient({ endpoint: target.baseUrl, token: target.tokens.read, fetch: target.fetch });
        const reader = {
          status: async (instanceId: string) => {
            try {
              return await client.getStatus(hub, instanceId, { showInput: true });
            } catch (error) {
              if (isNotFound(error)) return undefined;
              throw error;
            }
          },
          history: (instanceId: string) => client.getHistoryAll(hub, instanceId, 3),
        };
        const options = { source: { taskHub: hub, backend: 'http' as const, endpoint: client.endpoint }, exportedAt: new Date().toISOString(), children: true };
        const exported = await exportBundle(reader, id, { ...options, notFound: (missing) => new Error(`missing ${missing}`) });
        expect(parseBundle(JSON.stringify(exported))).toEqual(exported);
        expect(exported.children).toHaveLength(1);

        const local = harness();
        await local.client.startNew('ParentChild', { instanceId: id });
        await local.settle({ timers: true });
        const store = local.storage.taskHub(local.client.taskHubName);
        const expected = await exportBundle(
          {
            status: async (instanceId) => {
              const s = await local.client.getStatus(instanceId, { showInput: true });
              return s ? toStatusPayload(s) : undefined;
            },
            history: async (instanceId) => toHistoryPagePayload(await historyPage(store, instanceId, 0, 1000), 0, 1000, { showHistoryOutput: true }).events,
          },
          id,
          { ...options, notFound: (missing) => new Error(`missing ${missing}`) },
        );
        expect(normalizeBundle(exported)).toEqual(normalizeBundle(expected));
      });
    });

    describe('task hubs, orchestrators, OpenAPI', () => {
      it('GET taskhubs lists hubs with data; DELETE taskhubs/{name} deletes one (404 if absent)', async () => {
        const doomed = `${hub}D`;
        const res = await call('POST', '/orchestrators/HelloSequence/one?timeout=20&pollingInterval=0.05', { hub: doomed });
        expect(res.status).toBe(200);
        const hubs = (await (await call('GET', '/taskhubs', { hub: null })).json()) as string[];
        expect(hubs).toContain(doomed);
        const del = await call('DELETE', `/taskhubs/${doomed}`, { hub: null });
        expect(del.status).toBe(200);
        expect(await del.json()).toEqual({ taskHub: doomed, deleted: true });
        expect((await (await call('GET', '/taskhubs', { hub: null })).json()) as string[]).not.toContain(doomed);
        await expectError(await call('DELETE', `/taskhubs/${doomed}`, { hub: null }), 404, 'TaskHubNotFound');
        await expectError(await call('DELETE', '/taskhubs/1nvalid', { hub: null }), 400, 'InvalidArgument');
      });

      it('GET orchestrators lists the registered names', async () => {
        const res = await call('GET', '/orchestrators', { token: target.tokens.read });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(expect.arrayContaining([{ name: 'HelloSequence' }, { name: 'Approval' }]));
      });

      it('GET openapi.json is an OpenAPI 3.1 document', async () => {
        const res = await call('GET', '/openapi.json', { token: target.tokens.read });
        expect(res.status).toBe(200);
        const doc = (await res.json()) as Json;
        expect(doc.openapi).toBe('3.1.0');
        expect(Object.keys(doc.paths)).toContain('/instances/{instanceId}/raiseEvent/{eventName}');
      });

      it('400 for an invalid taskHub; the taskHub key matches in any case', async () => {
        await expectError(await call('GET', '/instances?taskHub=has%20space', { hub: null }), 400, 'InvalidArgument');
        const id = uid('case');
        await start('HelloSequence', id);
        await until(id, ['Completed']);
        const res = await call('GET', `/instances/${id}?TASKHUB=${hub}`, { hub: null });
        expect(res.status).toBe(200);
      });
    });

    describe('auth, unknown routes and methods', () => {
      it('401 with WWW-Authenticate for a missing, wrong or non-Bearer token', async () => {
        let res = await call('GET', '/instances', { token: null });
        await expectError(res, 401, 'Unauthorized');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        res = await call('GET', '/instances', { token: 'wrong' });
        await expectError(res, 401, 'Unauthorized');
        expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
        await expectError(await call('GET', '/instances', { token: null, headers: { authorization: `Basic ${btoa('a:b')}` } }), 401, 'Unauthorized');
        await expectError(await call('POST', '/orchestrators/HelloSequence/anon', { token: null }), 401, 'Unauthorized');
        expect((await status('anon')).res.status).toBe(404);
      });

      it('the read token reads; admin routes answer it 403', async () => {
        expect((await call('GET', '/instances', { token: target.tokens.read })).status).toBe(200);
        await expectError(await call('POST', '/orchestrators/HelloSequence/ro', { token: target.tokens.read }), 403, 'Forbidden');
        await expectError(await call('DELETE', '/instances/ro', { token: target.tokens.read }), 403, 'Forbidden');
        await expectError(await call('DELETE', '/taskhubs/Nope', { token: target.tokens.read, hub: null }), 403, 'Forbidden');
        expect((await status('ro')).res.status).toBe(404);
      });

      it("a 403 names the missing scope; GET scope tells each token's", async () => {
        const refused = await expectError(await call('POST', '/instances/ro/terminate', { token: target.tokens.read }), 403, 'Forbidden');
        expect(refused.error.message).toContain("'admin' scope");
        for (const [token, scope] of [
          [target.tokens.read, 'read'],
          [target.tokens.admin, 'admin'],
        ] as const) {
          const res = await call('GET', '/scope', { token, hub: null });
          expect(res.status).toBe(200);
          expect(await res.json()).toEqual({ scope });
        }
        await expectError(await call('GET', '/scope', { token: 'wrong', hub: null }), 401, 'Unauthorized');
        const client = new DurableHttpClient({ endpoint: target.baseUrl, token: target.tokens.read, fetch: target.fetch });
        expect(await client.getScope()).toBe('read');
      });

      it('accepts x-functions-key and the code query parameter', async () => {
        expect((await call('GET', '/instances', { token: null, headers: { 'x-functions-key': target.tokens.read } })).status).toBe(200);
        expect((await call('GET', `/instances?code=${encodeURIComponent(target.tokens.read)}`, { token: null })).status).toBe(200);
        await expectError(await call('GET', '/instances?code=wrong', { token: null }), 401, 'Unauthorized');
      });

      it('CORS: a preflight is 204 without a token; answers (errors too) carry Allow-Origin and the exposed headers', async () => {
        const preflight = await call('OPTIONS', '/instances', {
          token: null,
          headers: {
            origin: 'https://vscode.dev',
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'authorization,x-ms-continuation-token',
          },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
        expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE,OPTIONS');
        expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-ms-continuation-token,x-functions-key');
        const page = await call('GET', '/instances?top=1', { headers: { origin: 'https://vscode.dev' } });
        expect(page.status).toBe(200);
        expect(page.headers.get('access-control-allow-origin')).toBe('*');
        expect(page.headers.get('access-control-expose-headers')).toBe('x-ms-continuation-token,Location,Retry-After');
        const denied = await call('GET', '/instances', { token: null, headers: { origin: 'https://vscode.dev' } });
        expect(denied.headers.get('access-control-allow-origin')).toBe('*');
        await expectError(denied, 401, 'Unauthorized');
      });

      it('404 JSON for an unknown route, 405 with Allow for a known path with another method', async () => {
        await expectError(await call('GET', '/nothing-here'), 404, 'RouteNotFound');
        await expectError(await call('POST', '/instances/x/explode'), 404, 'RouteNotFound');
        await expectError(await call('GET', '/instances/x/extra/segments/here'), 404, 'RouteNotFound');
        let res = await call('PUT', '/instances/x');
        await expectError(res, 405, 'MethodNotAllowed');
        expect(res.headers.get('allow')).toBe('GET, DELETE, HEAD');
        res = await call('GET', '/orchestrators/HelloSequence');
        await expectError(res, 405, 'MethodNotAllowed');
        expect(res.headers.get('allow')).toBe('POST');
        res = await call('PATCH', '/instances/x/terminate');
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
      });
    });
  });
}
