/**
 * The HTTP backend the api, tree, command and e2e tests talk to. Everything about it is in this one file, so
 * that switching to the real server is one change:
 *   - set EDGE_DURABLE_ENDPOINT (and EDGE_DURABLE_TOKEN if the server needs one) to test a running server, or
 *   - replace `startFakeServer(options)` in `startBackend` with the programmatic start of /work/main/edge-worker.
 *
 * Until then, `startFakeServer` is a small in-memory engine behind node:http that speaks the Durable Functions
 * wire format (routes, status codes, PascalCase merged `historyEvents`, continuation tokens, CORS for the web
 * extension host). Orchestrators are generator functions; time is real time, processed lazily on each request,
 * so running instances progress, timers fire and activities take `activityMs`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: string;
}

export interface BackendOptions {
  /** Requests without `Authorization: Bearer <token>` get 401. */
  token?: string;
  /** How long each fake activity takes. */
  activityMs?: number;
}

export interface Backend {
  endpoint: string;
  token: string | undefined;
  /** True when the tests run against EDGE_DURABLE_ENDPOINT instead of the in-process fake. */
  external: boolean;
  /** Requests the fake received (always empty for an external server: assert on state, not on these). */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const endpoint = process.env.EDGE_DURABLE_ENDPOINT;
  if (endpoint) {
    const token = process.env.EDGE_DURABLE_TOKEN || undefined;
    if (options.token && !token) throw new Error('This test needs a server with a token: set EDGE_DURABLE_TOKEN.');
    // a real server has one token for every client; tests that want "no token" build their client without it
    return { endpoint: endpoint.replace(/\/+$/, ''), token, external: true, requests: [], close: async () => {} };
  }
  return startFakeServer(options);
}

// ---------------------------------------------------------------------------------------------------------------
// The fake engine

type Action =
  | { type: 'activity'; name: string; input: unknown }
  | { type: 'all'; actions: Action[] }
  | { type: 'timer'; ms: number }
  | { type: 'event'; names: string[] }
  | { type: 'sub'; name: string; input: unknown };

type Orchestrator = (input: any) => Generator<Action, unknown, any>;

const activity = (name: string, input: unknown): Action => ({ type: 'activity', name, input });

export const SAMPLE_ORCHESTRATORS: Record<string, Orchestrator> = {
  *HelloSequence() {
    const results: unknown[] = [];
    for (const city of ['Tokyo', 'Seattle', 'London']) results.push(yield activity('SayHello', city));
    return results;
  },
  *FanOutFanIn(input) {
    const n = typeof input === 'number' ? input : Number(input?.n ?? 3);
    const results: number[] = yield { type: 'all', actions: Array.from({ length: n }, (_, i) => activity('Work', i)) };
    return results.reduce((a, b) => a + b, 0);
  },
  *Approval() {
    const { data } = yield { type: 'event', names: ['Approval'] };
    return data === false ? 'rejected' : 'approved';
  },
  *Counter(input) {
    let count = Number(input?.start ?? 0);
    for (;;) {
      const { name, data } = yield { type: 'event', names: ['Increment', 'Stop'] };
      if (name === 'Stop') return count;
      count += typeof data === 'number' ? data : 1;
    }
  },
  *ParentChild(input) {
    const child = yield { type: 'sub', name: 'HelloSequence', input };
    return { child };
  },
  *FlakyActivity(input) {
    return yield activity('Flaky', input ?? {});
  },
  *LongTimer(input) {
    yield { type: 'timer', ms: Number(input?.seconds ?? 60) * 1000 };
    return 'timer done';
  },
};

type Activity = (input: any, attempt: number) => unknown;

const ACTIVITIES: Record<string, Activity> = {
  SayHello: (city) => `Hello ${city}!`,
  Work: (i) => Number(i) * 2,
  Flaky: (input, attempt) => {
    if (attempt <= Number(input?.failTimes ?? 0)) throw new Error(`Flaky failed on attempt ${attempt}`);
    return `succeeded on attempt ${attempt}`;
  },
};

type Status = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended';
const TERMINAL: Status[] = ['Completed', 'Failed', 'Terminated'];

