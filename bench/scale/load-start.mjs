// The load generator of the end-to-end throughput bench, in its own process: `concurrency`
// keep-alive loops, each starting a HelloSequence over HTTP and waiting for it to complete in
// the same request (Durable Functions' `timeout` + `pollingInterval`), `total` instances in all.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const PATH = '/runtime/webhooks/durabletask';

function post(url, headers, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

process.on('message', async ({ url, token, total, concurrency, orchestrator = 'HelloSequence' }) => {
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const target = `${url}${PATH}/orchestrators/${orchestrator}?timeout=120&pollingInterval=1`;
    const headers = { authorization: `Bearer ${token}` };
    let next = 0;
    let bad = 0;
    let firstBad;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < total) {
          const res = await post(target, headers, agent);
          // A completed instance answers 200 with its output (HelloSequence's greetings).
          if (res.status !== 200 || !res.body.startsWith('["Hello')) {
            bad++;
            firstBad ??= `${res.status} ${res.body.slice(0, 200)}`;
          }
        }
      }),
    );
    const ms = performance.now() - start;
    agent.destroy();
    process.send({ ms, bad, firstBad });
  } catch (error) {
    process.send({ error: String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
