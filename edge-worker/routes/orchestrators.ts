/**
 * `POST orchestrators/{functionName}/{instanceId?}` starts an instance (optionally waiting
 * for it); `GET orchestrators` lists the registered orchestrator names (not in Durable Functions).
 * @module
 */
import { validateInstanceId } from '../../core/limits.js';
import type { Api } from '../api.js';
import { readJson } from '../body.js';
import { mapErrors, mapSync } from '../errors.js';
import { waitOrCheckStatus, waitRequest } from '../respond.js';

export function orchestratorRoutes(api: Api): void {
  api.route('GET', '/orchestrators', 'read', (c) => c.json(api.app.orchestratorNames.map((name) => ({ name }))));

  api.route('POST', '/orchestrators/:functionName/:instanceId?', 'admin', async (c) => {
    const client = api.client(c);
    const name = c.req.param('functionName') ?? '';
    const requestedId = c.req.param('instanceId');
    // Everything is validated before the instance is created: a rejected request changes nothing.
    const instanceId = mapSync({}, () => (requestedId === undefined ? undefined : validateInstanceId(requestedId)));
    const wait = waitRequest(api, c);
    const input = await readJson(c.req.raw, api.maxBodyBytes);
    const id = await mapErrors({}, () => client.startNew(name, { input, instanceId }));
    api.hooks.onWrite?.(client.taskHubName, c);
    return waitOrCheckStatus(api, c, client, id, wait);
  });
}
