import type { OrchestrationContext } from 'durable-functions';
import * as df from 'durable-functions';

// Human interaction: wait for an approval event, or give up when the timer fires first.
df.app.orchestration('approvalWorkflow', function* (context: OrchestrationContext) {
  const { timeoutMs } = context.df.getInput<{ timeoutMs: number }>();
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + timeoutMs);
  const timeout = context.df.createTimer(deadline);
  const approval = context.df.waitForExternalEvent('Approval');
  const winner = yield context.df.Task.any([approval, timeout]);
  if (winner === approval) {
    timeout.cancel();
    return approval.result ? 'approved' : 'rejected';
  }
  return 'timed out';
});
