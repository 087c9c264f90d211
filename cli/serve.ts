/**
 * `durable serve <app module>`: the Node host (the HTTP API, a worker per task hub, SQLite in
 * the data directory) running the user's app, until SIGINT or SIGTERM. The options are
 * `npm start`'s, with the same environment variables as defaults.
 *
 * Everything that can be wrong with the input is found before anything starts: the module and
 * its registrations, the options, the optional peers and the port. The data directory is
 * created only once the port is bound.
 * @module
 */

import { resolve } from 'node:path';
import { isDurableError } from '../core/errors.js';
import { WEBHOOK_PATH } from '../core/wire/routes.js';
import { parsePort, settingsFromEnv } from '../edge-worker/node/env.js';
import { MissingPeerError } from '../edge-worker/node/peer.js';
import { flag, str } from './args.js';
import type { Command } from './command.js';
import { loadAzureFunctionsApp } from './durable-functions.js';
import { failedError, usageError } from './errors.js';
import { loadApp } from './load-app.js';

function option<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

export const serve: Command = {
  name: 'serve',
  summary: "Run the Node host (HTTP API, workers, SQLite) with your app's orchestrations.",
  synopsis: '(<app module> | --durable-functions <files or globs>...) [--port N] [--host HOST] [--token TOKEN] [--read-token TOKEN] [--data-dir DIR]',
  description: `The module must export a DurableApp (default export or \`app\`; TypeScript modules are loaded through tsx). With --durable-functions, the arguments are the files of an Azure Functions app written for durable-functions 3.x: their imports of durable-functions and @azure/functions resolve to edge-durable, their HTTP triggers are served under /api/ and the Durable Functions HTTP API under ${WEBHOOK_PATH}, on one port. Prints the URL and serves until SIGINT or SIGTERM, then finishes the work in flight and exits 0. Without a token it serves anonymously, from loopback only. Needs the packages @hono/node-server and better-sqlite3 (and tsx for a .ts module).`,
  positionals: [
    { name: 'app module', description: 'Path of the module exporting the app; with --durable-functions, the function files (paths or globs).', rest: true },
  ],
  options: {
    'durable-functions': {
      type: 'boolean',
      description: 'Serve an Azure Functions app (durable-functions 3.x, @azure/functions 4.x) from the files given, imports untouched.',
    },
    port: { type: 'string', value: 'N', description: 'Port to listen on; 0 picks a free one (env PORT; default 7071).' },
    host: { type: 'string', value: 'HOST', description: 'Address to bind (env HOST; default 127.0.0.1). Other than loopback needs --token.' },
    token: { type: 'string', value: 'TOKEN', description: 'Admin bearer token (env DURABLE_TOKEN).' },
    'read-token': { type: 'string', value: 'TOKEN', description: 'Read-only bearer token (env DURABLE_READ_TOKEN).' },
    'data-dir': { type: 'string', value: 'DIR', description: 'Where the SQLite store lives (env DURABLE_DATA_DIR; default .data).' },
  },
  backend: false,
  examples: [
    'durable serve ./app.ts',
    'durable serve ./app.ts --port 8080 --data-dir ./state',
    "durable serve --durable-functions 'src/functions/*.js'",
    'DURABLE_TOKEN=s3cret durable serve ./dist/app.js --host 0.0.0.0',
  ],
  async run(ctx) {
    const azure = flag(ctx.values, 'durable-functions');
    const [modulePath] = ctx.positionals;
    if (!azure && !modulePath) throw usageError('serve needs the app module.', 'For example: durable serve ./app.ts');
    if (!azure && ctx.positionals.length > 1) {
      throw usageError(
        `Unexpected argument '${ctx.positionals[1]}'.`,
        'serve takes one app module; pass --durable-functions to serve the files of an Azure Functions app.',
      );
    }
    const env = option(() => settingsFromEnv(ctx.io.env));
    const portText = str(ctx.values, 'port');
    const settings = {
      ...env,
      port: portText === undefined ? env.port : option(() => parsePort(portText, '--port')),
      host: str(ctx.values, 'host') ?? env.host,
      adminToken: str(ctx.values, 'token') ?? env.adminToken,
      readToken: str(ctx.values, 'read-token') ?? env.readToken,
      dataDir: resolve(ctx.io.cwd, str(ctx.values, 'data-dir') ?? env.dataDir),
    };
    const loaded = azure ? await loadAzureFunctionsApp(ctx, ctx.positionals) : { app: await loadApp(ctx, modulePath!), routes: undefined, httpTriggers: [] };
    const { app, routes } = loaded;

    const { startNodeServer } = await import('../edge-worker/node/server.js');
    const { bannerLines, untilStopped } = await import('../edge-worker/node/banner.js');
    const log = (line: string) => ctx.out(`${line}\n`);
    let server: Awaited<ReturnType<typeof startNodeServer>>;
    try {
      server = await startNodeServer({ ...settings, app, routes, log });
    } catch (error) {
      if (error instanceof MissingPeerError) throw failedError(error.message, `Install it next to your app, then run durable serve again.`);
      if ((error as { code?: string }).code === 'EADDRINUSE') {
        throw failedError(`port ${settings.port} is in use; pass --port or stop the other process.`, 'durable serve ./app.ts --port 0 picks a free port.');
      }
      if (isDurableError(error, 'InvalidArgument')) throw usageError(error.message, 'Pass --token (or set DURABLE_TOKEN), or --host 127.0.0.1.');
      if (isDurableError(error, 'StoreInUse')) {
        throw failedError(error.message, 'Stop the other host first, or pass another --data-dir. durable … --store works beside a running host.');
      }
      throw error;
    }
    const banner = bannerLines(server, { dataDir: settings.dataDir, token: settings.adminToken, orchestrator: app.orchestratorNames[0] });
    // One write: whoever reads the URL from the output reads the triggers with it.
    log([...banner, ...loaded.httpTriggers.map((trigger) => `HTTP trigger: ${trigger.replace(' /', ` ${server.url}/`)}`)].join('\n'));
    await untilStopped(log, ctx.io.stopSignal);
    await server.close();
    log('Stopped.');
  },
};