type Row = { EventType: string; Timestamp: string; [field: string]: unknown };
type CallResult = { ok: true; value: unknown } | { ok: false; error: Error };

interface Waiting {
  ordinals: number[];
  results: Map<number, CallResult>;
  combine: (results: CallResult[]) => CallResult;
  eventNames?: string[];
  /** Set while waiting for an external event: completes the call with the event. */
  deliver?: (result: CallResult, at: number) => void;
}

interface Instance {
  hub: string;
  id: string;
  name: string;
  input: unknown;
  status: Status;
  createdTime: number;
  lastUpdatedTime: number;
  output: unknown;
  customStatus: unknown;
  rows: Row[];
  nextEventId: number;
  /** Bumped by terminate/rewind/restart: steps scheduled for an older epoch are dropped. */
  epoch: number;
  generator: Generator<Action, unknown, any> | undefined;
  waiting: Waiting | undefined;
  /** Replay support (rewind): successful results of earlier calls, by call ordinal. */
  completedCalls: Map<number, CallResult>;
  callCounter: number;
  /** Executions of each call ordinal's activity so far (FlakyActivity fails the first N). */
  attempts: Map<string, number>;
  bufferedEvents: { name: string; data: unknown }[];
  suspendedAt: number | undefined;
  parent: { instance: Instance; ordinal: number; eventId: number } | undefined;
  /** Set on a sub-orchestration: reports its outcome to the parent's waiting call. */
  notifyParent?: (result: CallResult, at: number) => void;
}

interface Step {
  at: number;
  instance: Instance;
  epoch: number;
  run: (at: number) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

class FakeEngine {
  readonly hubs = new Map<string, Map<string, Instance>>([['default', new Map()]]);
  private steps: Step[] = [];
  private held: Step[] = [];
  private idCounter = 0;

  constructor(private readonly activityMs: number) {}

  hub(name: string, create = false): Map<string, Instance> | undefined {
    let hub = this.hubs.get(name);
    if (!hub && create) this.hubs.set(name, (hub = new Map()));
    return hub;
  }

  instance(hubName: string, id: string): Instance {
    const found = this.hub(hubName)?.get(id);
    if (!found) throw new HttpError(404, 'InstanceNotFound', `No instance with ID '${id}' in task hub '${hubName}'.`);
    return found;
  }

  /** Runs every step that is due, in time order; steps of suspended instances wait for resume. */
  advance(now = Date.now()): void {
    for (;;) {
      this.steps.sort((a, b) => a.at - b.at);
      const next = this.steps[0];
      if (!next || next.at > now) return;
      this.steps.shift();
      if (next.epoch !== next.instance.epoch) continue;
      if (next.instance.status === 'Suspended') {
        this.held.push(next);
        continue;
      }
      next.run(next.at);
    }
  }

  start(hubName: string, name: string, input: unknown, id: string | undefined, at = Date.now()): Instance {
    const orchestrator = SAMPLE_ORCHESTRATORS[name];
    if (!orchestrator) throw new HttpError(400, 'OrchestratorNotFound', `The function '${name}' doesn't exist or is not an orchestrator.`);
    const hub = this.hub(hubName, true)!;
    const instanceId = id || `${(++this.idCounter).toString(16).padStart(4, '0')}${Math.random().toString(16).slice(2, 14)}`;
    const existing = hub.get(instanceId);
    if (existing && !TERMINAL.includes(existing.status)) {
      throw new HttpError(409, 'InstanceAlreadyExists', `An instance with ID '${instanceId}' already exists and is ${existing.status}.`);
    }
    if (existing) existing.epoch++;
    const instance: Instance = {
      hub: hubName, id: instanceId, name, input, status: 'Pending', createdTime: at, lastUpdatedTime: at,
      output: null, customStatus: null, rows: [], nextEventId: 0, epoch: 0, generator: undefined, waiting: undefined,
      completedCalls: new Map(), callCounter: 0, attempts: new Map(), bufferedEvents: [], suspendedAt: undefined, parent: undefined,
    };
    hub.delete(instanceId); // re-insert: a restarted instance moves to the end of the server order
    hub.set(instanceId, instance);
    this.schedule(instance, at + 5, (t) => {
      instance.status = 'Running';
      this.addRow(instance, t, { EventType: 'ExecutionStarted', Name: name, Input: input });
      instance.generator = orchestrator(input);
      this.resume(instance, { ok: true, value: undefined }, t);
    });
    return instance;
  }

