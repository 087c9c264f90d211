/**
 * The samples end to end on one storage, driven step by step on a virtual clock. Every adapter
 * family that runs in Node uses it: `runSampleScenarios('memory', () => new MemoryStorage())`.
 */
import { describe, expect, it } from 'vitest';
import type { Storage } from '../core/index.js';
import { harness } from './helpers.js';

export const HELLO_HISTORY = [
  'OrchestratorStarted',
  'ExecutionStarted',
  'TaskScheduled',
  'OrchestratorCompleted',
  'OrchestratorStarted',
  'TaskCompleted',
  'TaskScheduled',
  'OrchestratorCompleted',
  'OrchestratorStarted',
  'TaskCompleted',
  'TaskScheduled',
  'OrchestratorCompleted',
  'OrchestratorStarted',
  'TaskCompleted',
  'ExecutionCompleted',
  'OrchestratorCompleted',
];

export function runSampleScenarios(adapter: string, createStorage: () => Storage): void {
  describe(`samples on ${adapter}`, () => {
    const start = () => harness({ storage: createStorage() });

    it('HelloSequence returns the three greetings in order', async () => {
      const h = start();
      const id = await h.client.startNew('HelloSequence');
      await h.settle();
      const status = await h.client.getStatus(id, { showHistory: true });
      expect(status?.runtimeStatus).toBe('Completed');
      expect(status?.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      expect(status?.history?.map((e) => e.type)).toEqual(HELLO_HISTORY);
    });

    it('FanOutFanIn sums the squares of 1..50, each activity scheduled and completed once', async () => {
      const h = start();
      const id = await h.client.startNew('FanOutFanIn', { input: 50 });
      await h.settle();
      const status = await h.client.getStatus(id, { showHistory: true });
      expect(status?.output).toBe(42925);
      const history = status!.history!;
      expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(50);
      expect(new Set(history.filter((e) => e.type === 'TaskCompleted').map((e) => (e as { taskScheduledId: number }).taskScheduledId)).size).toBe(50);
    });

    it('ParentChild runs HelloSequence as a sub-orchestration', async () => {
      const h = start();
      const id = await h.client.startNew('ParentChild', { instanceId: 'parent' });
      await h.settle();
      expect(await h.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
      expect(await h.client.getStatus('parent:0000')).toMatchObject({ runtimeStatus: 'Completed', parentInstanceId: 'parent', name: 'HelloSequence' });
    });

    it('Approval is approved, rejected, or times out on its durable timer', async () => {
      const h = start();
      const yes = await h.client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
      const no = await h.client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
      const late = await h.client.startNew('Approval', { input: { timeoutSeconds: 3600 } });
      await h.settle();
      expect((await h.client.getStatus(yes))?.customStatus).toEqual({ stage: 'Waiting for approval', timeoutSeconds: 3600 });
      expect(await h.store.nextWakeTime()).toBe(Date.parse('2026-01-01T01:00:00Z'));
      await h.client.raiseEvent(yes, 'Approval', true);
      await h.client.raiseEvent(no, 'Approval', false);
      await h.settle();
      expect((await h.client.getStatus(yes))?.output).toBe('approved');
      expect((await h.client.getStatus(no))?.output).toBe('rejected');
      expect((await h.client.getStatus(late))?.runtimeStatus).toBe('Running');
      await h.settle({ timers: true });
      expect(await h.client.getStatus(late)).toMatchObject({ runtimeStatus: 'Completed', output: 'timed out', customStatus: { stage: 'Timed out' } });
      expect(h.clock.now()).toBe(Date.parse('2026-01-01T01:00:00Z'));
    });

    it('Counter continues as new on each Add and returns the total on Stop', async () => {
      const h = start();
      const id = await h.client.startNew('Counter', { input: 0 });
      await h.settle();
      for (const amount of [1, 2, 3]) {
        await h.client.raiseEvent(id, 'Add', amount);
        await h.settle();
      }
      const status = await h.client.getStatus(id, { showHistory: true });
      expect(status).toMatchObject({ runtimeStatus: 'Running', input: 6, customStatus: { total: 6 } });
      expect(status?.history?.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
      await h.client.raiseEvent(id, 'Stop');
      await h.settle();
      expect(await h.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: 6 });
    });

    it('Counter keeps events raised back to back across continue-as-new', async () => {
      const h = start();
      const id = await h.client.startNew('Counter', { input: 0 });
      await h.settle();
      for (let i = 0; i < 5; i++) await h.client.raiseEvent(id, 'Add', 1);
      await h.client.raiseEvent(id, 'Stop');
      await h.settle();
      expect(await h.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: 5 });
    });

    it('FlakyActivity fails, and a rewind completes it with "recovered"', async () => {
      const h = start();
      const id = await h.client.startNew('FlakyActivity', { input: { failTimes: 1 } });
      await h.settle();
      const failed = await h.client.getStatus(id);
      expect(failed?.runtimeStatus).toBe('Failed');
      expect(failed?.output).toMatch(/Flaky failure 1 of 1/);
      expect(failed?.failureDetails?.errorMessage).toMatch(/Activity function 'Flaky' failed/);
      await h.client.rewind(id, 'try again');
      await h.settle();
      const status = await h.client.getStatus(id, { showHistory: true });
      expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'recovered' });
      expect(status!.history!.map((e) => e.type)).toContain('ExecutionRewound');
      expect(status!.history!.filter((e) => e.type === 'GenericEvent').map((e) => (e as { data: string }).data)).toEqual([
        'Rewound: TaskScheduled',
        'Rewound: TaskFailed',
        'Rewound: ExecutionCompleted',
      ]);
    });

    it('LongTimer waits 30 days on a durable timer', async () => {
      const h = start();
      const id = await h.client.startNew('LongTimer', { input: { seconds: 30 * 24 * 3600 } });
      await h.settle();
      expect((await h.client.getStatus(id))?.runtimeStatus).toBe('Running');
      await h.settle({ timers: true });
      expect(await h.client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', output: 'waited 2592000 seconds' });
    });
  });
}
