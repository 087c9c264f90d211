import type { OrchestrationContext } from 'durable-functions';
import * as df from 'durable-functions';

// Every attempt fails; the orchestrator catches the failure once the retries are spent.
const attempts = new Map<string, number>();

df.app.activity('alwaysFails', {
  handler: (key: string) => {
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
    throw new Error(`attempt ${attempts.get(key)} failed`);
  },
});

df.app.activity('countAttempts', { handler: (key: string) => attempts.get(key) ?? 0 });

df.app.orchestration('retryGivesUp', function* (context: OrchestrationContext) {
  const retry = new df.RetryOptions(20, 3);
  try {
    yield context.df.callActivityWithRetry('alwaysFails', retry, context.df.instanceId);
    return { caught: false };
  } catch (error) {
    const attempts: number = yield context.df.callActivity('countAttempts', context.df.instanceId);
    return {
      caught: true,
      message: (error as Error).message,
      isTaskFailed: error instanceof df.TaskFailedError,
      isDurableError: error instanceof df.DurableError,
      errorType: (error as df.TaskFailedError).failureDetails?.innerFailure?.errorType ?? (error as df.TaskFailedError).failureDetails?.errorType,
      attempts,
    };
  }
});
