// HTTP starters as the durable-functions v3 templates write them; imports untouched.
import { app, type HttpHandler, type HttpRequest, type HttpResponse, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

const httpStart: HttpHandler = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponse> => {
  const client = df.getClient(context);
  const body = await request.text();
  const instanceId: string = await client.startNew(request.params.orchestratorName!, { input: body ? JSON.parse(body) : undefined });
  context.log(`Started orchestration with ID = '${instanceId}'.`);
  return client.createCheckStatusResponse(request, instanceId);
};

app.http('durableOrchestrationsHttpStart', {
  route: 'orchestrators/{orchestratorName}',
  methods: ['POST'],
  extraInputs: [df.input.durableClient()],
  handler: httpStart,
});

// The sync starter: waits up to {timeout} ms (default 3000) for the result.
df.app.client.http('syncStart', {
  route: 'sync/{orchestratorName}/{timeout:int?}',
  methods: ['POST'],
  handler: async (request, client) => {
    const body = await request.text();
    const instanceId = await client.startNew(request.params.orchestratorName!, { input: body ? JSON.parse(body) : undefined });
    const timeoutInMilliseconds = request.params.timeout ? Number(request.params.timeout) : 3000;
    return client.waitForCompletionOrCreateCheckStatusResponse(request, instanceId, { timeoutInMilliseconds, retryIntervalInMilliseconds: 100 });
  },
});

// A plain HTTP function: query, headers, JSON response.
app.get('greet', {
  route: 'greet/{name:alpha}',
  handler: (request) => ({ jsonBody: { hello: request.params.name, lang: request.query.get('lang'), agent: request.headers.get('x-agent') } }),
});
