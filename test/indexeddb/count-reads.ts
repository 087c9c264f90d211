/**
 * Counts the records IndexedDB hands out: every cursor position and every record of a get or
 * getAll. Installs fake-indexeddb's globals, then wraps the request-making methods.
 */
import 'fake-indexeddb/auto';

export const reads = { records: 0 };

for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype] as unknown as Record<string, unknown>[]) {
  for (const method of ['get', 'getAll', 'getKey', 'getAllKeys', 'openCursor', 'openKeyCursor']) {
    const original = proto[method] as (...args: unknown[]) => IDBRequest;
    proto[method] = function (this: unknown, ...args: unknown[]) {
      const request = original.apply(this, args);
      // A cursor's request succeeds once per position, so this counts every step it takes.
      request.addEventListener('success', () => {
        const result: unknown = request.result;
        reads.records += Array.isArray(result) ? result.length : result === undefined || result === null ? 0 : 1;
      });
      return request;
    };
  }
}
