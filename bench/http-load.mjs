// The load generator of bench/http.mjs, in its own process so that the server's CPU time
// is its own: N concurrent keep-alive loops of GET requests, a fixed number in all.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const agents = new Map();
function get(url, headers, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
  });
}

process.on('message', async ({ url, headers, total, concurrency }) => {
  try {
    let agent = agents.get(url);
    if (!agent) agents.set(url, (agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })));
    let next = 0;
    let bad = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < total) if ((await get(url, headers, agent)) !== 200) bad++;
      }),
    );
    process.send({ ms: performance.now() - start, bad });
  } catch (error) {
    process.send({ error: String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
