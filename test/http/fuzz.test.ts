/**
 * Fuzzing the HTTP API with random and malformed requests: random methods, paths, odd
 * segments, bad JSON, invalid UTF-8, huge bodies, bad tokens and bad query values.
 * - No response is a 5xx (the one allowed 500: GET status of a Failed instance with
 *   returnInternalServerErrorOnFailure=true, which Durable Functions defines).
 * - A rejected (4xx) request changes nothing: the storage is wrapped so that every call
 *   other than a read is recorded, and a 4xx request must have made none; on top of that,
 *   instances and histories are snapshotted around each batch of rejected requests.
 * - Every 4xx has the JSON error body (except Durable Functions' empty 404 of GET status, and HEAD).
 * In-process (`app.fetch`) for volume, then a few hundred over the Node host's real socket.
 * Reproduce a run with FUZZ_SEED=<seed>; FUZZ_COUNT sets the in-process request count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableClient, MemoryStorage, type Storage, type TaskHubStore, VirtualClock, Worker } from '../../core/index.js';
import { createApp } from '../../edge-worker/app.js';
import { type NodeServer, startNodeServer } from '../../edge-worker/node/server.js';
import { registerSamples } from '../../samples/index.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const COUNT = Number(process.env.FUZZ_COUNT ?? 4000);
const SOCKET_COUNT = 300;
const BASE = '/runtime/webhooks/durabletask';
const TOKENS = { admin: 'fuzz-admin', read: 'fuzz-read' };
const MAX_BODY = 64 * 1024;
const HUBS = ['DurableFunctionsHub', 'FuzzHub'];

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}

// ---- a storage that records every call that is not a read ----

const READS = new Set(['getInstance', 'getHistory', 'queryInstances', 'nextWakeTime', 'subscribe', 'listTaskHubs', 'taskHub', 'taskHubName']);
/** Deletions that report what they did: a result of 0 or false changed nothing. */
const COUNTED = new Set(['deleteTaskHub', 'purgeInstance', 'purgeInstances']);

function recording(inner: Storage): { storage: Storage; writes: string[] } {
  const writes: string[] = [];
  const hubs = new Map<string, TaskHubStore>();
  const wrap = <T extends object>(target: T, label: string): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver) as unknown;
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(t, args);
          // A store call that fails writes nothing (the port's calls are atomic).
          if (!READS.has(key) && result instanceof Promise) {
            return result.then((done: unknown) => {
              if (!COUNTED.has(key) || done) writes.push(`${label}.${key}`);
              return done;
            });
          }
          if (!READS.has(key)) writes.push(`${label}.${key}`);
          if (key === 'taskHub') {
            const name = String(args[0]);
            let hub = hubs.get(name);
            if (!hub) hubs.set(name, (hub = wrap(result as TaskHubStore, name)));
            return hub;
          }
          return result;
        };
      },
    });
  return { storage: wrap(inner, 'storage'), writes };
}

/** Instances and histories of every hub, as JSON. */
async function snapshot(storage: Storage): Promise<string> {
  const out: unknown[] = [];
  for (const name of [...HUBS, ...(await storage.listTaskHubs())].sort()) {
    const hub = storage.taskHub(name);
    let token: string | undefined;
    do {
      const page = await hub.queryInstances({ pageSize: 1000, continuationToken: token });
      for (const r of page.instances) out.push([name, r, await hub.getHistory(r.instanceId)]);
      token = page.continuationToken;
    } while (token);
  }
  return JSON.stringify(out);
}

/** Instances in every status, made by the engine itself on a virtual clock. */
async function seed(storage: Storage): Promise<string[]> {
  const ids: string[] = [];
  for (const taskHub of HUBS) {
    const app = registerSamples();
    const clock = new VirtualClock();
    const client = new DurableClient({ storage, app, clock, taskHub });
    const worker = new Worker(app, storage.taskHub(client.taskHubName), {
      clock,
      onError: (e) => {
        throw e;
      },
    });
    const start = async (name: string, id: string, input?: unknown) => {
      ids.push(id);
      await client.startNew(name, { instanceId: id, input });
    };
    await start('HelloSequence', 'done');
    await start('FlakyActivity', 'failed', { failTimes: 1 });
    await start('Approval', 'running');
    await start('Approval', 'suspended');
    await start('Approval', 'terminated');
    await start('LongTimer', 'timer', { seconds: 60 });
    await worker.runUntilIdle();
    await client.suspend('suspended');
    await client.terminate('terminated', 'fuzz');
    await worker.runUntilIdle();
    await client.startNew('HelloSequence', { instanceId: 'pending' });
    ids.push('pending');
  }
  return [...new Set(ids)];
}

