/**
 * Instance operations: `POST instances/{id}/raiseEvent/{eventName}` and
 * `POST instances/{id}/{terminate|suspend|resume|rewind|restart}`. Operation segments match
 * case-insensitively, as in Durable Functions. A finished instance answers 410 Gone.
 * @module
 */
import type { Context } from 'hono';
import type { DurableClient } from '../../core/client.js';
import { validateInstanceId } from '../../core/limits.js';
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
