/**
 * The sample orchestrations. Tests, the HTTP API, the CLI and the extension use them by name.
 * @module
 */
import { DurableApp, type OrchestrationContext, type Task } from '../core/index.js';

export function* HelloSequence(context: OrchestrationContext) {
  const outputs: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) outputs.push(yield context.df.callActivity('SayHello', city));
  return outputs;
}

export function* FanOutFanIn(context: OrchestrationContext) {
  const n = Number(context.df.getInput() ?? 0);
  if (!Number.isInteger(n) || n < 0) throw new Error(`FanOutFanIn needs a non-negative integer input; got ${JSON.stringify(context.df.getInput())}.`);
  const squares: number[] = yield context.df.Task.all(Array.from({ length: n }, (_, i) => context.df.callActivity('Square', i + 1)));
  return squares.reduce((sum, x) => sum + x, 0);
}

export function* Approval(context: OrchestrationContext) {
  const { timeoutSeconds = 3600 } = (context.df.getInput() ?? {}) as { timeoutSeconds?: number };
  context.df.setCustomStatus({ stage: 'Waiting for approval', timeoutSeconds });
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + timeoutSeconds * 1000);
  const approval = context.df.waitForExternalEvent<boolean>('Approval');
  const timeout = context.df.createTimer(deadline);
  const winner: Task = yield context.df.Task.any([approval, timeout]);
  if (winner === timeout) {
    context.df.setCustomStatus({ stage: 'Timed out' });
    return 'timed out';
  }
  timeout.cancel();
  const approved = approval.result === true;
  context.df.setCustomStatus({ stage: approved ? 'Approved' : 'Rejected' });
  return approved ? 'approved' : 'rejected';
}

/** Eternal: each "Add" (amount, default 1) continues as new with the new total; "Stop" returns it. */
export function* Counter(context: OrchestrationContext) {
  const total = Number(context.df.getInput() ?? 0);
  const add = context.df.waitForExternalEvent<number>('Add');
  const stop = context.df.waitForExternalEvent('Stop');
  const winner: Task = yield context.df.Task.any([add, stop]);
  if (winner === stop) return total;
  const next = total + (typeof add.result === 'number' ? add.result : 1);
  // A Stop that came in the same episode, after the Add, ends the counter here.
  if (stop.isCompleted) return next;
  context.df.setCustomStatus({ total: next });
  context.df.continueAsNew(next, true);
  return undefined;
}

export function* ParentChild(context: OrchestrationContext) {
  const child: string[] = yield context.df.callSubOrchestrator('HelloSequence');
  return child;
}

export function* FlakyActivity(context: OrchestrationContext) {
  const { failTimes = 0 } = (context.df.getInput() ?? {}) as { failTimes?: number };
  return (yield context.df.callActivity('Flaky', { failTimes })) as string;
}

export function* LongTimer(context: OrchestrationContext) {
  const { seconds = 60 } = (context.df.getInput() ?? {}) as { seconds?: number };
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + seconds * 1000));
  return `waited ${seconds} seconds`;
}

/** Registers the samples and their activities on an app (a new one by default). */
export function registerSamples(app = new DurableApp()): DurableApp {
  // Per-instance call counts for FlakyActivity: the k first calls fail.
  const flakyCalls = new Map<string, number>();
  return app
    .orchestration('HelloSequence', HelloSequence)
    .orchestration('FanOutFanIn', FanOutFanIn)
    .orchestration('Approval', Approval)
    .orchestration('Counter', Counter)
    .orchestration('ParentChild', ParentChild)
    .orchestration('FlakyActivity', FlakyActivity)
    .orchestration('LongTimer', LongTimer)
    .activity('SayHello', (city: string) => `Hello ${city}!`)
    .activity('Square', (x: number) => x * x)
    .activity('Flaky', ({ failTimes }: { failTimes: number }, { instanceId }) => {
      const calls = (flakyCalls.get(instanceId) ?? 0) + 1;
      flakyCalls.set(instanceId, calls);
      if (calls <= failTimes) throw new Error(`Flaky failure ${calls} of ${failTimes}`);
      return 'recovered';
    });
}

export const SAMPLE_NAMES = ['HelloSequence', 'FanOutFanIn', 'Approval', 'Counter', 'ParentChild', 'FlakyActivity', 'LongTimer'] as const;
