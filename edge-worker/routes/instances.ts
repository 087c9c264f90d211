/**
 * Instance status, listing and purge:
 * `GET instances/{id}`, `GET instances`, `DELETE instances/{id}`, `DELETE instances`.
 * @module
 */
import { validateInstanceId } from '../../core/limits.js';
import { toStatusPayload } from '../../core/wire/payloads.js';
import { CONTINUATION_HEADER } from '../../core/wire/routes.js';
import type { Api } from '../api.js';
import { HttpError, mapErrors, mapSync } from '../errors.js';
import { bool, dateTime, integer, query, runtimeStatuses } from '../params.js';
import { statusResponse, statusTextResponse } from '../respond.js';

export function instanceRoutes(api: Api): void {
  api.route('GET', '/instances/:instanceId', 'read', async (c) => {
    const client = api.client(c);
    const instanceId = mapSync({}, () => validateInstanceId(c.req.param('instanceId')));
    const showHistory = bool(c, 'showHistory', false);
    const showHistoryOutput = bool(c, 'showHistoryOutput', false);
    const showInput = bool(c, 'showInput', true);
    const failWith500 = bool(c, 'returnInternalServerErrorOnFailure', false);
    if (!showHistory) {
      // The hot path: the payload is written from the stored JSON text, without parsing it.
      const record = await mapErrors({}, () => client.getInstanceRecord(instanceId));
      if (!record) return c.body(null, 404);
      return statusTextResponse(c, record, showInput, failWith500);
    }
    const status = await mapErrors({}, () => client.getStatus(instanceId, { showHistory, showHistoryOutput, showInput }));
    // Durable Functions answers a missing instance with an empty 404.
    if (!status) return c.body(null, 404);
    return statusResponse(c, status, { showHistoryOutput, showInput, failWith500 });
  });

  api.route('GET', '/instances', 'read', async (c) => {
    const client = api.client(c);
    const statuses = runtimeStatuses(c);
    const createdTimeFrom = dateTime(c, 'createdTimeFrom');
    const createdTimeTo = dateTime(c, 'createdTimeTo');
    const instanceIdPrefix = query(c, 'instanceIdPrefix');
    const top = integer(c, 'top', 1, 1000);
    const showInput = bool(c, 'showInput', true);
    const continuationToken = c.req.header(CONTINUATION_HEADER);
    // Only statuses this engine never produces (Canceled, Unknown) were asked for.
    if (statuses?.length === 0) return c.json([]);
    const page = await mapErrors({}, () =>
      client.listInstances({
        runtimeStatus: statuses,
        createdTimeFrom,
        createdTimeTo,
        instanceIdPrefix,
        pageSize: top,
        continuationToken,
        showInput,
      }),
    );
    const body = page.instances.map((s) => toStatusPayload(s));
    return c.json(body, 200, page.continuationToken ? { [CONTINUATION_HEADER]: page.continuationToken } : {});
  });

  api.route('DELETE', '/instances/:instanceId', 'admin', async (c) => {
    const client = api.client(c);
    // A non-terminal instance is refused with 409 (Durable Functions purges any status).
    const result = await mapErrors({}, () => client.purgeInstanceHistory(c.req.param('instanceId') ?? ''));
    return c.json(result, 200);
  });

  api.route('DELETE', '/instances', 'admin', async (c) => {
    const client = api.client(c);
    const createdTimeFrom = dateTime(c, 'createdTimeFrom');
    if (!createdTimeFrom) throw new HttpError(400, 'InvalidArgument', "Please provide value for 'createdTimeFrom' parameter.");
    const createdTimeTo = dateTime(c, 'createdTimeTo') ?? new Date(api.now()).toISOString();
    const statuses = runtimeStatuses(c);
    if (statuses?.length === 0) throw new HttpError(404, 'InstanceNotFound', 'No instances matched the filter; none were deleted.');
    const result = await mapErrors({}, () => client.purgeInstanceHistoryBy({ createdTimeFrom, createdTimeTo, runtimeStatus: statuses }));
    if (result.instancesDeleted === 0) throw new HttpError(404, 'InstanceNotFound', 'No instances matched the filter; none were deleted.');
    return c.json(result, 200);
  });
}
