/**
 * Task hubs (not in Durable Functions' HTTP API): `GET taskhubs` lists the hubs that hold
 * data; `DELETE taskhubs/{name}` deletes one with everything in it.
 * @module
 */
import { validateTaskHubName } from '../../core/limits.js';
import type { Api } from '../api.js';
import { HttpError, mapErrors, mapSync } from '../errors.js';

export function taskHubRoutes(api: Api): void {
  api.route('GET', '/taskhubs', 'read', async (c) => c.json(await api.storage(c).listTaskHubs()));

  api.route('DELETE', '/taskhubs/:name', 'admin', async (c) => {
    const name = mapSync({}, () => validateTaskHubName(c.req.param('name')));
    const deleted = await mapErrors({}, () => api.storage(c).deleteTaskHub(name));
    if (!deleted) throw new HttpError(404, 'TaskHubNotFound', `Task hub '${name}' does not exist (it holds no instances).`);
    await api.hooks.onTaskHubDeleted?.(name, c);
    return c.json({ taskHub: name, deleted: true });
  });
}
