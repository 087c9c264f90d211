/** Runs the fake backend standalone for manual checks: `npx tsx test/support/serve-fake.ts [port]` (default 7071). */
import { startFakeServer } from './backend';

void startFakeServer({ token: process.env.EDGE_DURABLE_TOKEN }, Number(process.argv[2] ?? 7071)).then((backend) => {
  console.log(`fake edge-durable API on ${backend.endpoint}`);
});
