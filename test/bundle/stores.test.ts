/**
 * The same orchestration, run on the memory store, SQLite and IndexedDB (fake-indexeddb) and
 * exported through the CLI's store backend, gives equal history bundles once times and IDs are
 * normalized. (The Durable Object store is compared over HTTP, in the contract suite.)
 */
import 'fake-indexeddb/auto';
import Database from 'better-sqlite3';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { historyAll } from '../../cli/backend.js';
import { StoreBackend } from '../../cli/backend-store.js';
import { MemoryStorage } from '../../core/index.js';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import type { Storage } from '../../core/store/port.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { type BundleBackend, exportBundle, type HistoryBundle, parseBundle } from '../../core/wire/bundle.js';
import { harness } from '../helpers.js';
import { normalizeBundle } from './normalize.js';

async function runAndExport(storage: Storage, backend: BundleBackend): Promise<HistoryBundle> {
  const h = harness({ storage });
  await h.client.startNew('ParentChild', { instanceId: 'bundle-root' });
  await h.settle({ timers: true });
  expect((await h.client.getStatus('bundle-root'))?.runtimeStatus).toBe('Completed');
  const store = new StoreBackend(storage, h.client.taskHubName, backend, backend);
  const bundle = await exportBundle({ status: (id) => store.getStatus(id, { showInput: true }), history: (id) => historyAll(store, id, 7) }, 'bundle-root', {
    source: store.source,
    exportedAt: new Date(h.clock.now()).toISOString(),
    children: true,
    notFound: (id) => new Error(`missing ${id}`),
  });
  // What is written is what is read back.
  expect(parseBundle(JSON.stringify(bundle))).toEqual(bundle);
  return bundle;
}

describe('history bundles across stores', () => {
  it('memory, SQLite and IndexedDB export equal bundles of the same run', async () => {
    const memory = await runAndExport(new MemoryStorage(), 'memory');
    const sqlite = await runAndExport(new SqliteStorage(new Database(':memory:')), 'sqlite');
    const indexeddb = await runAndExport(await IndexedDbStorage.open('bundles', { indexedDB: new IDBFactory() }), 'indexeddb');
    expect(memory.source).toEqual({ taskHub: 'DurableFunctionsHub', backend: 'memory' });
    expect(indexeddb.source.backend).toBe('indexeddb');
    expect(memory.children).toHaveLength(1);
    expect(memory.children![0]!.history.length).toBeGreaterThan(5);
    expect(normalizeBundle(sqlite)).toEqual(normalizeBundle(memory));
    expect(normalizeBundle(indexeddb)).toEqual(normalizeBundle(memory));
  });
});