  raiseEvent(instance: Instance, name: string, data: unknown, at = Date.now()): void {
    this.requireActive(instance);
    this.addRow(instance, at, { EventType: 'EventRaised', Name: name, Input: data });
    instance.bufferedEvents.push({ name, data });
    this.deliverEvents(instance, at);
  }

  terminate(instance: Instance, reason: string, at = Date.now()): void {
    this.requireActive(instance);
    instance.epoch++;
    instance.generator = undefined;
    instance.waiting = undefined;
    this.addRow(instance, at, { EventType: 'ExecutionTerminated', Input: reason });
    this.addRow(instance, at, { EventType: 'ExecutionCompleted', OrchestrationStatus: 'Terminated', Result: reason });
    this.finish(instance, 'Terminated', reason, at);
  }

  suspend(instance: Instance, reason: string, at = Date.now()): void {
    this.requireActive(instance);
    if (instance.status === 'Suspended') return;
    this.addRow(instance, at, { EventType: 'ExecutionSuspended', Input: reason });
    instance.status = 'Suspended';
    instance.suspendedAt = at;
  }

  resume(instance: Instance, result: CallResult, at: number): void {
    if (!instance.generator) return;
    let step: IteratorResult<Action, unknown>;
    try {
      step = result.ok ? instance.generator.next(result.value) : instance.generator.throw(result.error);
    } catch (error) {
      this.fail(instance, error as Error, at);
      return;
    }
    if (step.done) {
      this.addRow(instance, at, { EventType: 'ExecutionCompleted', OrchestrationStatus: 'Completed', Result: step.value });
      this.finish(instance, 'Completed', step.value, at);
      return;
    }
    this.call(instance, step.value, at);
  }

  resumeSuspended(instance: Instance, reason: string, at = Date.now()): void {
    this.requireActive(instance);
    if (instance.status !== 'Suspended') return;
    this.addRow(instance, at, { EventType: 'ExecutionResumed', Input: reason });
    instance.status = instance.generator ? 'Running' : 'Pending';
    const pausedFor = at - (instance.suspendedAt ?? at);
    instance.suspendedAt = undefined;
    const mine = this.held.filter((s) => s.instance === instance);
    this.held = this.held.filter((s) => s.instance !== instance);
    for (const s of mine) this.steps.push({ ...s, at: s.at + pausedFor });
    this.deliverEvents(instance, at);
  }

  /** Re-runs a failed instance: earlier successful calls replay from memory, failed ones run again. */
  rewind(instance: Instance, reason: string, at = Date.now()): void {
    if (instance.status !== 'Failed') {
      if (TERMINAL.includes(instance.status)) throw new HttpError(410, 'InstanceGone', `Instance '${instance.id}' is ${instance.status}; only failed instances can be rewound.`);
      throw new HttpError(409, 'InvalidInstanceState', `Instance '${instance.id}' is ${instance.status}; only failed instances can be rewound.`);
    }
    instance.epoch++;
    this.addRow(instance, at, { EventType: 'ExecutionRewound', Reason: reason });
    instance.status = 'Running';
    instance.lastUpdatedTime = at;
    instance.callCounter = 0;
    instance.waiting = undefined;
    instance.generator = SAMPLE_ORCHESTRATORS[instance.name]!(instance.input);
    this.resume(instance, { ok: true, value: undefined }, at);
  }

  purge(instance: Instance): void {
    if (!TERMINAL.includes(instance.status)) {
      throw new HttpError(409, 'InvalidInstanceState', `Instance '${instance.id}' is ${instance.status}; only completed, failed or terminated instances can be purged.`);
    }
    instance.epoch++;
    this.hub(instance.hub)!.delete(instance.id);
  }

