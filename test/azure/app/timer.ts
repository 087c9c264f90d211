import type { OrchestrationContext } from 'durable-functions';
import * as df from 'durable-functions';

df.app.activity('quick', { handler: () => 'quick result' });

// The activity wins the race; the hour-long timer is cancelled, so the instance completes now.
df.app.orchestration('cancelledTimer', function* (context: OrchestrationContext) {
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60 * 60 * 1000));
  const work = context.df.callActivity('quick');
  const winner = yield context.df.Task.any([work, timer]);
  if (winner === work) {
    timer.cancel();
    return { winner: 'activity', result: work.result, timerCanceled: timer.isCanceled };
  }
  return { winner: 'timer' };
});
