/**
 * A task hub object reset mid-flight in real workerd: the object runs an activity whose first
 * delivery never finishes, so its 5-minute lease is held when the object is aborted. The next
 * call starts a new incarnation, which releases the old one's leases as it opens the hub: the
 * activity is delivered again at once, not when its lease lapses (nor at the 60 s backstop alarm).
 */
import { abortAllDurableObjects } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { DurableClient } from '../../core/client.js';
import { DurableObjectStorage } from '../../edge-worker/cloudflare/remote.js';
import { isolated } from './isolated.js';

it('an object reset while it runs an activity resumes the work at once in its next incarnation', async () => {
  const namespace = isolated(env.STALL_HUB);
  const client = new DurableClient({ storage: new DurableObjectStorage(namespace), taskHub: 'Stall' });
  const id = await client.startNew('Stalled');
  // The activity is running (first delivery): scheduled, not completed.
  await expect
    .poll(async () => (await client.getHistory(id)).map((e) => e.type), { timeout: 10_000, interval: 20 })
    .toEqual(expect.arrayContaining(['TaskScheduled']));
  expect((await client.getStatus(id))?.runtimeStatus).toBe('Running');

  // As an eviction, a crash or a deploy would: the object's memory and its running activity are gone, its storage stays.
  await abortAllDurableObjects();

  // Well within the activity's 5-minute lease and the object's 60 s backstop alarm.
  const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 10_000, retryIntervalInMilliseconds: 50 });
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'delivered 2' });
  const types = (await client.getHistory(id)).map((e) => e.type);
  expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(1);
  expect(types.filter((t) => t === 'TaskCompleted')).toHaveLength(1);
});