  private requireActive(instance: Instance): void {
    if (TERMINAL.includes(instance.status)) {
      throw new HttpError(410, 'InstanceGone', `Instance '${instance.id}' is ${instance.status}.`);
    }
  }

  private call(instance: Instance, action: Action, at: number): void {
    const actions = action.type === 'all' ? action.actions : [action];
    const ordinals = actions.map(() => instance.callCounter++);
    const waiting: Waiting = {
      ordinals,
      results: new Map(),
      combine: (results) => {
        const failed = results.find((r) => !r.ok);
        if (failed) return failed;
        const values = results.map((r) => (r as { value: unknown }).value);
        return { ok: true, value: action.type === 'all' ? values : values[0] };
      },
    };
    instance.waiting = waiting;
    actions.forEach((a, i) => {
      const ordinal = ordinals[i]!;
      const replayed = instance.completedCalls.get(ordinal);
      if (replayed) waiting.results.set(ordinal, replayed);
      else this.startCall(instance, a, ordinal, at);
    });
    this.completeIfReady(instance, waiting, at);
  }

  private startCall(instance: Instance, action: Action, ordinal: number, at: number): void {
    const epoch = instance.epoch;
    const done = (result: CallResult, t: number) => {
      if (instance.epoch !== epoch) return;
      if (result.ok) instance.completedCalls.set(ordinal, result);
      instance.waiting?.results.set(ordinal, result);
      if (instance.waiting) this.completeIfReady(instance, instance.waiting, t);
    };
    switch (action.type) {
      case 'activity': {
        const eventId = instance.nextEventId++;
        this.addRow(instance, at, { EventType: 'TaskScheduled', EventId: eventId, Name: action.name, Input: action.input });
        this.schedule(instance, at + this.activityMs, (t) => {
          const key = `${ordinal}`;
          const attempt = (instance.attempts.get(key) ?? 0) + 1;
          instance.attempts.set(key, attempt);
          try {
            const value = ACTIVITIES[action.name]!(action.input, attempt);
            this.addRow(instance, t, { EventType: 'TaskCompleted', TaskScheduledId: eventId, Result: value });
            done({ ok: true, value }, t);
          } catch (error) {
            const message = (error as Error).message;
            this.addRow(instance, t, {
              EventType: 'TaskFailed', TaskScheduledId: eventId, Reason: message, Details: null,
              FailureDetails: { ErrorType: 'Error', ErrorMessage: message, StackTrace: null },
            });
            done({ ok: false, error: new Error(`Activity '${action.name}' failed: ${message}`) }, t);
          }
        });
        break;
      }
      case 'timer': {
        const eventId = instance.nextEventId++;
        const fireAt = new Date(at + action.ms).toISOString();
        this.addRow(instance, at, { EventType: 'TimerCreated', EventId: eventId, FireAt: fireAt });
        this.schedule(instance, at + action.ms, (t) => {
          this.addRow(instance, t, { EventType: 'TimerFired', TimerId: eventId, FireAt: fireAt });
          done({ ok: true, value: undefined }, t);
        });
        break;
      }
      case 'event': {
        instance.waiting!.eventNames = action.names;
        // resolved by deliverEvents when a matching event is (or already was) raised
        instance.waiting!.deliver = done;
        this.deliverEvents(instance, at);
        break;
      }
      case 'sub': {
        const eventId = instance.nextEventId++;
        const childId = `${instance.id}:${eventId}`;
        this.addRow(instance, at, { EventType: 'SubOrchestrationInstanceCreated', EventId: eventId, Name: action.name, InstanceId: childId, Input: action.input });
        const child = this.start(instance.hub, action.name, action.input, childId, at);
        child.parent = { instance, ordinal, eventId };
        child.notifyParent = (result, t) => {
          if (result.ok) {
            this.addRow(instance, t, { EventType: 'SubOrchestrationInstanceCompleted', TaskScheduledId: eventId, Result: result.value });
          } else {
            this.addRow(instance, t, {
              EventType: 'SubOrchestrationInstanceFailed', TaskScheduledId: eventId, Reason: result.error.message,
              FailureDetails: { ErrorType: 'OrchestrationFailure', ErrorMessage: result.error.message },
            });
          }
          done(result, t);
        };
        break;
      }
      case 'all':
        throw new Error('nested all() is not supported by the fake');
    }
  }

