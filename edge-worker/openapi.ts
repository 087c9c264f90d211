/**
 * The OpenAPI 3.1 description of every route, served at `GET {base}/openapi.json`.
 * `test/http/openapi.test.ts` checks that it lists exactly the routes the app registers.
 * @module
 */
import { CONTINUATION_HEADER, WEBHOOK_PATH } from '../core/wire/routes.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string, headers?: Json): Json => ({ description, content: { 'application/json': { schema } }, headers });
const error = (description: string): Json => json(ref('Error'), description);
const q = (name: string, schema: Json, description: string, extra: Json = {}): Json => ({ name, in: 'query', required: false, schema, description, ...extra });
const bool = (name: string, dflt: boolean, description: string) => q(name, { type: 'boolean', default: dflt }, description);
const pathParam = (name: string, description: string): Json => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const header = (description: string, schema: Json = { type: 'string' }): Json => ({ description, schema });

const TASK_HUB = { $ref: '#/components/parameters/taskHub' };
const INSTANCE_ID = pathParam('instanceId', 'Instance ID: 1-100 characters; no control characters, no / \\ # ?, no leading @.');
const REASON = q('reason', { type: 'string' }, 'Reason recorded in the history.');
const TIMEOUT = q('timeout', { type: 'number', minimum: 0 }, 'Seconds to wait for completion (with pollingInterval).');
const POLLING = q('pollingInterval', { type: 'number', exclusiveMinimum: 0 }, 'Polling interval in seconds (with timeout); must not exceed timeout.');
const FAIL500 = bool('returnInternalServerErrorOnFailure', false, 'Answer a Failed instance with 500 instead of 200.');
const CHECK_STATUS_HEADERS = { Location: header('The statusQueryGetUri.'), 'Retry-After': header('Seconds: 10.') };

const COMMON_ERRORS = {
  400: error('Invalid argument (ID, query value, JSON body, unknown orchestrator).'),
  401: error('Missing or wrong token (WWW-Authenticate: Bearer).'),
  403: error('A read token on an admin route, or a refused anonymous request.'),
};

function op(summary: string, scope: 'read' | 'admin', parameters: Json[], responses: Json, extra: Json = {}): Json {
  return { summary, 'x-scope': scope, parameters: [TASK_HUB, ...parameters], responses: { ...responses, ...COMMON_ERRORS }, ...extra };
}

const control = (name: string, doc: string) =>
  op(doc, 'admin', [INSTANCE_ID, REASON], {
    202: { description: "Accepted: takes effect at the instance's next episode." },
    404: error('No such instance.'),
    410: error(name === 'rewind' ? 'The instance is not Failed.' : 'The instance has finished (Completed, Failed, Terminated).'),
  });

const STATUS_PAYLOAD = {
  type: 'object',
  required: ['name', 'instanceId', 'runtimeStatus', 'input', 'customStatus', 'output', 'createdTime', 'lastUpdatedTime'],
  properties: {
    name: { type: 'string' },
    instanceId: { type: 'string' },
    runtimeStatus: ref('RuntimeStatus'),
    input: {},
    customStatus: {},
    output: {},
    createdTime: { type: 'string', description: 'yyyy-MM-ddTHH:mm:ssZ (second precision).' },
    lastUpdatedTime: { type: 'string' },
    historyEvents: { type: 'array', items: ref('HistoryEvent') },
  },
};

