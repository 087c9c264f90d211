/** The HTTP-response helpers for an app's own handlers: check-status 202, and the wait that answers with the output. */
import { describe, expect, it } from 'vitest';
import { createCheckStatusResponse, waitForCompletionOrCreateCheckStatusResponse } from '../../edge-worker/check-status.js';
import { harness } from '../helpers.js';
import { CHECK_STATUS_KEYS } from './contract.case.js';

describe('check-status responses', () => {
  it('answers a check-status 202 with Location and Retry-After, from the request origin', async () => {
    const h = harness();
    const response = createCheckStatusResponse(h.client, new Request('https://app.example:8443/api/start'), 'abc');
    expect(response.status).toBe(202);
    expect(response.headers.get('Location')).toBe('https://app.example:8443/runtime/webhooks/durabletask/instances/abc?taskHub=DurableFunctionsHub');
    expect(response.headers.get('Retry-After')).toBe('10');
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(CHECK_STATUS_KEYS);
  });

  it('waits for completion or answers 202: 200 with output, 500 when failed', async () => {
    const h = harness();
    const ok = await h.client.startNew('HelloSequence');
    const bad = await h.client.startNew('FlakyActivity', { input: { failTimes: 1 } });
    const slow = await h.client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
    await h.settle();
    const done = await waitForCompletionOrCreateCheckStatusResponse(h.client, undefined, ok, { timeoutInMilliseconds: 1000, retryIntervalInMilliseconds: 100 });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const failed = await waitForCompletionOrCreateCheckStatusResponse(h.client, undefined, bad, {
      timeoutInMilliseconds: 1000,
      retryIntervalInMilliseconds: 100,
    });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ runtimeStatus: 'Failed', instanceId: bad });
    const pending = waitForCompletionOrCreateCheckStatusResponse(h.client, undefined, slow, { timeoutInMilliseconds: 1000, retryIntervalInMilliseconds: 500 });
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 0));
      h.clock.advance(500);
    }
    expect((await pending).status).toBe(202);
    await expect(
      waitForCompletionOrCreateCheckStatusResponse(h.client, undefined, ok, { timeoutInMilliseconds: 100, retryIntervalInMilliseconds: 200 }),
    ).rejects.toMatchObject({ name: 'InvalidArgumentError' });
  });
});