  private deliverEvents(instance: Instance, at: number): void {
    const waiting = instance.waiting;
    if (!waiting?.eventNames || !waiting.deliver || instance.status === 'Suspended') return;
    const index = instance.bufferedEvents.findIndex((e) => waiting.eventNames!.includes(e.name));
    if (index < 0) return;
    const [event] = instance.bufferedEvents.splice(index, 1);
    const deliver = waiting.deliver;
    waiting.deliver = undefined;
    deliver({ ok: true, value: { name: event!.name, data: event!.data } }, at);
  }

  private completeIfReady(instance: Instance, waiting: Waiting, at: number): void {
    if (instance.waiting !== waiting || waiting.ordinals.some((o) => !waiting.results.has(o))) return;
    instance.waiting = undefined;
    this.resume(instance, waiting.combine(waiting.ordinals.map((o) => waiting.results.get(o)!)), at);
  }

  private fail(instance: Instance, error: Error, at: number): void {
    this.addRow(instance, at, {
      EventType: 'ExecutionCompleted', OrchestrationStatus: 'Failed', Result: error.message,
      FailureDetails: { ErrorType: error.name || 'Error', ErrorMessage: error.message },
    });
    instance.generator = undefined;
    this.finish(instance, 'Failed', error.message, at);
  }

  private finish(instance: Instance, status: Status, output: unknown, at: number): void {
    instance.status = status;
    instance.output = output;
    instance.lastUpdatedTime = at;
    if (instance.notifyParent) {
      const result: CallResult =
        status === 'Completed' ? { ok: true, value: output } : { ok: false, error: new Error(`Sub-orchestration '${instance.name}' ${status.toLowerCase()}: ${String(output)}`) };
      instance.notifyParent(result, at);
    }
  }

  private schedule(instance: Instance, at: number, run: (at: number) => void): void {
    this.steps.push({ at, instance, epoch: instance.epoch, run });
  }

