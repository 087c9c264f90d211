/**
 * The Azure Functions app of test/azure/app driven over HTTP as its users drive it on Azure:
 * POST /api/orchestrators/{name}, follow statusQueryGetUri, raise events through
 * sendEventPostUri. Written once; run on the Node host (durable serve --durable-functions)
 * and in workerd (createAzureFunctionsWorker, imports aliased by the bundler).
 */
import { expect, it } from 'vitest';

interface CheckStatus {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  purgeHistoryDeleteUri: string;
}

interface Status {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
}

export interface AzureTarget {
  /** `http://host:port`, no path. */
  url: string;
  /** Headers for the management API (a token on a host that has one). */
  headers: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function azureScenarios(target: () => AzureTarget): void {
  const start = async (name: string, input?: unknown): Promise<CheckStatus> => {
    const res = await fetch(`${target().url}/api/orchestrators/${name}`, { method: 'POST', body: input === undefined ? undefined : JSON.stringify(input) });
    expect(res.status, await res.clone().text()).toBe(202);
    const body = (await res.json()) as CheckStatus;
    expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
    expect(res.headers.get('retry-after')).toBe('10');
    return body;
  };
  const status = async (links: CheckStatus): Promise<{ code: number; body: Status }> => {
    const res = await fetch(links.statusQueryGetUri, { headers: target().headers });
    return { code: res.status, body: (await res.json()) as Status };
  };
  const until = async (links: CheckStatus, done: (s: Status) => boolean, what: string): Promise<{ code: number; body: Status }> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const s = await status(links);
      if (done(s.body)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last status ${JSON.stringify(s.body)}`);
      await sleep(50);
    }
  };
  const completed = (links: CheckStatus) => until(links, (s) => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus), 'a final status');
  const raise = async (links: CheckStatus, event: string, data: unknown) => {
    const res = await fetch(links.sendEventPostUri.replace('{eventName}', event), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target().headers },
      body: JSON.stringify(data),
    });
    expect(res.status, await res.clone().text()).toBe(202);
  };

  it('HTTP starter + hello sequence: 202 check-status on this host, statusQueryGetUri answers 202 then 200 with the output', async () => {
    const links = await start('helloSequence');
    expect(new URL(links.statusQueryGetUri).origin).toBe(target().url);
    expect(new URL(links.statusQueryGetUri).pathname).toBe(`/runtime/webhooks/durabletask/instances/${links.id}`);
    expect(Object.keys(links).sort()).toEqual(
      ['id', 'purgeHistoryDeleteUri', 'restartPostUri', 'resumePostUri', 'sendEventPostUri', 'statusQueryGetUri', 'suspendPostUri', 'terminatePostUri'].sort(),
    );
    const done = await completed(links);
    expect(done.code).toBe(200);
    expect(done.body).toMatchObject({ name: 'helloSequence', instanceId: links.id, runtimeStatus: 'Completed' });
    expect(done.body.output).toEqual(['Hello, Tokyo (sayHello)', 'Hello, Seattle (sayHello)', 'Hello, Cairo (sayHello)']);
  });

  it('a retry that gives up is caught by the orchestrator: TaskFailedError after 3 attempts', async () => {
    const links = await start('retryGivesUp');
    const done = await completed(links);
    expect(done.body.runtimeStatus).toBe('Completed');
    expect(done.body.output).toMatchObject({ caught: true, isTaskFailed: true, isDurableError: true, attempts: 3 });
    expect((done.body.output as { message: string }).message).toContain('attempt 3 failed');
  });

  it('a cancelled timer does not keep the instance alive: the activity wins, the hour-long timer is cancelled', async () => {
    const links = await start('cancelledTimer');
    const done = await completed(links);
    expect(done.body.runtimeStatus).toBe('Completed');
    expect(done.body.output).toEqual({ winner: 'activity', result: 'quick result', timerCanceled: true });
  });

  it('continue-as-new with an event: each add event starts a new generation until the count reaches 3', async () => {
    const links = await start('counter', 0);
    for (const expected of [0, 1, 2]) {
      await until(links, (s) => s.runtimeStatus === 'Running' && (s.customStatus as { count?: number } | null)?.count === expected, `count ${expected}`);
      await raise(links, 'add', 1);
    }
    const done = await completed(links);
    expect(done.body).toMatchObject({ runtimeStatus: 'Completed', output: 3, input: 2 });
  });

  it('sub-orchestration with retry: the failed child is run again and its result returned', async () => {
    const links = await start('parentWithRetry');
    const done = await completed(links);
    expect(done.body.runtimeStatus).toBe('Completed');
    expect(done.body.output).toEqual({ child: 'step ok after 2 calls' });
  });

  it('the sync starter: 200 with the output when it completes in time, 202 check-status when it does not', async () => {
    const fast = await fetch(`${target().url}/api/sync/helloSequence`, { method: 'POST' });
    expect(fast.status).toBe(200);
    expect(await fast.json()).toEqual(['Hello, Tokyo (sayHello)', 'Hello, Seattle (sayHello)', 'Hello, Cairo (sayHello)']);

    const slow = await fetch(`${target().url}/api/sync/approvalWorkflow/200`, { method: 'POST', body: JSON.stringify({ timeoutMs: 60_000 }) });
    expect(slow.status).toBe(202);
    const links = (await slow.json()) as CheckStatus;
    expect(slow.headers.get('location')).toBe(links.statusQueryGetUri);
    expect((await status(links)).code).toBe(202);
    const terminated = await fetch(links.terminatePostUri.replace('{text}', 'test over'), { method: 'POST', headers: target().headers });
    expect(terminated.status).toBe(202);
    expect((await completed(links)).body.runtimeStatus).toBe('Terminated');
  });

  it('human interaction: the Approval event before the deadline approves; without it the timer ends the wait', async () => {
    const approved = await start('approvalWorkflow', { timeoutMs: 60_000 });
    await until(approved, (s) => s.runtimeStatus === 'Running', 'Running');
    await raise(approved, 'Approval', true);
    expect((await completed(approved)).body).toMatchObject({ runtimeStatus: 'Completed', output: 'approved' });

    const ignored = await start('approvalWorkflow', { timeoutMs: 300 });
    expect((await completed(ignored)).body).toMatchObject({ runtimeStatus: 'Completed', output: 'timed out' });
  });

  it('a plain HTTP function: route parameter with a constraint, query and headers; a path no route serves is 404', async () => {
    const res = await fetch(`${target().url}/api/greet/World?lang=en`, { headers: { 'x-agent': 'test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ hello: 'World', lang: 'en', agent: 'test' });
    expect((await fetch(`${target().url}/api/greet/W0rld`)).status).toBe(404);
    const wrongMethod = await fetch(`${target().url}/api/greet/World`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });
}
