// An `extensionTestsPath` module: VS Code loads it inside the extension host and awaits run(). It may only
// require('vscode') (the web worker host has no Node modules) and reads the backend from the extension's own
// connection setting, so the same file runs under @vscode/test-web (test/e2e/web-exthost.test.mjs) and under
// @vscode/test-electron (test/electron/run.mjs). The backend must hold the seed of test/e2e/seed.mjs.
const vscode = require('vscode');

function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (error) {
    console.error(`not ok - ${name}: ${error?.stack || error}`);
    throw error;
  }
}

async function childrenByLabel(provider, node) {
  const children = await provider.getChildren(node);
  return Object.fromEntries(children.map((child) => [child.label, child]));
}

exports.run = async function run() {
  const [connection] = vscode.workspace.getConfiguration('edgeDurable').get('connections');
  console.log(`# backend from settings: ${connection?.endpoint}`);
  const extension = vscode.extensions.getExtension('edge-durable.edge-durable-explorer');
  let api;

  await step('the extension activates and returns its API', async () => {
    assert(extension, 'extension edge-durable.edge-durable-explorer not found');
    api = await extension.activate();
    assert(extension.isActive, 'extension is active');
    assert(api?.provider && api.connections, 'activate() returns { provider, connections }');
  });

  await step('every contributed command is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = extension.packageJSON.contributes.commands.map((c) => c.command);
    assert(contributed.length >= 20, `only ${contributed.length} commands contributed`);
    for (const command of contributed) assert(registered.has(command), `${command} is not registered`);
  });

  let hello;
  await step('the tree loads connections, task hubs and instances over HTTP', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.edgeDurable');
    const roots = await childrenByLabel(api.provider);
    assert(roots[connection.name], `root node ${connection.name} in ${Object.keys(roots)}`);
    const hubs = await childrenByLabel(api.provider, roots[connection.name]);
    assert(hubs.orders, `hub orders in ${Object.keys(hubs)}`);
    const instances = await childrenByLabel(api.provider, hubs.orders);
    hello = instances['hello-1'];
    assert(hello && hello.contextValue === 'instance.Completed', `hello-1 is ${hello?.contextValue}`);
    assert(instances['flaky-1'].contextValue === 'instance.Failed', 'flaky-1 is Failed');
    const episodes = await api.provider.getChildren(hello);
    assert(episodes.length === 4, `hello-1 has ${episodes.length} episodes`);
  });

  await step('Show Status opens a JSON document of the edge-durable scheme', async () => {
    await vscode.commands.executeCommand('edgeDurable.showStatus', hello);
    const editor = vscode.window.activeTextEditor;
    assert(editor, 'an editor is open');
    assert(editor.document.uri.scheme === 'edge-durable', `scheme ${editor.document.uri.scheme}`);
    assert(editor.document.languageId === 'json', `language ${editor.document.languageId}`);
    const status = JSON.parse(editor.document.getText());
    assert(status.instanceId === 'hello-1' && status.runtimeStatus === 'Completed', editor.document.getText());
  });

  await step('Copy Instance ID writes the clipboard', async () => {
    await vscode.commands.executeCommand('edgeDurable.copyInstanceId', hello);
    assert((await vscode.env.clipboard.readText()) === 'hello-1', 'clipboard holds hello-1');
  });
};
