// A Node host (SQLite in a fresh data directory, the samples) in its own process, for the
// scale benchmarks: it reports its URL to the parent, and on request its CPU time and memory.
//   fork('bench/scale/host.mjs', [dataDir], { execArgv: ['--import', 'tsx'] })
import { startNodeServer } from '../../edge-worker/node/server.ts';
import { registerSamples } from '../../samples/index.ts';

const dataDir = process.argv[2];
const host = await startNodeServer({ app: registerSamples(), port: 0, dataDir, adminToken: 'bench-admin', log: () => undefined });
process.on('message', async (m) => {
  if (m === 'usage') {
    if (global.gc) global.gc();
    process.send({ cpu: process.cpuUsage(), memory: process.memoryUsage() });
  } else if (m === 'close') {
    await host.close();
    process.send({ closed: true });
    process.exit(0);
  }
});
process.on('disconnect', () => host.close().then(() => process.exit(0)));
process.send({ url: host.url });
