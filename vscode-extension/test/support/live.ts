/**
 * The set-up shared by the test files that talk to the real backend: it is started for the file
 * (beforeAll / afterAll), with an API client and status helpers. Call at the top of the file.
 */
import { afterAll, beforeAll } from 'vitest';
import { DurableHttpClient } from '../../src/wire.js';
import { type Backend, startBackend } from './backend.js';
import { eventually } from './explorer.js';

export interface LiveBackend {
  readonly backend: Backend;
  readonly client: DurableHttpClient;
  statusOf(hub: string, id: string): Promise<string>;
  waitForStatus(hub: string, id: string, status: string): Promise<unknown>;
}

export function useLiveBackend(): LiveBackend {
  let backend: Backend | undefined;
  let client: DurableHttpClient | undefined;
  beforeAll(async () => {
    backend = await startBackend();
    client = new DurableHttpClient({ endpoint: backend.endpoint, token: backend.token });
  });
  afterAll(() => backend?.close());
  const live: LiveBackend = {
    get backend() {
      return backend!;
    },
    get client() {
      return client!;
    },
    statusOf: async (hub, id) => (await live.client.getStatus(hub, id)).runtimeStatus,
    waitForStatus: (hub, id, status) => eventually(async () => (await live.statusOf(hub, id)) === status),
  };
  return live;
}
