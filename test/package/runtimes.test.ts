/**
 * The examples as users build them from the installed package (the tarball of `npm pack`, see
 * install.ts): examples/browser bundled by esbuild and run in real Chromium, examples/cloudflare
 * bundled as wrangler does and run in real workerd. The same scenarios run against the sources in
 * test/browser/example.chromium.test.ts and test/workerd/example.test.ts.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { servePage } from '../browser/chromium.mjs';
import { describeBrowserExample } from '../browser/example-scenario.js';
import { describeCloudflareExample } from '../workerd/example-scenario.js';
import { installPackage, ROOT } from './install.js';

/** Copies an example into the installed project, where its imports resolve to node_modules/edge-durable. */
async function exampleInProject(name: string): Promise<string> {
  const { dir } = await installPackage();
  const into = join(dir, name);
  cpSync(join(ROOT, 'examples', name), into, { recursive: true });
  return into;
}

describeBrowserExample('examples/browser from the installed package', async () => {
  const example = await exampleInProject('browser');
  return servePage(join(example, 'main.ts'), { html: readFileSync(join(example, 'index.html'), 'utf8') });
});

describeCloudflareExample('examples/cloudflare from the installed package', async () => ({
  entry: join(await exampleInProject('cloudflare'), 'src', 'index.ts'),
}));
