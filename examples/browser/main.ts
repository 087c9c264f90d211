/**
 * The page: starts the engine on IndexedDB (this tab runs the Worker if no other tab of the
 * origin does), requests approvals, lists them, and approves them.
 */
import { startBrowserEngine } from 'edge-durable/indexeddb';
import { app } from './app.js';

const engine = await startBrowserEngine(app, { database: 'approvals' });
const { client } = engine;

const role = document.querySelector('#role')!;
role.textContent = 'Another tab runs the engine; this one is a client.';
void engine.elected.then((leading) => {
  if (leading) role.textContent = 'This tab runs the engine.';
});

document.querySelector<HTMLFormElement>('#request')!.addEventListener('submit', async (event) => {
  event.preventDefault();
  const seconds = Number(new FormData(event.target as HTMLFormElement).get('seconds'));
  await client.startNew('Approval', { input: { seconds } });
  await render();
});

const rows = document.querySelector('#instances')!;
async function render(): Promise<void> {
  const { instances } = await client.listInstances({ pageSize: 20 });
  rows.replaceChildren(
    ...instances.map((instance) => {
      const row = document.createElement('tr');
      for (const text of [instance.instanceId, instance.runtimeStatus, instance.createdTime.toLocaleString(), String(instance.output ?? '')]) {
        row.insertCell().textContent = text;
      }
      if (instance.runtimeStatus === 'Running') {
        const approve = document.createElement('button');
        approve.textContent = 'Approve';
        approve.onclick = async () => {
          await client.raiseEvent(instance.instanceId, 'Approval', true);
          await client.waitForCompletion(instance.instanceId);
          await render();
        };
        row.insertCell().append(approve);
      }
      return row;
    }),
  );
}

await render();
setInterval(render, 1000);
