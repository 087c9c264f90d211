/**
 * `npm start`: the Node host with this repository's samples, configured from the environment
 * (see env.ts), bundled into dist/server.mjs. Prints the URL and a curl line and shuts down
 * cleanly on SIGINT/SIGTERM. Users serve their own app with `durable serve ./app.ts`.
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerSamples } from '../../samples/index.js';
import { bannerLines, untilStopped } from './banner.js';
import { settingsFromEnv } from './env.js';
import { type NodeServer, startNodeServer } from './server.js';

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<NodeServer> {
  const settings = settingsFromEnv(env);
  const server = await startNodeServer({ ...settings, app: registerSamples() });
  console.log(bannerLines(server, { dataDir: settings.dataDir, token: settings.adminToken, orchestrator: 'HelloSequence' }).join('\n'));
  void untilStopped((line) => console.log(line)).then(() =>
    server.close().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    ),
  );
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
