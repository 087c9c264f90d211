/**
 * Instance operations: `POST instances/{id}/raiseEvent/{eventName}` and
 * `POST instances/{id}/{terminate|suspend|resume|rewind|restart}`, and (beyond Durable Functions)
 * `POST instances/{id}/reset`. Operation segments match case-insensitively, as in Durable
 * Functions. A finished instance answers 410 Gone; a reset in the wrong status 409.
 * @module
 */
import type { Context } from 'hono';
import type { DurableClient } from '../../core/client.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { validateInstanceId } from '../../core/limits.js';
import type { ResetAccepted, ResetRequest } from '../../core/wire/payloads.js';
import type { ControlOperation } from '../../core/wire/routes.js';
import type { Api } from '../api.js';
import { readJson, requireJsonContentType } from '../body.js';
import { mapErrors, mapSync, type StatusOverrides } from '../errors.js';
import { bool, query } from '../params.js';
import { waitOrCheckStatus, waitRequest } from '../respond.js';

/** A case-insensitive route pattern for a literal segment: `rewind` → `[Rr][Ee][Ww]...`. */
export const anyCase = (word: string): string => [...word].map((ch) => (/[a-z]/i.test(ch) ? `[${ch.toUpperCase()}${ch.toLowerCase()}]` : ch)).join('');

/** The client refuses an operation on a status the matrix (core/wire/status.ts) does not accept; Durable Functions answers that with 410 Gone. */
const GONE: StatusOverrides = { InvalidState: 410 };

type Control = (client: DurableClient, instanceId: string, reason: string | undefined) => Promise<void>;
const CONTROLS: Record<ControlOperation, Control> = {
  terminate: (client, id, reason) => client.terminate(id, reason),
  suspend: (client, id, reason) => client.suspend(id, reason),
  resume: (client, id, reason) => client.resume(id, reason),
  rewind: (client, id, reason) => client.rewind(id, reason),
};

export function operationRoutes(api: Api): void {
  api.route('POST', `/instances/:instanceId/:operation{${anyCase('raiseEvent')}}/:eventName`, 'admin', async (c) => {
    const client = api.client(c);
    const instanceId = mapSync({}, () => validateInstanceId(c.req.param('instanceId')));
    requireJsonContentType(c.req.raw);
    const data = await readJson(c.req.raw, api.maxBodyBytes);
    await mapErrors(GONE, () => client.raiseEvent(instanceId, c.req.param('eventName')!, data));
    api.hooks.onWrite?.(client.taskHubName, c);
    return c.body(null, 202);
  });

  const controls = Object.keys(CONTROLS).map(anyCase).join('|');
  api.route('POST', `/instances/:instanceId/:operation{${controls}}`, 'admin', async (c) => {
    const client = api.client(c);
    const operation = CONTROLS[c.req.param('operation')!.toLowerCase() as ControlOperation];
    const reason = query(c, 'reason');
    await mapErrors(GONE, () => operation(client, c.req.param('instanceId')!, reason));
    api.hooks.onWrite?.(client.taskHubName, c);
    return c.body(null, 202);
  });

  api.route('POST', `/instances/:instanceId/:operation{${anyCase('restart')}}`, 'admin', (c) => restart(api, c));
  api.route('POST', `/instances/:instanceId/:operation{${anyCase('reset')}}`, 'admin', (c) => reset(api, c));
}

const RESET_FIELDS: Readonly<Record<keyof ResetRequest, string>> = {
  eventId: 'number',
  newInstanceId: 'string',
  reason: 'string',
  reapplyEvents: 'boolean',
};

/** The JSON body of a reset: an object with `eventId` and the optional fields, each of its type; anything else is named. */
function resetRequest(body: unknown): ResetRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidArgumentError('The reset body must be a JSON object like {"eventId": 5}; eventId is the 1-based row of the history to go back to.');
  for (const [key, value] of Object.entries(body)) {
    const type = RESET_FIELDS[key as keyof ResetRequest];
    if (!type) throw new InvalidArgumentError(`Unknown field '${key}' in the reset body; the fields are ${Object.keys(RESET_FIELDS).join(', ')}.`);
    if (typeof value !== type) throw new InvalidArgumentError(`The reset body's '${key}' must be a ${type}.`);
  }
  if (!('eventId' in body)) throw new InvalidArgumentError('The reset body needs eventId: the 1-based row of the history to go back to.');
  return body as ResetRequest;
}

/** Takes the instance back to a row of its history, or forks it there (see `DurableClient.reset`); 202 with the instance that continues. */
async function reset(api: Api, c: Context): Promise<Response> {
  const client = api.client(c);
  const instanceId = mapSync({}, () => validateInstanceId(c.req.param('instanceId')));
  const data = await readJson(c.req.raw, api.maxBodyBytes);
  const request = mapSync({}, () => resetRequest(data));
  const id = await mapErrors({}, () => client.reset(instanceId, request));
  api.hooks.onWrite?.(client.taskHubName, c);
  const accepted: ResetAccepted = { instanceId: id };
  return c.json(accepted, 202);
}

/**
 * Starts the instance's orchestrator again with its input: under a new ID by default
 * (`restartWithNewInstanceId=true`, as in .NET), or under the same ID once it has finished.
 * A missing instance is a 400, as in Durable Functions.
 */
async function restart(api: Api, c: Context): Promise<Response> {
  const client = api.client(c);
  const instanceId = mapSync({}, () => validateInstanceId(c.req.param('instanceId')));
  const newInstanceId = bool(c, 'restartWithNewInstanceId', true);
  const wait = waitRequest(api, c);
  const id = await mapErrors({ InstanceNotFound: 400 }, () => client.restart(instanceId, { newInstanceId }));
  api.hooks.onWrite?.(client.taskHubName, c);
  return waitOrCheckStatus(api, c, client, id, wait);
}
