/** In-process checks of the Hono app: OpenAPI coverage, auth modes, configuration and error mapping. */
import { describe, expect, it } from 'vitest';
import { DurableApp, MemoryStorage, type Storage, Worker } from '../../core/index.js';
import { toStatus } from '../../core/status.js';
import type { InstanceRecord } from '../../core/store/port.js';
import { toStatusPayload } from '../../core/wire/payloads.js';
import { type AppOptions, createApp } from '../../edge-worker/app.js';
import { createAuthorizer } from '../../edge-worker/auth.js';
import { openApiDocument } from '../../edge-worker/openapi.js';
import { statusPayloadText } from '../../edge-worker/respond.js';
import { registerSamples } from '../../samples/index.js';

const BASE = 'http://127.0.0.1:7071/runtime/webhooks/durabletask';
type Json = any;

function make(options: Partial<AppOptions> = {}) {
  const storage = (options.storage as Storage | undefined) ?? new MemoryStorage();
  const app = options.app ?? registerSamples();
  const api = createApp({ storage, app, auth: { adminTokens: ['admin'], readTokens: ['read'] }, ...options });
  const send = (method: string, path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token = 'admin', ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== null && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    return Promise.resolve(api.fetch(new Request(`${BASE}${path}`, { ...rest, method, headers })));
  };
  return { api, storage, app, send };
}

describe('OpenAPI document', () => {
  it('describes exactly the registered routes', () => {
    const { api } = make();
    const doc = openApiDocument() as Json;
    const reached = new Set<unknown>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      const concrete = `/runtime/webhooks/durabletask${path.replace(/\{[^}]+\}/g, 'x')}`;
      for (const method of Object.keys(item)) {
        const [matches] = api.router.match(method.toUpperCase(), concrete) as unknown as [[[unknown, unknown], unknown][]];
        expect(matches.length, `${method} ${path} is not routed`).toBeGreaterThan(0);
        for (const [[handler]] of matches) reached.add(handler);
      }
    }
    const registered = api.routes.filter((r) => r.method !== 'ALL');
    for (const route of registered) expect(reached.has(route.handler), `${route.method} ${route.path} is not in openapi.json`).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('every operation declares its scope and its error responses', () => {
    const doc = openApiDocument() as Json;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op['x-scope'], `${method} ${path}`).toBe(method === 'get' ? 'read' : 'admin');
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
      }
    }
  });
});

