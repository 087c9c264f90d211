import type { OrchestrationContext } from 'durable-functions';
import * as df from 'durable-functions';

// An eternal-orchestration counter: each 'add' event starts a new generation (continue-as-new) until the total reaches 3.
df.app.orchestration('counter', function* (context: OrchestrationContext) {
  const count = context.df.getInput<number>() ?? 0;
  context.df.setCustomStatus({ count });
  const add: number = yield context.df.waitForExternalEvent('add');
  const next = count + add;
  if (next >= 3) return next;
  context.df.continueAsNew(next);
  return undefined;
});
