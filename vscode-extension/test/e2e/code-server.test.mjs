// E2E in code-server (VS Code 1.139 server + web UI, on Node 24): the .vsix is installed through code-server's
// CLI and the extension runs in a Node extension host.
import fs from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './driver.mjs';
import { workbenchTest } from './workbench-test.mjs';
import { startCodeServer } from './workbenches.mjs';

workbenchTest('code-server', 'edge-durable explorer in code-server', async (settings) => {
  const workbench = await startCodeServer({ settings, logFile: path.join(RESULTS_DIR, 'code-server.log') });
  // the .vsix really got installed (not loaded from the source folder)
  const installed = fs.readdirSync(workbench.extensionsDir).filter((d) => d.startsWith('edge-durable.edge-durable-explorer-'));
  if (installed.length !== 1) throw new Error(`expected the installed extension in ${workbench.extensionsDir}, found ${installed}`);
  return { ...workbench, ready: `server (with ${installed[0]})` };
});