// ---- random requests ----

const ODD_SEGMENTS = [
  '',
  ' ',
  '%20',
  '%00',
  '%2F',
  '%2f',
  '%5C',
  '%23',
  '%3F',
  '%40x',
  '@x',
  '..',
  '.',
  '%',
  '%ZZ',
  '%E0%A4%A',
  '%C3%A9t%C3%A9',
  '😀',
  '%F0%9F%98%80',
  'a'.repeat(101),
  'b'.repeat(3000),
  'x%0Ay',
  'NULL',
  'null',
  'undefined',
  '-1',
  '0',
  '__proto__',
  'constructor',
  'toString',
  '*',
  '$',
  '{eventName}',
  ':id',
  '%3Cscript%3E',
];
const WORDS = [
  'instances',
  'orchestrators',
  'taskhubs',
  'openapi.json',
  'raiseEvent',
  'RAISEEVENT',
  'raiseevent',
  'terminate',
  'TERMINATE',
  'suspend',
  'resume',
  'rewind',
  'restart',
  'ReStart',
  'entities',
  'makeprimary',
  'HelloSequence',
  'Approval',
  'FlakyActivity',
  'LongTimer',
  'Counter',
  'NoSuchOrchestrator',
  'Approval',
  'DurableFunctionsHub',
  'FuzzHub',
];
const QUERY_KEYS = [
  'taskHub',
  'TASKHUB',
  'showHistory',
  'showHistoryOutput',
  'showInput',
  'returnInternalServerErrorOnFailure',
  'runtimeStatus',
  'createdTimeFrom',
  'createdTimeTo',
  'top',
  'instanceIdPrefix',
  'timeout',
  'pollingInterval',
  'reason',
  'restartWithNewInstanceId',
  'code',
  'connection',
  'continuationToken',
  '__proto__',
];
const QUERY_VALUES = [
  'true',
  'false',
  'TRUE',
  '1',
  '0',
  '',
  'maybe',
  '-1',
  '1e309',
  'NaN',
  'Infinity',
  '0.01',
  '0.05',
  '0.001',
  '1e9',
  '3',
  '1001',
  '99999999999999999999',
  '2026-01-01',
  '2026-01-01T00:00:00Z',
  '2999-12-31T23:59:59Z',
  'yesterday',
  '%ZZ',
  '%00',
  'Running',
  'Completed,Failed',
  'running',
  'Canceled',
  'Pending,,Suspended',
  'Sleeping',
  'DurableFunctionsHub',
  'FuzzHub',
  'bad hub',
  '1hub',
  'x'.repeat(60),
  'fuzz-admin',
  'fuzz-read',
  'wrong',
  'c'.repeat(2000),
  '😀',
  '%F0%9F%98%80',
];
const TOKEN_HEADERS: Record<string, string>[] = [
  { authorization: `Bearer ${TOKENS.admin}` },
  { authorization: `Bearer ${TOKENS.admin}` },
  { authorization: `Bearer ${TOKENS.admin}` },
  { authorization: `Bearer ${TOKENS.read}` },
  { authorization: 'Bearer wrong' },
  { authorization: 'Bearer ' },
  { authorization: 'Basic Zm9vOmJhcg==' },
  { authorization: `bearer ${TOKENS.admin}` },
  { authorization: `Bearer ${TOKENS.admin} extra` },
  { 'x-functions-key': TOKENS.admin },
  { 'x-functions-key': 'nope' },
  {},
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/jsonx',
  '',
];
const BODIES: (() => BodyInit | undefined)[] = [
  () => undefined,
  () => '',
  () => 'null',
  () => 'true',
  () => '42',
  () => '"text"',
  () => '{"failTimes":1}',
  () => '{"timeoutSeconds":1}',
  () => '[1,2,3]',
  () => '{',
  () => '[1,',
  () => 'undefined',
  () => 'NaN',
  () => "{'a':1}",
  () => '\u0000',
  () => ' ',
  () => '\uFEFF{}',
  () => new Uint8Array([0xff, 0xfe, 0xfd]),
  () => new Uint8Array([0x22, 0xc3, 0x28, 0x22]),
  () => `"${'x'.repeat(MAX_BODY)}"`,
  () => '['.repeat(100_000) + ']'.repeat(100_000),
  () => `{"a":"${'\\u0000'.repeat(1000)}"}`,
  () => JSON.stringify({ deep: 'x'.repeat(60_000) }),
];
const METHODS = ['GET', 'GET', 'POST', 'POST', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND'];

interface Fuzzed {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: BodyInit;
}

/** Route-shaped requests (method and path of a real route, random parameters), so that most reach deep validation. */
const TEMPLATES: [string, (seg: () => string, id: () => string) => string[]][] = [
  ['POST', (seg, id) => ['orchestrators', seg(), id()]],
  ['POST', (seg) => ['orchestrators', seg()]],
  ['GET', (_seg, id) => ['instances', id()]],
  ['GET', () => ['instances']],
  ['DELETE', (_seg, id) => ['instances', id()]],
  ['DELETE', () => ['instances']],
  ['POST', (seg, id) => ['instances', id(), 'raiseEvent', seg()]],
  ['POST', (seg, id) => ['instances', id(), seg()]],
  ['GET', () => ['taskhubs']],
  ['DELETE', (seg) => ['taskhubs', seg()]],
  ['GET', () => ['orchestrators']],
  ['GET', () => ['openapi.json']],
];

function randomRequest(rng: ReturnType<typeof prng>, origin: string, ids: readonly string[]): Fuzzed {
  const segment = () => {
    const r = rng.next();
    if (r < 0.45) return rng.pick(WORDS);
    if (r < 0.75) return rng.pick(ids);
    return rng.pick(ODD_SEGMENTS);
  };
  const id = () => (rng.chance(0.75) ? rng.pick(ids) : segment());
  let method: string;
  let segments: string[];
  if (rng.chance(0.75)) {
    const [m, path] = rng.pick(TEMPLATES);
    method = rng.chance(0.9) ? m : rng.pick(METHODS);
    segments = path(segment, id);
  } else {
    method = rng.pick(METHODS);
    segments = Array.from({ length: rng.int(6) }, segment);
  }
  const prefix = rng.chance(0.95) ? BASE : rng.pick(['', '/runtime', '/runtime/webhooks', '/RUNTIME/webhooks/durabletask', '/api']);
  const query = Array.from({ length: rng.int(4) }, () => `${rng.pick(QUERY_KEYS)}=${rng.pick(QUERY_VALUES)}`);
  const url = `${origin}${prefix}/${segments.join('/')}${rng.chance(0.1) ? '/' : ''}${query.length ? `?${query.join('&')}` : ''}`;
  const headers: Record<string, string> = { ...rng.pick(TOKEN_HEADERS) };
  const type = rng.pick(CONTENT_TYPES);
  if (type) headers['content-type'] = type;
  if (rng.chance(0.1)) headers['x-ms-continuation-token'] = rng.pick(['garbage', 'WyIyMDI2IiwieCJd', '', '%%%', btoa('["2026-01-01T00:00:00.000Z","zzz"]')]);
  const body = method === 'GET' || method === 'HEAD' ? undefined : rng.pick(BODIES)();
  return { method, url, headers, body };
}

const isAllowed500 = (f: Fuzzed, payload: unknown) =>
  /returnInternalServerErrorOnFailure=(true|TRUE|1)/.test(f.url) && (payload as { runtimeStatus?: string } | null)?.runtimeStatus === 'Failed';

/** Sends the requests one at a time; returns the count per status class. */
async function fuzz(send: (f: Fuzzed) => Promise<Response>, requests: Fuzzed[], storage: Storage, writes: string[]) {
  const counts: Record<string, number> = {};
  let batchSnapshot = await snapshot(storage);
  let batchRejectedOnly = true;
  for (const [i, f] of requests.entries()) {
    const before = writes.length;
    let res: Response;
    try {
      res = await send(f);
    } catch (error) {
      throw new Error(`request #${i} threw (seed ${SEED}): ${f.method} ${f.url}: ${String(error)}`);
    }
    const text = await res.text();
    const where = `#${i} (seed ${SEED}) ${f.method} ${f.url.slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
    counts[`${Math.floor(res.status / 100)}xx`] = (counts[`${Math.floor(res.status / 100)}xx`] ?? 0) + 1;
    counts[res.status] = (counts[res.status] ?? 0) + 1;
    let payload: unknown = null;
    try {
      payload = text ? JSON.parse(text) : null;
    } catch {
      /* checked below */
    }
    if (res.status >= 500) expect(isAllowed500(f, payload), where).toBe(true);
    if (res.status >= 400 && res.status < 500) {
      expect(writes.slice(before), `a rejected request wrote: ${where}`).toEqual([]);
      const emptyByDesign = f.method === 'HEAD' || (res.status === 404 && f.method === 'GET' && text === '');
      if (!emptyByDesign) {
        expect(res.headers.get('content-type'), where).toMatch(/^application\/json/);
        expect(payload, where).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
    } else {
      batchRejectedOnly = false;
    }
    if ((i + 1) % 100 === 0 || i === requests.length - 1) {
      const after = await snapshot(storage);
      if (batchRejectedOnly) expect(after, `batch ending at #${i} was all rejected but changed state (seed ${SEED})`).toBe(batchSnapshot);
      batchSnapshot = after;
      batchRejectedOnly = true;
    }
  }
  return counts;
}

