// Seeds the backend through the HTTP API only (so the same seed works against a real server): one task hub with
// an instance in each interesting state, and a second hub to delete.
import { startBackend } from '../support/backend.ts';
import { freePort } from './driver.mjs';

export const HUB = 'orders';
export const SPARE_HUB = 'scratch';
/** The instance panel scenario's hub (panel-scenario.mjs). */
export const PANEL_HUB = 'panels';
export const READ_TOKEN = 'e2e-read';

export function api(backend) {
  const base = `${backend.endpoint}/runtime/webhooks/durabletask`;
  const headers = backend.token ? { authorization: `Bearer ${backend.token}` } : {};
  const call = async (method, route, { hub = HUB, body, query = {} } = {}) => {
    const params = new URLSearchParams({ taskHub: hub, ...query });
    const response = await fetch(`${base}/${route}?${params}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    start: (name, id, input, hub = HUB) => call('POST', `orchestrators/${name}/${encodeURIComponent(id)}`, { hub, body: input ?? null }),
    status: async (id, hub = HUB) =>
      await call('GET', `instances/${encodeURIComponent(id)}`, { hub, query: { showHistory: 'true', showHistoryOutput: 'true' } }),
    list: async (hub = HUB, query = {}) => (await call('GET', 'instances', { hub, query })).body,
    hubs: async () => (await call('GET', 'taskhubs')).body,
    waitFor: async (id, status, hub = HUB, timeout = 15000) => {
      const end = Date.now() + timeout;
      for (;;) {
        const current = await call('GET', `instances/${encodeURIComponent(id)}`, { hub });
        if (current.body?.runtimeStatus === status) return current.body;
        if (Date.now() > end) throw new Error(`${id} did not reach ${status} (is ${current.body?.runtimeStatus ?? current.status})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Instances the scenario works with; created in this order, so the tree shows them in reverse. */
export async function seed(backend) {
  const a = api(backend);
  const started = [
    ['hello-1', 'HelloSequence', null, 'Completed'],
    ['parent-1', 'ParentChild', { order: 7 }, 'Completed'],
    ['flaky-1', 'FlakyActivity', { failTimes: 1 }, 'Failed'],
    ['approval-1', 'Approval', null, 'Running'],
    ['timer-1', 'LongTimer', { seconds: 3600 }, 'Running'],
    ['batch-1', 'LongTimer', { seconds: 3600 }, 'Running'],
    ['batch-2', 'LongTimer', { seconds: 3600 }, 'Running'],
  ];
  for (const [id, name, input] of started) {
    const { status } = await a.start(name, id, input);
    if (status !== 202) throw new Error(`seeding ${id}: HTTP ${status}`);
    await new Promise((r) => setTimeout(r, 15)); // distinct creation times
  }
  for (const [id, , , status] of started) await a.waitFor(id, status);
  await a.start('HelloSequence', 'spare-1', null, SPARE_HUB);
  await a.waitFor('spare-1', 'Completed', SPARE_HUB);
  // newest first in the tree, five a page: the three opened first are on the first page
  const panels = [
    ['p-sel-1', 'LongTimer', { seconds: 3600 }, 'Running'],
    ['p-sel-2', 'LongTimer', { seconds: 3600 }, 'Running'],
    ['p-reset', 'HelloSequence', null, 'Completed'],
    ['p-running', 'LongTimer', { seconds: 3600 }, 'Running'],
    ['p-failed', 'FlakyActivity', { failTimes: 1 }, 'Failed'],
    ['p-done', 'ParentChild', { order: 8 }, 'Completed'],
  ];
  for (const [id, name, input] of panels) {
    const { status } = await a.start(name, id, input, PANEL_HUB);
    if (status !== 202) throw new Error(`seeding ${id}: HTTP ${status}`);
    await new Promise((r) => setTimeout(r, 15));
  }
  for (const [id, , , status] of panels) await a.waitFor(id, status, PANEL_HUB);
  return a;
}

/**
 * What both workbench runs start from: the backend (with a token), seeded, and the extension settings that
 * point a "Test" connection at it and an "Offline" one at a port where nothing listens.
 */
export async function scenarioBackend() {
  // a read-scope token too (DURABLE_READ_TOKEN), for the read-only connection
  const backend = await startBackend({ token: 'e2e-secret', readToken: READ_TOKEN });
  const offlineEndpoint = `http://127.0.0.1:${await freePort()}`;
  const settings = {
    'edgeDurable.connections': [
      { name: 'Test', endpoint: backend.endpoint },
      { name: 'Offline', endpoint: offlineEndpoint },
    ],
    'edgeDurable.autoRefreshIntervalSeconds': 1,
    'edgeDurable.pageSize': 5,
    'edgeDurable.requestTimeoutSeconds': 10,
  };
  return { backend, api: await seed(backend), settings, offlineEndpoint };
}
