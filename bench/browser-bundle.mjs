// The browser entry's size: what a web app ships that imports everything `edge-durable` exports
// and, from `edge-durable/indexeddb`, the IndexedDB store and the browser host, bundled and
// minified with esbuild for the browser, then gzipped. The package names resolve to the sources.
// The note gives the size of an app like examples/browser too, which imports only what it uses.
//
// `bench/run.mjs` calls `benchmarks()`; alone: `node bench/browser-bundle.mjs`.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const source = (relative) => fileURLToPath(new URL(relative, import.meta.url));

const WHOLE_ENTRIES = "export * from 'edge-durable';\nexport { IndexedDbStorage, startBrowserEngine } from 'edge-durable/indexeddb';\n";
const AN_APP = "export { DurableApp } from 'edge-durable';\nexport { startBrowserEngine } from 'edge-durable/indexeddb';\n";

export async function browserBundleSize(contents = WHOLE_ENTRIES) {
  const out = await build({
    stdin: {
      contents,
      resolveDir: source('..'),
      loader: 'js',
    },
    alias: { 'edge-durable': source('../core/index.ts'), 'edge-durable/indexeddb': source('../edge-worker/browser/index.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = out.outputFiles[0].contents;
  const inputs = Object.entries(Object.values(out.metafile.outputs)[0].inputs);
  const part = (test) => inputs.filter(([path]) => test(path)).reduce((sum, [, v]) => sum + v.bytesInOutput, 0);
  return {
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes).length,
    indexedDbBytes: part((p) => p.startsWith('core/store/indexeddb')),
    hostBytes: part((p) => p.startsWith('edge-worker/browser/')),
    idbBytes: part((p) => p.includes('node_modules/idb/')),
  };
}

export async function benchmarks() {
  const size = await browserBundleSize();
  const app = await browserBundleSize(AN_APP);
  return [
    {
      name: 'browser bundle: core + IndexedDB store + browser host (esbuild --minify, gzip)',
      ours: size.gzipBytes,
      peer: null,
      unit: 'bytes gzip',
      ratio: null,
      better: 'lower',
      target: '<= 32 KB gzip',
      note: `minified ${size.bytes} B, of which the IndexedDB store ${size.indexedDbBytes} B, idb ${size.idbBytes} B, the browser host ${size.hostBytes} B; an app that imports only DurableApp and startBrowserEngine: ${app.bytes} B, gzip ${app.gzipBytes} B`,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchmarks()) console.log(`${r.name}: ${r.ours} ${r.unit} (target ${r.target}); ${r.note}`);
}
