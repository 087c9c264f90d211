/**
 * Your orchestrations, served by the Node host: `npx durable serve app.ts`.
 * The default export is the app; `durable serve` and `durable simulate` load it.
 */
import { DurableApp, type OrchestrationContext, type Task } from 'edge-durable';

/** Three activities in sequence; the output is their results in order. */
function* helloSequence(context: OrchestrationContext) {
  const greetings: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) greetings.push(yield context.df.callActivity('SayHello', city));
  return greetings;
}

/** Waits for the event 'Approval' (true or false), or gives up when the durable timer fires first. */
function* approval(context: OrchestrationContext) {
  const { timeoutSeconds = 3600 } = (context.df.getInput() ?? {}) as { timeoutSeconds?: number };
  context.df.setCustomStatus('waiting for approval');
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + timeoutSeconds * 1000);
  const decision = context.df.waitForExternalEvent<boolean>('Approval');
  const timeout = context.df.createTimer(deadline);
  const winner: Task = yield context.df.Task.any([decision, timeout]);
  if (winner === timeout) return 'timed out';
  timeout.cancel();
  return decision.result === true ? 'approved' : 'rejected';
}

export default new DurableApp()
  .orchestration('HelloSequence', helloSequence)
  .orchestration('Approval', approval)
  .activity('SayHello', (city: string) => `Hello ${city}!`);
