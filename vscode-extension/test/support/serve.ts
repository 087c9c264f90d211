/**
 * Runs the test backend (the real edge-durable Node host, throwaway data dir) for manual checks:
 * `npx tsx test/support/serve.ts [port]` (default 7071); EDGE_DURABLE_TOKEN sets its admin token.
 */
import { startRealServer } from './backend.js';

void startRealServer({ token: process.env.EDGE_DURABLE_TOKEN || undefined }, Number(process.argv[2] ?? 7071)).then((backend) => {
  console.log(`edge-durable API on ${backend.endpoint}`);
  const stop = () => void backend.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