  private addRow(instance: Instance, at: number, row: Omit<Row, 'Timestamp'>): void {
    instance.rows.push({ ...row, Timestamp: new Date(at).toISOString() } as Row);
    instance.lastUpdatedTime = Math.max(instance.lastUpdatedTime, at);
  }
}

/** DF's HTTP view of history: scheduled rows merged into their completions, bookkeeping fields removed. */
export function mergedHistory(rows: readonly Row[], options: { showInput: boolean; showHistoryOutput: boolean }): Row[] {
  const scheduled = new Map<number, Row>();
  const mergedIds = new Set<number>();
  for (const row of rows) {
    if ((row.EventType === 'TaskScheduled' || row.EventType === 'SubOrchestrationInstanceCreated') && typeof row.EventId === 'number') {
      scheduled.set(row.EventId, row);
    }
  }
  const out: Row[] = [];
  for (const row of rows) {
    const copy: Row = { ...row };
    const source = typeof row.TaskScheduledId === 'number' ? scheduled.get(row.TaskScheduledId) : undefined;
    if (source && /^(TaskCompleted|TaskFailed|SubOrchestrationInstanceCompleted|SubOrchestrationInstanceFailed)$/.test(row.EventType)) {
      copy.FunctionName = source.Name;
      copy.ScheduledTime = source.Timestamp;
      copy.Input = source.Input;
      if (source.InstanceId !== undefined) copy.InstanceId = source.InstanceId;
      mergedIds.add(row.TaskScheduledId as number);
    }
    out.push(copy);
  }
  return out
    .filter((row) => !((row.EventType === 'TaskScheduled' || row.EventType === 'SubOrchestrationInstanceCreated') && mergedIds.has(row.EventId as number)))
    .map((row) => {
      const clean: Row = { ...row };
      if (clean.EventType === 'ExecutionStarted') {
        clean.FunctionName = clean.Name;
        delete clean.Name;
      }
      delete clean.EventId;
      delete clean.TaskScheduledId;
      delete clean.TimerId;
      if (!options.showInput) delete clean.Input;
      if (!options.showHistoryOutput && (clean.EventType === 'TaskCompleted' || clean.EventType === 'ExecutionCompleted' || clean.EventType === 'SubOrchestrationInstanceCompleted')) {
        delete clean.Result;
      }
      return clean;
    });
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP layer

const BASE = '/runtime/webhooks/durabletask/';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function statusPayload(instance: Instance, options: { showInput: boolean; showHistory: boolean; showHistoryOutput: boolean }) {
  return {
    name: instance.name,
    instanceId: instance.id,
    runtimeStatus: instance.status,
    input: options.showInput ? instance.input : null,
    customStatus: instance.customStatus,
    output: instance.output,
    createdTime: iso(instance.createdTime),
    lastUpdatedTime: iso(instance.lastUpdatedTime),
    ...(options.showHistory && instance.status !== 'Pending' ? { historyEvents: mergedHistory(instance.rows, options) } : {}),
  };
}

function checkStatus(base: string, hub: string, id: string) {
  const q = `?taskHub=${encodeURIComponent(hub)}`;
  const inst = `${base}instances/${encodeURIComponent(id)}`;
  return {
    id,
    statusQueryGetUri: `${inst}${q}`,
    sendEventPostUri: `${inst}/raiseEvent/{eventName}${q}`,
    terminatePostUri: `${inst}/terminate?reason={text}&${q.slice(1)}`,
    purgeHistoryDeleteUri: `${inst}${q}`,
    restartPostUri: `${inst}/restart${q}`,
    suspendPostUri: `${inst}/suspend?reason={text}&${q.slice(1)}`,
    resumePostUri: `${inst}/resume?reason={text}&${q.slice(1)}`,
  };
}

export async function startFakeServer(options: BackendOptions, port = 0): Promise<Backend> {
  const engine = new FakeEngine(options.activityMs ?? 100);
  const requests: RecordedRequest[] = [];
  let endpoint = '';

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      // CORS: the web extension host is a browser worker on another origin
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-allow-methods', 'GET,POST,DELETE,OPTIONS');
      res.setHeader('access-control-allow-headers', 'content-type,authorization,x-ms-continuation-token');
      res.setHeader('access-control-expose-headers', 'x-ms-continuation-token,location');
      if (req.method === 'OPTIONS') {
        res.writeHead(204);
        res.end();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://fake');
      const query = Object.fromEntries(url.searchParams);
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query, authorization: req.headers.authorization, body });
      const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
        res.end(payload === undefined ? undefined : JSON.stringify(payload));
      };
      try {
        if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
          throw new HttpError(401, 'Unauthorized', req.headers.authorization ? 'The bearer token is not valid.' : 'A bearer token is required.');
        }
        if (!url.pathname.startsWith(BASE)) throw new HttpError(404, 'NotFound', `No route ${url.pathname}`);
        engine.advance();
        route(req.method ?? 'GET', url.pathname.slice(BASE.length).split('/').map(decodeURIComponent), url.searchParams, req.headers, body, send);
        engine.advance();
      } catch (error) {
        if (error instanceof HttpError) send(error.status, { error: { code: error.code, message: error.message } });
        else send(500, { error: { code: 'InternalError', message: (error as Error).stack ?? String(error) } });
      }
    });
  });

  function route(
    method: string,
    segments: string[],
    params: URLSearchParams,
    headers: http.IncomingHttpHeaders,
    body: string,
    send: (status: number, payload?: unknown, headers?: Record<string, string>) => void,
  ): void {
    const hubName = params.get('taskHub') || 'default';
    const flag = (name: string, fallback: boolean) => (params.has(name) ? params.get(name)!.toLowerCase() === 'true' : fallback);
    const reason = params.get('reason') ?? '';
    const [head, id, op, eventName] = segments;
    const parseBody = (): unknown => {
      if (!body) return null;
      try {
        return JSON.parse(body);
      } catch {
        throw new HttpError(400, 'InvalidJson', 'Invalid JSON content.');
      }
    };

    if (head === 'taskhubs' && method === 'GET' && !id) return send(200, [...engine.hubs.keys()]);
    if (head === 'taskhubs' && method === 'DELETE' && id) {
      if (!engine.hubs.delete(id)) throw new HttpError(404, 'TaskHubNotFound', `No task hub '${id}'.`);
      return send(200, { taskHub: id, deleted: true });
    }
    if (head === 'orchestrators' && method === 'GET' && !id) return send(200, Object.keys(SAMPLE_ORCHESTRATORS).map((name) => ({ name })));
    if (head === 'orchestrators' && method === 'POST' && id) {
      const instance = engine.start(hubName, id, parseBody(), op);
      return send(202, checkStatus(endpoint + BASE, hubName, instance.id), { location: checkStatus(endpoint + BASE, hubName, instance.id).statusQueryGetUri });
    }
    if (head !== 'instances') throw new HttpError(404, 'NotFound', `No route ${segments.join('/')}`);

    if (!id) {
      const hub = engine.hub(hubName);
      const statuses = params.getAll('runtimeStatus').flatMap((s) => s.split(',')).filter(Boolean);
      const from = params.get('createdTimeFrom') ? Date.parse(params.get('createdTimeFrom')!) : undefined;
      const to = params.get('createdTimeTo') ? Date.parse(params.get('createdTimeTo')!) : undefined;
      const prefix = params.get('instanceIdPrefix') ?? '';
      const matches = [...(hub?.values() ?? [])].filter(
        (i) =>
          (!statuses.length || statuses.includes(i.status)) &&
          (from === undefined || i.createdTime >= from) &&
          (to === undefined || i.createdTime <= to) &&
          i.id.startsWith(prefix),
      );
      if (method === 'GET') {
        const offset = Number(/^ct-(\d+)$/.exec(String(headers['x-ms-continuation-token'] ?? ''))?.[1] ?? 0);
        const top = Number(params.get('top') ?? 100) || 100;
        const page = matches.slice(offset, offset + top);
        const more = offset + top < matches.length;
        const showInput = flag('showInput', false);
        return send(200, page.map((i) => statusPayload(i, { showInput, showHistory: false, showHistoryOutput: false })), more ? { 'x-ms-continuation-token': `ct-${offset + top}` } : {});
      }
      if (method === 'DELETE') {
        if (from === undefined) throw new HttpError(400, 'BadRequest', "Please provide value for 'createdTimeFrom' parameter.");
        let deleted = 0;
        for (const instance of matches) {
          if (TERMINAL.includes(instance.status)) {
            engine.purge(instance);
            deleted++;
          }
        }
        return send(200, { instancesDeleted: deleted });
      }
    }

    const instance = engine.instance(hubName, id!);
    if (method === 'GET' && !op) {
      const payload = statusPayload(instance, {
        showInput: flag('showInput', true),
        showHistory: flag('showHistory', false),
        showHistoryOutput: flag('showHistoryOutput', false),
      });
      return send(TERMINAL.includes(instance.status) ? 200 : 202, payload);
    }
    if (method === 'DELETE' && !op) {
      engine.purge(instance);
      return send(200, { instancesDeleted: 1 });
    }
    if (method === 'POST') {
      switch (op) {
        case 'raiseEvent': {
          if (!String(headers['content-type'] ?? '').includes('application/json')) {
            throw new HttpError(400, 'UnsupportedContentType', 'Only application/json request content is supported.');
          }
          engine.raiseEvent(instance, eventName ?? '', parseBody());
          return send(202);
        }
        case 'terminate':
          engine.terminate(instance, reason);
          return send(202);
        case 'suspend':
          engine.suspend(instance, reason);
          return send(202);
        case 'resume':
          engine.resumeSuspended(instance, reason);
          return send(202);
        case 'rewind':
          engine.rewind(instance, reason);
          return send(202);
        case 'restart': {
          const newId = flag('restartWithNewInstanceId', true);
          const restarted = engine.start(hubName, instance.name, instance.input, newId ? undefined : instance.id);
          return send(202, checkStatus(endpoint + BASE, hubName, restarted.id));
        }
      }
    }
    throw new HttpError(404, 'NotFound', `No route ${method} ${segments.join('/')}`);
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    token: options.token,
    external: false,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
