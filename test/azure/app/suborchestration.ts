import type { OrchestrationContext } from 'durable-functions';
import * as df from 'durable-functions';

// The child's first attempt fails in its activity; the parent's retry policy runs it again.
const calls = new Map<string, number>();

df.app.activity('flakyStep', {
  handler: (key: string) => {
    const n = (calls.get(key) ?? 0) + 1;
    calls.set(key, n);
    if (n === 1) throw new Error('transient failure');
    return `step ok after ${n} calls`;
  },
});

df.app.orchestration('flakyChild', function* (context: OrchestrationContext) {
  return yield context.df.callActivity('flakyStep', context.df.getInput<string>());
});

df.app.orchestration('parentWithRetry', function* (context: OrchestrationContext) {
  const retry = new df.RetryOptions(20, 3);
  const child: string = yield context.df.callSubOrchestratorWithRetry('flakyChild', retry, context.df.instanceId);
  return { child };
});
