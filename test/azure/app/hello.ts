import type { InvocationContext } from '@azure/functions';
import type { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import * as df from 'durable-functions';

const helloSequence: OrchestrationHandler = function* (context: OrchestrationContext) {
  const outputs: string[] = [];
  outputs.push(yield context.df.callActivity('sayHello', 'Tokyo'));
  outputs.push(yield context.df.callActivity('sayHello', 'Seattle'));
  outputs.push(yield context.df.callActivity('sayHello', 'Cairo'));
  if (!context.df.isReplaying) context.log('done');
  return outputs;
};
df.app.orchestration('helloSequence', helloSequence);

const sayHello: ActivityHandler = (input: string, context: InvocationContext): string => `Hello, ${input} (${context.functionName})`;
df.app.activity('sayHello', { handler: sayHello });
