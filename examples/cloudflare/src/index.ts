/**
 * A Cloudflare Worker that runs its own orchestrations: the Durable Functions HTTP API under
 * /runtime/webhooks/durabletask, each task hub in a Durable Object (storage and engine).
 */
import { DurableApp, type Task } from 'edge-durable';
import { createTaskHub, createWorker } from 'edge-durable/cloudflare';

const app = new DurableApp()
  .orchestration('HelloSequence', function* (context) {
    const outputs: string[] = [];
    for (const city of ['Tokyo', 'Seattle', 'London']) outputs.push(yield context.df.callActivity('SayHello', city));
    return outputs;
  })
  .activity('SayHello', (city: string) => `Hello ${city}!`)
  // Waits for the event "Approval" (true or false), or gives up after `timeoutSeconds` on a durable timer.
  .orchestration('Approval', function* (context) {
    const { timeoutSeconds = 3600 } = (context.df.getInput() ?? {}) as { timeoutSeconds?: number };
    context.df.setCustomStatus('waiting for approval');
    const approval = context.df.waitForExternalEvent<boolean>('Approval');
    const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + timeoutSeconds * 1000));
    const winner: Task = yield context.df.Task.any([approval, timeout]);
    if (winner === timeout) return 'timed out';
    timeout.cancel();
    return approval.result === true ? 'approved' : 'rejected';
  });

// The Worker (the HTTP API) and the task-hub object (bound as TASK_HUB in wrangler.toml) share one app.
export default createWorker(app);
export const TaskHub = createTaskHub(app);
