/**
 * Routes for explorers (not in Durable Functions): `GET counts` (per-status instance counts),
 * `GET instances/{id}/history` (a page of history rows), `GET scope` (what the credentials
 * presented allow, so a client can offer only what it may do).
 * @module
 */
import { validateInstanceId } from '../../core/limits.js';
import { DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE } from '../../core/store/history-page.js';
import { type ScopePayload, toHistoryPagePayload } from '../../core/wire/payloads.js';
import type { Api } from '../api.js';
import { mapErrors, mapSync } from '../errors.js';
import { bool, dateTime, integer } from '../params.js';

export function explorerRoutes(api: Api): void {
  api.route('GET', '/counts', 'read', async (c) => {
    const client = api.client(c);
    const createdTimeFrom = dateTime(c, 'createdTimeFrom');
    const createdTimeTo = dateTime(c, 'createdTimeTo');
    return c.json(await mapErrors({}, () => client.countInstances({ createdTimeFrom, createdTimeTo })));
  });

  api.route('GET', '/instances/:instanceId/history', 'read', async (c) => {
    const client = api.client(c);
    const instanceId = mapSync({}, () => validateInstanceId(c.req.param('instanceId')));
    const from = integer(c, 'from', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const top = integer(c, 'top', 1, MAX_HISTORY_PAGE) ?? DEFAULT_HISTORY_PAGE;
    const showHistoryOutput = bool(c, 'showHistoryOutput', true);
    const showInput = bool(c, 'showInput', true);
    const page = await mapErrors({}, () => client.getHistoryPage(instanceId, from, top));
    return c.json(toHistoryPagePayload(page, from, top, { showHistoryOutput, showInput }));
  });

  api.route('GET', '/scope', 'read', (c, granted) => c.json({ scope: granted } satisfies ScopePayload));
}
