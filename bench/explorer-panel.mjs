// The VS Code explorer panel's data path for a large history: fetch every page of the paged history route
// (GET instances/{id}/history) through the extension's adapter (vscode-extension/src/server-api.ts, the one wire
// client underneath), build the panel's view page by page (table rows), render the first page of the History table
// as HTML, then merge the rows and group the whole history into episodes (what the Timeline, Sequence and Pending
// tabs draw from). The histories are real: the samples' FanOutFanIn run by the engine over the memory store,
// started and read through the real Hono app (edge-worker createApp), in process (no socket).
// "ours" is a history of about 10,000 events; "peer" is the same path over about 100 events, in the same run, so
// the ratio shows how the path scales (linear would be ~100x; the first page's HTML is constant).
//
// `bench/run.mjs` calls `benchmarks({ rounds })`; alone: `node --import tsx bench/explorer-panel.mjs`.

import { MemoryStorage, Worker } from '../core/index.ts';
import { DurableHttpClient } from '../core/wire/client.ts';
import { createApp } from '../edge-worker/app.ts';
import { registerSamples } from '../samples/index.ts';
import { groupIntoEpisodes } from '../vscode-extension/src/history.ts';
import { InstanceView } from '../vscode-extension/src/panel/instance-view.ts';
import { getHistoryPage } from '../vscode-extension/src/server-api.ts';

const HUB = 'bench';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * A completed FanOutFanIn of `width` activities (2 events each, plus the episodes' markers), started through the
 * API and run to the end by a Worker on the same storage. Returns a client of the app and the instance's status.
 */
async function server(width) {
  const storage = new MemoryStorage();
  const app = registerSamples();
  const api = createApp({ storage, app, auth: { anonymous: true } });
  const client = new DurableHttpClient({ endpoint: 'http://panel.bench', fetch: (input, init) => Promise.resolve(api.fetch(new Request(input, init))) });
  await client.startNew(HUB, 'FanOutFanIn', width, 'big');
  await new Worker(app, storage.taskHub(HUB)).runUntilIdle();
  const status = await client.getStatus(HUB, 'big', { showInput: true });
  if (status.runtimeStatus !== 'Completed') throw new Error(`FanOutFanIn(${width}) is ${status.runtimeStatus}`);
  const { total } = await client.getHistoryPage(HUB, 'big', { top: 1 });
  return { client, status, total };
}

/** Milliseconds from the first request to the whole history grouped, and to the first page's HTML. */
async function dataPath({ client, status, total }) {
  const start = performance.now();
  const view = new InstanceView(status);
  const first = await getHistoryPage(client, HUB, 'big', { from: 0, top: 200 });
  view.addPage(first);
  const html = view.historyTableHtml();
  const firstPageMs = performance.now() - start;
  for (let from = first.nextFrom; from !== undefined; ) {
    const page = await getHistoryPage(client, HUB, 'big', { from, top: 1000 });
    view.addPage(page);
    from = page.events.length ? page.nextFrom : undefined;
  }
  const episodes = groupIntoEpisodes(view.mergedRows());
  const totalMs = performance.now() - start;
  if (!view.lossless || view.events.length !== total || !html.includes('data-position="1"') || episodes.length < 2) {
    throw new Error('the panel data path did not read the whole lossless history into a table and episodes');
  }
  return { totalMs, firstPageMs };
}

export async function benchmarks({ rounds = 5 } = {}) {
  const big = await server(4995);
  const small = await server(45);
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
      name: `explorer panel data path, ${big.total.toLocaleString('en-US')} events`,
      ours: round(median(o)),
      peer: round(median(p)),
      unit: 'ms',
      ratio: round(median(o) / median(p)),
      better: 'lower',
      note: `engine-made FanOutFanIn histories through createApp over the memory store; peer = the same path over ${small.total} events; first page as HTML after ${round(median(firstPage))} ms`,
      rounds: { ours: o.map(round), peer: p.map(round) },
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchmarks());
