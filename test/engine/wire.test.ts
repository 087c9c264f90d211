/** The Durable Functions wire view of status and history. */
import { describe, expect, it } from 'vitest';
import * as wire from '../../core/wire/index.js';
import { harness } from '../helpers.js';

describe('wire format', () => {
  it('renders the status payload with second-precision times and null for absent fields', async () => {
    const h = harness();
    const id = await h.client.startNew('HelloSequence', { instanceId: 'w' });
    const payload = wire.toStatusPayload((await h.client.getStatus(id))!);
    expect(payload).toEqual({
      name: 'HelloSequence',
      instanceId: 'w',
      runtimeStatus: 'Pending',
      input: null,
      customStatus: null,
      output: null,
      createdTime: '2026-01-01T00:00:00Z',
      lastUpdatedTime: '2026-01-01T00:00:00Z',
    });
  });

  it('merges each scheduling row into its completion and drops episode markers', async () => {
    const h = harness();
    const id = await h.client.startNew('ParentChild', { instanceId: 'pc', input: 'x' });
    await h.settle();
    const status = (await h.client.getStatus(id, { showHistory: true, showHistoryOutput: true }))!;
    const rows = wire.toHistoryEvents(status.history!, { showHistoryOutput: true });
    expect(rows.map((r) => r.EventType)).toEqual(['ExecutionStarted', 'SubOrchestrationInstanceCompleted', 'ExecutionCompleted']);
    expect(rows[0]).toMatchObject({ FunctionName: 'ParentChild', Input: 'x' });
    expect(rows[1]).toMatchObject({ FunctionName: 'HelloSequence', InstanceId: 'pc:0000', Result: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    expect(rows[1]).toHaveProperty('ScheduledTime');
    expect(rows[2]).toMatchObject({ OrchestrationStatus: 'Completed' });
    const hidden = wire.toHistoryEvents(status.history!, { showHistoryOutput: false, showInput: false });
    expect(hidden[1]).not.toHaveProperty('Result');
    expect(hidden[0]).not.toHaveProperty('Input');
  });

  it('keeps a pending scheduled row and shows failures with their reason', async () => {
    const h = harness();
    const id = await h.client.startNew('FlakyActivity', { input: { failTimes: 1 } });
    await h.settle();
    const rows = wire.toHistoryEvents((await h.client.getStatus(id, { showHistory: true }))!.history!);
    expect(rows.find((r) => r.EventType === 'TaskFailed')).toMatchObject({ FunctionName: 'Flaky', Reason: 'Flaky failure 1 of 1' });
    const waiting = await h.client.startNew('Approval', { input: { timeoutSeconds: 60 } });
    await h.settle();
    const open = wire.toHistoryEvents((await h.client.getStatus(waiting, { showHistory: true }))!.history!);
    expect(open.map((r) => r.EventType)).toEqual(['ExecutionStarted', 'TimerCreated']);
  });
});