describe(`HTTP fuzz (seed ${SEED})`, () => {
  it(`${COUNT} random requests in-process: no 5xx, rejected requests change nothing`, async () => {
    const inner = new MemoryStorage();
    const ids = await seed(inner);
    const { storage, writes } = recording(inner);
    const errors: unknown[] = [];
    const app = createApp({
      storage,
      app: registerSamples(),
      auth: { adminTokens: [TOKENS.admin], readTokens: [TOKENS.read] },
      maxBodyBytes: MAX_BODY,
      maxWaitSeconds: 1,
      onError: (e) => errors.push(e),
    });
    const rng = prng(SEED);
    const requests = Array.from({ length: COUNT }, () => randomRequest(rng, 'http://127.0.0.1:7071', ids));
    const counts = await fuzz(
      (f) => Promise.resolve(app.fetch(new Request(f.url, { method: f.method, headers: f.headers, body: f.body }))),
      requests,
      storage,
      writes,
    );
    console.log(`in-process fuzz (seed ${SEED}):`, JSON.stringify(counts));
    expect(errors).toEqual([]);
    // The generator reaches both sides: accepted requests and each kind of rejection.
    for (const status of ['2xx', '400', '401', '403', '404', '405', '413']) expect(counts[status], status).toBeGreaterThan(0);
  }, 120_000);

  describe('over the Node host socket', () => {
    let server: NodeServer;
    let storage: Storage;
    let writes: string[];
    let ids: string[];
    beforeAll(async () => {
      const inner = new MemoryStorage();
      ids = await seed(inner);
      ({ storage, writes } = recording(inner));
      // API only: no background worker, so that every storage call comes from a request.
      server = await startNodeServer({
        app: registerSamples(),
        port: 0,
        storage,
        runWorkers: false,
        auth: { adminTokens: [TOKENS.admin], readTokens: [TOKENS.read] },
        maxBodyBytes: MAX_BODY,
        maxWaitSeconds: 1,
        log: () => undefined,
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it(`${SOCKET_COUNT} random requests over 127.0.0.1: no 5xx, rejected requests change nothing`, async () => {
      const rng = prng(SEED + 1);
      const requests = Array.from({ length: SOCKET_COUNT }, () => randomRequest(rng, server.url, ids));
      const counts = await fuzz((f) => fetch(f.url, { method: f.method, headers: f.headers, body: f.body }), requests, storage, writes);
      console.log(`socket fuzz (seed ${SEED}):`, JSON.stringify(counts));
      expect(counts['5xx'] ?? 0).toBeLessThanOrEqual(counts[500] ?? 0);
    }, 120_000);
  });
});
