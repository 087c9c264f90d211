import { runInChromium } from '/work/main/test/browser/chromium.mjs';
const hash = process.argv[2] ?? '{}';
const { report } = await runInChromium('/tmp/prof/entry.ts', { hash, timeoutMs: 600_000, onConsole: (l) => console.error(l) });
for (const r of report) console.log(JSON.stringify(r));
