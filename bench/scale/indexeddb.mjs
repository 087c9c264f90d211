// The IndexedDB store in Debian's Chromium at 10,000 and 100,000 instances: the listing, status
// read and count latencies of bench/scale/sqlite.mjs (the page: indexeddb.entry.ts).
//
//   node bench/scale/indexeddb.mjs [sizes]   # e.g. 10000,100000; prints JSON
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENSURE_CHROMIUM, runInChromium } from '../../test/browser/chromium.mjs';

const ENTRY = fileURLToPath(new URL('./indexeddb.entry.ts', import.meta.url));

export async function indexedDbScale(sizes = [10_000, 100_000]) {
  execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'ignore' });
  const { report, userAgent } = await runInChromium(ENTRY, { hash: JSON.stringify({ sizes }), timeoutMs: 1_200_000 });
  return { browser: /Chrome\/[\d.]+/.exec(userAgent)?.[0] ?? userAgent, results: report };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv[2]?.split(',').map(Number);
  console.log(JSON.stringify(await indexedDbScale(sizes), null, 2));
}