describe('auth', () => {
  it('createApp needs tokens or an explicit anonymous: true', () => {
    expect(() => createAuthorizer({})).toThrow(/anonymous: true/);
    expect(() => createAuthorizer({ adminTokens: [''] })).toThrow(/non-empty/);
  });

  it('anonymous: true allows everything', async () => {
    const { send } = make({ auth: { anonymous: true } });
    expect((await send('POST', '/orchestrators/HelloSequence/anon', { token: null })).status).toBe(202);
    expect((await send('GET', '/instances/anon', { token: null })).status).toBe(202);
    expect(await (await send('GET', '/scope', { token: null })).json()).toEqual({ scope: 'anonymous' });
  });

  it('anonymous loopback mode refuses other Hosts (DNS rebinding) and cross-site Origins', async () => {
    const { api } = make({ auth: { anonymous: true, loopbackOnly: true } });
    const get = (url: string, headers: Record<string, string> = {}) => api.fetch(new Request(url, { headers }));
    expect((await get(`${BASE}/instances`)).status).toBe(200);
    expect((await get('http://localhost:7071/runtime/webhooks/durabletask/instances')).status).toBe(200);
    expect((await get('http://[::1]:7071/runtime/webhooks/durabletask/instances')).status).toBe(200);
    const rebinding = await get('http://attacker.example:7071/runtime/webhooks/durabletask/instances');
    expect(rebinding.status).toBe(403);
    expect(((await rebinding.json()) as Json).error.code).toBe('Forbidden');
    expect((await get(`${BASE}/instances`, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await get(`${BASE}/instances`, { origin: 'http://localhost:3000' })).status).toBe(200);
  });

  it('several tokens per scope; admin implies read', async () => {
    const { send } = make({ auth: { adminTokens: ['a1', 'a2'], readTokens: ['r1', 'r2'] } });
    for (const token of ['a1', 'a2', 'r1', 'r2']) expect((await send('GET', '/instances', { token })).status).toBe(200);
    expect((await send('POST', '/orchestrators/HelloSequence', { token: 'a2' })).status).toBe(202);
    expect((await send('POST', '/orchestrators/HelloSequence', { token: 'r2' })).status).toBe(403);
    expect(await (await send('GET', '/scope', { token: 'a2' })).json()).toEqual({ scope: 'admin' });
    expect(await (await send('GET', '/scope', { token: 'r1' })).json()).toEqual({ scope: 'read' });
    expect((await send('GET', '/instances', { token: 'a1x' })).status).toBe(401);
  });

  it('unknown routes and methods answer before auth (no token needed to learn a route is absent)', async () => {
    const { send } = make();
    expect((await send('GET', '/nope', { token: null })).status).toBe(404);
    expect((await send('PUT', '/instances', { token: null })).status).toBe(405);
    expect((await send('GET', '/instances', { token: null })).status).toBe(401);
  });
});

describe('CORS', () => {
  const preflight = (api: ReturnType<typeof make>['api'], origin: string, url = `${BASE}/instances/x/terminate`) =>
    Promise.resolve(
      api.fetch(
        new Request(url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
        }),
      ),
    );

  it('a preflight is answered 204 without a token, with the methods and headers a browser client needs', async () => {
    const { api, storage } = make();
    const res = await preflight(api, 'https://vscode.dev');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')!.split(',')).toEqual(['GET', 'POST', 'DELETE', 'OPTIONS']);
    expect(res.headers.get('access-control-allow-headers')!.split(',')).toEqual([
      'authorization',
      'content-type',
      'x-ms-continuation-token',
      'x-functions-key',
    ]);
    expect(res.headers.get('access-control-expose-headers')!.split(',')).toEqual(['x-ms-continuation-token', 'Location', 'Retry-After']);
    expect(await res.text()).toBe('');
    expect(await storage.listTaskHubs()).toEqual([]); // nothing ran
  });

  it('actual responses carry the headers: successes, errors (401 before auth passes) and 404s', async () => {
    const { send } = make();
    const origin = { origin: 'https://vscode.dev' };
    const started = await send('POST', '/orchestrators/HelloSequence/cors-1', { headers: origin });
    expect(started.status).toBe(202);
    expect(started.headers.get('access-control-allow-origin')).toBe('*');
    expect(started.headers.get('access-control-expose-headers')).toContain('Location');
    expect(started.headers.get('location')).toContain('/instances/cors-1');
    const denied = await send('GET', '/instances', { token: null, headers: origin });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('*');
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const missing = await send('GET', '/nope', { token: null, headers: origin });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('the continuation token of a paged list is exposed to the browser', async () => {
    const { send } = make();
    for (const id of ['p1', 'p2', 'p3']) expect((await send('POST', `/orchestrators/LongTimer/${id}`, { body: '{"seconds":3600}' })).status).toBe(202);
    const page = await send('GET', '/instances?top=2', { headers: { origin: 'https://vscode.dev' } });
    expect(page.headers.get('x-ms-continuation-token')).toBeTruthy();
    expect(page.headers.get('access-control-expose-headers')!.split(',')).toContain('x-ms-continuation-token');
  });

  it('configured origins: only those get Allow-Origin (echoed, with Vary: Origin)', async () => {
    const { api, send } = make({ cors: { origins: ['https://vscode.dev', 'https://insiders.vscode.dev'] } });
    const ok = await preflight(api, 'https://insiders.vscode.dev');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://insiders.vscode.dev');
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    const other = await preflight(api, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const read = await send('GET', '/instances', { headers: { origin: 'https://evil.example' } });
    expect(read.status).toBe(200); // CORS is not auth: the token decides; the browser just cannot read the answer
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    expect(() => make({ cors: { origins: [''] } })).toThrow(/cors\.origins/);
  });

  it('an anonymous loopback server allows loopback origins only (not null, not other sites)', async () => {
    const { api } = make({ auth: { anonymous: true, loopbackOnly: true } });
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:5173']) {
      const res = await preflight(api, origin);
      expect(res.status, origin).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), origin).toBe(origin);
    }
    for (const origin of ['https://vscode.dev', 'null', 'http://localhost.evil.example']) {
      const res = await preflight(api, origin);
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
    const get = await api.fetch(new Request(`${BASE}/instances`, { headers: { origin: 'http://localhost:3000' } }));
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    // A sandboxed iframe on any site sends Origin: null; its simple POST must not act.
    const post = await api.fetch(new Request(`${BASE}/orchestrators/HelloSequence`, { method: 'POST', headers: { origin: 'null' } }));
    expect(post.status).toBe(403);
    expect((await api.fetch(new Request(`${BASE}/instances`))).status).toBe(200);
    expect(await (await api.fetch(new Request(`${BASE}/instances`))).json()).toEqual([]);
  });

  it('cors: false sends no CORS headers; OPTIONS is then a 405', async () => {
    const { api } = make({ cors: false });
    const res = await preflight(api, 'https://vscode.dev');
    expect(res.status).toBe(405);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('configuration', () => {
  it('management URLs use baseUrl when configured, and carry code= only with managementKey', async () => {
    let res = await make({ baseUrl: 'https://durable.example.com/' }).send('POST', '/orchestrators/HelloSequence/u1');
    let body = (await res.json()) as Json;
    expect(body.statusQueryGetUri).toBe('https://durable.example.com/runtime/webhooks/durabletask/instances/u1?taskHub=DurableFunctionsHub');
    res = await make({ managementKey: 'k3y' }).send('POST', '/orchestrators/HelloSequence/u2');
    body = (await res.json()) as Json;
    expect(new URL(body.statusQueryGetUri).searchParams.get('code')).toBe('k3y');
    expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
  });

  it('maxBodyBytes is enforced on a streamed body without Content-Length', async () => {
    const { send } = make({ maxBodyBytes: 10 });
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('"0123456789"'));
          c.close();
        },
      });
    const res = await send('POST', '/orchestrators/HelloSequence/b1', { body: stream(), duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect((await send('POST', '/orchestrators/HelloSequence/b1', { body: '"ok"' })).status).toBe(202);
  });

  it('hooks: onWrite after each accepted write, onTaskHubDeleted after a hub is deleted', async () => {
    const writes: string[] = [];
    const deleted: string[] = [];
    const { send } = make({
      hooks: {
        onWrite: (hub) => writes.push(hub),
        onTaskHubDeleted: (hub) => {
          deleted.push(hub);
        },
      },
    });
    await send('POST', '/orchestrators/Approval/h1?taskHub=HookHub');
    await send('POST', '/orchestrators/NoSuch/h2?taskHub=HookHub');
    await send('POST', '/instances/h1/raiseEvent/Approval?taskHub=HookHub', { body: 'true', headers: { 'content-type': 'application/json' } });
    expect(writes).toEqual(['HookHub', 'HookHub']);
    expect((await send('DELETE', '/taskhubs/HookHub')).status).toBe(200);
    expect(deleted).toEqual(['HookHub']);
  });
});

describe('errors', () => {
  it('an unexpected error is a 500 without details, reported to onError', async () => {
    const reported: unknown[] = [];
    const broken: Storage = {
      ...new MemoryStorage(),
      listTaskHubs: () => Promise.reject(new Error('disk on fire')),
      taskHub: (n) => new MemoryStorage().taskHub(n),
      deleteTaskHub: async () => false,
    };
    const { send } = make({ storage: broken, onError: (e) => reported.push(e) });
    const res = await send('GET', '/taskhubs');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'InternalError', message: 'Something went wrong while processing your request.' } });
    expect(String(reported[0])).toMatch(/disk on fire/);
  });

  it('core errors keep their code; a rewind of a running instance is 410 Gone', async () => {
    const { send, storage, app } = make();
    const w = new Worker(app, storage.taskHub('DurableFunctionsHub'));
    await send('POST', '/orchestrators/Approval/e1');
    await w.runUntilIdle();
    const res = await send('POST', '/instances/e1/rewind');
    expect(res.status).toBe(410);
    expect(((await res.json()) as Json).error.code).toBe('InvalidState');
  });

  it('an orchestrator app without the name answers 400 UnknownOrchestrator', async () => {
    const { send } = make({ app: new DurableApp() });
    const res = await send('POST', '/orchestrators/HelloSequence');
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.code).toBe('UnknownOrchestrator');
  });
});

describe('status payload fast path', () => {
  it('writes the same bytes as toStatusPayload(toStatus(record))', () => {
    const base: InstanceRecord = {
      instanceId: 'i-1',
      name: 'HelloSequence',
      executionId: 'e',
      runtimeStatus: 'Running',
      createdTime: '2026-01-01T00:00:00.123Z',
      lastUpdatedTime: '2026-01-02T03:04:05Z',
      version: 3,
    };
    const records: InstanceRecord[] = [
      base,
      { ...base, input: '{"a":[1,2,{"b":null}]}', output: '"done"', customStatus: '{"stage":"x"}', runtimeStatus: 'Completed' },
      {
        ...base,
        name: 'Ünïcödé "quoted" \\ name',
        instanceId: 'id with spaces 😀',
        input: '"\\u0000\\n"',
        runtimeStatus: 'Failed',
        output: '"Orchestrator function failed: boom"',
      },
      { ...base, input: '0', output: 'false', customStatus: 'null', runtimeStatus: 'Suspended' },
    ];
    for (const record of records) {
      for (const showInput of [true, false]) {
        expect(statusPayloadText(record, showInput)).toBe(JSON.stringify(toStatusPayload(toStatus(record, { showInput }))));
      }
    }
  });
});
