/// <reference types="node" />
/** examples/browser in real Chromium, bundled with the package's import names aliased to the sources. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { servePage } from './chromium.mjs';
import { describeBrowserExample } from './example-scenario.js';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

describeBrowserExample('examples/browser (sources)', () =>
  servePage(path('../../examples/browser/main.ts'), {
    alias: { 'edge-durable': path('../../core/index.ts'), 'edge-durable/indexeddb': path('../../edge-worker/browser/index.ts') },
    html: readFileSync(path('../../examples/browser/index.html'), 'utf8'),
  }),
);
