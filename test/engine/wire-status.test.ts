/** The operation x status matrix of core/wire/status.ts is what the client does, and what the tools offer is a part of it. */
import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../core/errors.js';
import type { RuntimeStatus } from '../../core/history.js';
import { acceptedStatuses, accepts, type InstanceOperation, offeredStatuses, offers, RUNTIME_STATUSES } from '../../core/wire/status.js';
import { type Harness, harness } from '../helpers.js';

const OPERATIONS: readonly InstanceOperation[] = ['terminate', 'suspend', 'resume', 'raiseEvent', 'rewind', 'purge', 'restart', 'reset'];

/** Puts a new instance into `status`; returns its ID. */
async function instanceIn(h: Harness, status: Exclude<RuntimeStatus, 'ContinuedAsNew'>, id: string): Promise<string> {
  if (status === 'Completed') {
    await h.client.startNew('HelloSequence', { instanceId: id });
  } else if (status === 'Failed') {
    await h.client.startNew('FlakyActivity', { instanceId: id, input: { failTimes: 100 } });
  } else {
    await h.client.startNew('Approval', { instanceId: id, input: { timeoutSeconds: 3600 } });
  }
  if (status === 'Pending') return id;
  await h.settle({ timers: status === 'Failed' });
  if (status === 'Suspended') await h.client.suspend(id);
  if (status === 'Terminated') await h.client.terminate(id);
  await h.settle();
  expect((await h.client.getStatus(id))?.runtimeStatus).toBe(status);
  return id;
}

function run(h: Harness, operation: InstanceOperation, id: string): Promise<unknown> {
  switch (operation) {
    case 'raiseEvent':
      return h.client.raiseEvent(id, 'Approval', true);
    case 'purge':
      return h.client.purgeInstanceHistory(id);
    case 'restart':
      return h.client.restart(id);
    case 'reset':
      return h.client.reset(id, { eventId: 1 });
    default:
      return h.client[operation](id);
  }
}

describe('the operation x status matrix', () => {
  it('is what the management client accepts and refuses', async () => {
    const h = harness();
    const statuses = ['Pending', 'Running', 'Suspended', 'Completed', 'Failed', 'Terminated'] as const;
    for (const status of statuses) {
      for (const operation of OPERATIONS) {
        const id = await instanceIn(h, status, `${operation}-${status}`);
        const outcome = await run(h, operation, id).then(
          () => 'accepted',
          (e: unknown) => (e instanceof InvalidStateError ? 'refused' : e),
        );
        expect([operation, status, outcome]).toEqual([operation, status, accepts(operation, status) ? 'accepted' : 'refused']);
      }
    }
  });

  it("follows Durable Functions' handler matrix, with rewind only on Failed and purge only on finished instances", () => {
    const active = ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'];
    for (const operation of ['terminate', 'suspend', 'resume', 'raiseEvent'] as const) expect(acceptedStatuses(operation)).toEqual(active);
    expect(acceptedStatuses('rewind')).toEqual(['Failed']);
    expect(acceptedStatuses('purge')).toEqual(['Completed', 'Failed', 'Terminated']);
    expect(acceptedStatuses('restart')).toEqual(RUNTIME_STATUSES);
    expect(acceptedStatuses('reset')).toEqual(RUNTIME_STATUSES.filter((s) => s !== 'Pending'));
    expect(offeredStatuses('reset')).toEqual(acceptedStatuses('reset'));
  });

  it('offers only accepted operations, and resume only where it changes something', () => {
    for (const operation of OPERATIONS) {
      for (const status of RUNTIME_STATUSES) if (offers(operation, status)) expect(accepts(operation, status)).toBe(true);
    }
    expect(accepts('resume', 'Running')).toBe(true);
    expect(offeredStatuses('resume')).toEqual(['Suspended']);
    expect(offeredStatuses('suspend')).toEqual(['Pending', 'Running', 'ContinuedAsNew']);
    expect(offeredStatuses('terminate')).toEqual(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);
  });
});
