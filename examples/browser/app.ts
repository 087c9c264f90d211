/** The orchestrations and activities of the page: an approval that waits for an event or a durable timer. */
import { DurableApp, type OrchestrationContext, type Task } from 'edge-durable';

/** Waits for the 'Approval' event or for the timeout, whichever comes first; both survive a reload. */
function* approval(context: OrchestrationContext) {
  const { seconds } = context.df.getInput<{ seconds: number }>();
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + seconds * 1000);
  const approved = context.df.waitForExternalEvent('Approval');
  const timeout = context.df.createTimer(deadline);
  const winner: Task = yield context.df.Task.any([approved, timeout]);
  if (winner === timeout) return 'timed out';
  timeout.cancel();
  const notice: string = yield context.df.callActivity('Notify', 'approved');
  return notice;
}

export const app = new DurableApp().orchestration('Approval', approval).activity('Notify', (decision: string) => `${decision}, requester notified`);
