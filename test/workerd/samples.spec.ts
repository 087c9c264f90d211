/**
 * The samples end to end in workerd: a Worker-side client talks to the `SampleHub` object
 * over RPC; the object runs the engine itself, woken by the calls and by its alarm.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DurableClient } from '../../core/client.js';
import { DurableObjectStorage } from '../../edge-worker/cloudflare/remote.js';
import { isolated } from './isolated.js';

const wait = { timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 20 };

function client(): DurableClient {
  return new DurableClient({ storage: new DurableObjectStorage(isolated(env.SAMPLE_HUB)), taskHub: 'Samples' });
}

describe('samples in workerd on the Durable Object store', () => {
  it('HelloSequence', async () => {
    const c = client();
    const id = await c.startNew('HelloSequence');
    const status = await c.waitForCompletion(id, wait);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    expect((await c.getHistory(id)).filter((e) => e.type === 'TaskCompleted')).toHaveLength(3);
  });

  it('HelloSequence started and awaited in one call; one that does not finish in time runs on', async () => {
    const c = client();
    expect(await c.startNewAndWait('HelloSequence', wait)).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    });
    await expect(c.startNewAndWait('Approval', { instanceId: 'late', input: { timeoutSeconds: 3600 }, timeoutInMilliseconds: 50 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await c.raiseEvent('late', 'Approval', true);
    expect((await c.waitForCompletion('late', wait)).output).toBe('approved');
  });

  it('FanOutFanIn', async () => {
    const c = client();
    const id = await c.startNew('FanOutFanIn', { input: 20 });
    expect((await c.waitForCompletion(id, wait)).output).toBe(2870);
  });

  it('Approval: approved by an external event', async () => {
    const c = client();
    const id = await c.startNew('Approval', { input: { timeoutSeconds: 3600 } });
    await c.waitForInstanceStart(id, wait);
    await c.raiseEvent(id, 'Approval', true);
    const status = await c.waitForCompletion(id, wait);
    expect(status).toMatchObject({ output: 'approved', customStatus: { stage: 'Approved' } });
  });

  it("Approval: times out on its durable timer, fired by the object's alarm", async () => {
    const c = client();
    const started = Date.now();
    const id = await c.startNew('Approval', { input: { timeoutSeconds: 1 } });
    const status = await c.waitForCompletion(id, wait);
    expect(status).toMatchObject({ output: 'timed out', customStatus: { stage: 'Timed out' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect((await c.getHistory(id)).map((e) => e.type)).toContain('TimerFired');
  });

  it('FlakyActivity fails, then a rewind reruns the failed activity and completes', async () => {
    const c = client();
    const id = await c.startNew('FlakyActivity', { input: { failTimes: 1 } });
    expect((await c.waitForCompletion(id, wait)).runtimeStatus).toBe('Failed');
    await c.rewind(id, 'fixed');
    const status = await c.waitForCompletion(id, wait);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'recovered' });
  });
});
