import type { TaskHubNamespaceLike } from '../../edge-worker/cloudflare/remote.js';

/** Names objects per run, so that each test gets fresh hubs whatever the pool's storage isolation. */
export function isolated(namespace: TaskHubNamespaceLike<unknown>, run = crypto.randomUUID()): TaskHubNamespaceLike<unknown> {
  return { idFromName: (name) => namespace.idFromName(`${run}/${name}`), get: (id) => namespace.get(id) };
}