const ORIGIN_URL = { type: 'string', format: 'uri' };

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'edge-durable HTTP API',
      version: '1.0.0',
      description:
        'The Durable Functions built-in HTTP management API (wire-compatible), plus task hub and orchestrator listing. Every route takes the optional taskHub query parameter.',
    },
    servers: [{ url: WEBHOOK_PATH }],
    security: [{ bearer: [] }, { functionsKey: [] }, { code: [] }],
    paths: {
      '/orchestrators': {
        get: op('List the registered orchestrators.', 'read', [], {
          200: json({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } }, 'Orchestrator names.'),
        }),
      },
      '/orchestrators/{functionName}': {
        post: op(
          'Start an instance under a random ID.',
          'admin',
          [pathParam('functionName', 'Orchestrator name.'), TIMEOUT, POLLING, FAIL500],
          START_RESPONSES,
          START_BODY,
        ),
      },
      '/orchestrators/{functionName}/{instanceId}': {
        post: op(
          'Start an instance under the given ID.',
          'admin',
          [pathParam('functionName', 'Orchestrator name.'), INSTANCE_ID, TIMEOUT, POLLING, FAIL500],
          {
            ...START_RESPONSES,
            409: error('An instance with this ID exists and has not finished.'),
          },
          START_BODY,
        ),
      },
      '/instances': {
        get: op(
          'List instances, newest first, one page at a time.',
          'read',
          [
            q(
              'runtimeStatus',
              { type: 'array', items: ref('RuntimeStatus') },
              'Comma list and/or repeated; case-insensitive. Canceled and Unknown match nothing.',
              { style: 'form', explode: true },
            ),
            q('createdTimeFrom', { type: 'string', format: 'date-time' }, 'Inclusive.'),
            q('createdTimeTo', { type: 'string', format: 'date-time' }, 'Inclusive.'),
            q('instanceIdPrefix', { type: 'string' }, 'Only IDs starting with this (then ordered by ID).'),
            q('top', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Page size.'),
            bool('showInput', true, 'Include inputs.'),
            { name: CONTINUATION_HEADER, in: 'header', required: false, schema: { type: 'string' }, description: 'The token of the previous page.' },
          ],
          { 200: json({ type: 'array', items: ref('StatusPayload') }, 'A page.', { [CONTINUATION_HEADER]: header('Present when there are more pages.') }) },
        ),
        delete: op(
          'Purge finished instances created in a time range.',
          'admin',
          [
            q('createdTimeFrom', { type: 'string', format: 'date-time' }, 'Required.', { required: true }),
            q('createdTimeTo', { type: 'string', format: 'date-time' }, 'Default: now.'),
            q('runtimeStatus', { type: 'array', items: ref('RuntimeStatus') }, 'Only Completed, Failed, Terminated (default: all three).', {
              style: 'form',
              explode: true,
            }),
          ],
          { 200: json(ref('PurgeResult'), 'Deleted.'), 404: error('Nothing matched.') },
        ),
      },
      '/instances/{instanceId}': {
        get: op(
          'Status of an instance.',
          'read',
          [
            INSTANCE_ID,
            bool('showHistory', false, 'Include historyEvents.'),
            bool('showHistoryOutput', false, 'Include results in historyEvents.'),
            bool('showInput', true, 'Include inputs.'),
            FAIL500,
          ],
          {
            200: json(ref('StatusPayload'), 'Completed, Failed or Terminated.'),
            202: json(ref('StatusPayload'), 'Pending, Running, ContinuedAsNew or Suspended.', {
              Location: header('The request URL.'),
              'Retry-After': header('Seconds: 5.'),
            }),
            404: { description: 'No such instance: empty body, as in Durable Functions.' },
            500: json(ref('StatusPayload'), 'Failed, with returnInternalServerErrorOnFailure=true.'),
          },
        ),
        delete: op('Purge a finished instance and its history.', 'admin', [INSTANCE_ID], {
          200: json(ref('PurgeResult'), 'Deleted.'),
          404: error('No such instance.'),
          409: error('The instance has not finished.'),
        }),
      },
      '/instances/{instanceId}/raiseEvent/{eventName}': {
        post: op(
          'Send an event to an instance.',
          'admin',
          [INSTANCE_ID, pathParam('eventName', 'Event name.')],
          {
            202: { description: 'Accepted.' },
            404: error('No such instance.'),
            410: error('The instance has finished.'),
            413: error('The body is larger than maxBodyBytes.'),
          },
          {
            requestBody: {
              required: false,
              description: 'Event data; Content-Type must be application/json.',
              content: { 'application/json': { schema: {} } },
            },
          },
        ),
      },
      '/instances/{instanceId}/terminate': { post: control('terminate', 'Terminate an instance.') },
      '/instances/{instanceId}/suspend': { post: control('suspend', 'Suspend an instance.') },
      '/instances/{instanceId}/resume': { post: control('resume', 'Resume a suspended instance.') },
      '/instances/{instanceId}/rewind': { post: control('rewind', 'Re-run the failed work of a Failed instance.') },
      '/instances/{instanceId}/restart': {
        post: op(
          'Start the orchestrator again with the same input.',
          'admin',
          [
            INSTANCE_ID,
            bool('restartWithNewInstanceId', true, 'Under a new random ID (default) or the same ID (the instance must have finished).'),
            TIMEOUT,
            POLLING,
            FAIL500,
          ],
          {
            ...START_RESPONSES,
            400: error('No such instance (400, as in Durable Functions), or an invalid argument.'),
            409: error('Same ID and the instance has not finished.'),
          },
        ),
      },
      '/instances/{instanceId}/reset': {
        post: op(
          "Take the instance back to a row of its history and run on from there, or fork it there into a new instance (beyond Durable Functions; as Temporal's reset).",
          'admin',
          [INSTANCE_ID],
          {
            202: json(
              { type: 'object', required: ['instanceId'], properties: { instanceId: { type: 'string' } } },
              "Accepted: the instance that continues (the fork's ID, or the same). A running instance is reset at its next episode. A sub-orchestration still running that the code creates again is adopted; the old execution's queued activities still run, their results ignored.",
            ),
            400: error('An invalid body, or an eventId out of range (the message names the valid range, 1 to the number of rows).'),
            404: error('No such instance.'),
            409: error('The instance is Pending (nothing to go back in), or the fork ID names an instance that has not finished.'),
          },
          {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['eventId'],
                    additionalProperties: false,
                    properties: {
                      eventId: {
                        type: 'integer',
                        minimum: 1,
                        description:
                          "The row to keep up to and including: its 1-based position in the instance's full history (GET instances/{instanceId}/history). Every row is valid and episodes stay whole: a row before ExecutionStarted keeps it (the orchestrator starts over); a row inside an episode keeps that episode up to the row; an OrchestratorStarted keeps the episodes before it; the ExecutionCompleted row or a later one keeps the rows just before the completion (and before a termination), so the last step runs again.",
                      },
                      newInstanceId: { type: 'string', description: 'Fork: continue in a new instance with this ID; the original is left untouched.' },
                      reason: { type: 'string', description: 'Recorded with the reset in the history.' },
                      reapplyEvents: { type: 'boolean', default: true, description: 'Deliver the events raised after the row again, in their order.' },
                    },
                  },
                },
              },
            },
          },
        ),
      },
      '/taskhubs': {
        get: op('List the task hubs that hold data.', 'read', [], { 200: json({ type: 'array', items: { type: 'string' } }, 'Hub names.') }),
      },
      '/taskhubs/{name}': {
        delete: op('Delete a task hub with all its instances.', 'admin', [pathParam('name', 'Task hub name.')], {
          200: json({ type: 'object', properties: { taskHub: { type: 'string' }, deleted: { const: true } } }, 'Deleted.'),
          404: error('No such task hub.'),
        }),
      },
      '/counts': {
        get: op(
          'Count instances per runtime status (not in Durable Functions).',
          'read',
          [
            q('createdTimeFrom', { type: 'string', format: 'date-time' }, 'Inclusive.'),
            q('createdTimeTo', { type: 'string', format: 'date-time' }, 'Inclusive.'),
          ],
          { 200: json(ref('InstanceCounts'), 'Every status, 0 when none.') },
        ),
      },
      '/instances/{instanceId}/history': {
        get: op(
          'A page of the history: one row per stored event, in order (not in Durable Functions).',
          'read',
          [
            INSTANCE_ID,
            q('from', { type: 'integer', minimum: 0, default: 0 }, '0-based position of the first row.'),
            q('top', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Rows per page.'),
            bool('showHistoryOutput', true, 'Include results.'),
            bool('showInput', true, 'Include inputs.'),
          ],
          {
            200: json(
              {
                type: 'object',
                required: ['events', 'from', 'total'],
                properties: {
                  events: { type: 'array', items: ref('HistoryEvent') },
                  from: { type: 'integer' },
                  total: { type: 'integer', description: 'Rows in the whole history.' },
                  nextFrom: { type: 'integer', description: "Present when more rows follow: the next page's from." },
                },
              },
              'A page.',
            ),
            404: error('No such instance.'),
          },
        ),
      },
      '/scope': {
        get: op('What the credentials presented allow (not in Durable Functions).', 'read', [], {
          200: json({ type: 'object', required: ['scope'], properties: { scope: { enum: ['read', 'admin', 'anonymous'] } } }, 'The scope.'),
        }),
      },
      '/openapi.json': {
        get: op('This document.', 'read', [], { 200: json({ type: 'object' }, 'OpenAPI 3.1.') }),
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Admin or read token.' },
        functionsKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        code: { type: 'apiKey', in: 'query', name: 'code' },
      },
      parameters: {
        taskHub: q(
          'taskHub',
          { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]{0,49}$', default: 'DurableFunctionsHub' },
          'Task hub; the key is matched case-insensitively.',
        ),
      },
      schemas: {
        RuntimeStatus: { type: 'string', enum: ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'] },
        StatusPayload: STATUS_PAYLOAD,
        HistoryEvent: {
          type: 'object',
          required: ['EventType', 'Timestamp'],
          properties: { EventType: { type: 'string' }, Timestamp: { type: 'string' } },
          additionalProperties: true,
        },
        CheckStatus: {
          type: 'object',
          required: ['id', 'statusQueryGetUri'],
          properties: Object.fromEntries([
            ['id', { type: 'string' }],
            ...['statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri'].map(
              (k) => [k, ORIGIN_URL],
            ),
          ]),
        },
        InstanceCounts: {
          type: 'object',
          required: ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'],
          additionalProperties: { type: 'integer', minimum: 0 },
        },
        PurgeResult: { type: 'object', required: ['instancesDeleted'], properties: { instancesDeleted: { type: 'integer' } } },
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  };
}

const START_RESPONSES: Json = {
  200: {
    description: 'With timeout: Completed → the raw output; Failed or Terminated → the status payload (Failed → 500 with returnInternalServerErrorOnFailure).',
    content: { 'application/json': { schema: {} } },
  },
  202: json(ref('CheckStatus'), 'Started (or still running after the timeout).', CHECK_STATUS_HEADERS),
  413: error('The body is larger than maxBodyBytes.'),
};
const START_BODY: Json = {
  requestBody: { required: false, description: 'Orchestration input (any JSON; empty = no input).', content: { 'application/json': { schema: {} } } },
};
