// The VS Code explorer panel's data path for a large history: fetch every page of the paged history route
// (GET instances/{id}/history, lossless events) through the extension's client adapter, build the panel's view
// page by page (table rows), render the first page of the History table as HTML, and group the whole history into
// episodes. "ours" is a 10,000-event history; "peer" is the same path over a 100-event history, measured in the
// same run, so the ratio shows how the path scales (linear would be ~100x; the first page's HTML is constant).
// The server is an in-process Hono app (no socket) serving a synthetic fan-out history.
//
// `bench/run.mjs` calls `benchmarks({ rounds })`; alone: `node --import tsx bench/explorer-panel.mjs`.

import { Hono } from 'hono';
import { DurableHttpClient } from '../core/wire/client.ts';
import { groupIntoEpisodes } from '../vscode-extension/src/history.ts';
import { InstanceView } from '../vscode-extension/src/panel/instance-view.ts';
import { mergedRows } from '../vscode-extension/src/panel/lossless.ts';
import { getHistoryPage } from '../vscode-extension/src/server-api.ts';

const PATH = '/runtime/webhooks/durabletask';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** A fan-out orchestration with `total` stored events: start, n activities scheduled, n completions, completion. */
function fanOutHistory(total) {
  const width = Math.max(1, Math.floor((total - 6) / 2));
  const at = (ms) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const events = [
    { type: 'OrchestratorStarted', eventId: -1, timestamp: at(0) },
    { type: 'ExecutionStarted', eventId: -1, timestamp: at(0), name: 'FanOut', input: '1', orchestrationInstance: { instanceId: 'big', executionId: 'e' } },
  ];
  for (let i = 0; i < width; i++) events.push({ type: 'TaskScheduled', eventId: i, timestamp: at(1), name: 'Work', input: String(i) });
  events.push({ type: 'OrchestratorCompleted', eventId: -1, timestamp: at(2) });
  for (let i = 0; i < width; i++) events.push({ type: 'TaskCompleted', eventId: -1, timestamp: at(10 + i), taskScheduledId: i, result: String(i * 2) });
  events.push({ type: 'OrchestratorStarted', eventId: -1, timestamp: at(20 + width) });
  events.push({ type: 'ExecutionCompleted', eventId: -1, timestamp: at(21 + width), orchestrationStatus: 'Completed', result: '0' });
  events.push({ type: 'OrchestratorCompleted', eventId: -1, timestamp: at(22 + width) });
  return events;
}

function app(history) {
  const hono = new Hono();
  hono.get(`${PATH}/instances/:id/history`, (c) => {
    const from = Number(c.req.query('from') ?? 0);
    const top = Math.min(Number(c.req.query('top') ?? 100), 1000);
    const events = history.slice(from, from + top);
    const next = from + events.length;
    return c.json({ events, from, total: history.length, ...(next < history.length ? { nextFrom: next } : {}) });
  });
  return hono;
}

const STATUS = {
  name: 'FanOut',
  instanceId: 'big',
  runtimeStatus: 'Completed',
  input: 1,
  customStatus: null,
  output: 0,
  createdTime: '2026-01-01T00:00:00Z',
  lastUpdatedTime: '2026-01-01T00:00:10Z',
};

/** Milliseconds from the first request to the whole history grouped, and to the first page's HTML. */
async function dataPath(server) {
  const client = new DurableHttpClient({ endpoint: 'http://panel.bench', fetch: (input, init) => server.fetch(new Request(input, init)) });
  const start = performance.now();
  const view = new InstanceView(STATUS);
  const first = await getHistoryPage(client, 'bench', 'big', { from: 0, top: 200 });
  view.addPage(first);
  const html = view.historyTableHtml();
  const firstPageMs = performance.now() - start;
  for (let from = first.nextFrom; from !== undefined; ) {
    const page = await getHistoryPage(client, 'bench', 'big', { from, top: 1000 });
    view.addPage(page);
    from = page.events.length ? page.nextFrom : undefined;
  }
  const episodes = groupIntoEpisodes(mergedRows(history(view)));
  const totalMs = performance.now() - start;
  if (!html.includes('data-position="1"') || episodes.length < 2) throw new Error('the panel data path produced no table or no episodes');
  return { totalMs, firstPageMs };
}

// the view keeps the stored events privately; the bench groups what it fetched
const history = (view) => view.lossless;

export async function benchmarks({ rounds = 5 } = {}) {
  const big = app(fanOutHistory(10_000));
  const small = app(fanOutHistory(100));
  await dataPath(big); // warm-up: JIT and module initialisation out of the figures
  await dataPath(small);
  const o = [];
  const p = [];
  const firstPage = [];
  for (let r = 0; r < Math.max(rounds, 5); r++) {
    const ours = await dataPath(big);
    o.push(ours.totalMs);
    firstPage.push(ours.firstPageMs);
    p.push((await dataPath(small)).totalMs);
  }
  const round = (x) => Math.round(x * 1000) / 1000;
  return [
    {
      name: 'explorer panel data path, 10,000 events',
      ours: round(median(o)),
      peer: round(median(p)),
      unit: 'ms',
      ratio: round(median(o) / median(p)),
      better: 'lower',
      note: `peer = the same path over 100 events; first page as HTML after ${round(median(firstPage))} ms`,
      rounds: { ours: o.map(round), peer: p.map(round) },
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchmarks());
