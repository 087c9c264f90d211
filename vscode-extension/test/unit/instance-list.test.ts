import { describe, expect, it } from 'vitest';
import { InstanceList } from '../../src/tree/instance-list.js';
import type { DurableHttpClient, InstancePage, InstanceQuery, StatusPayload } from '../../src/wire.js';

const instance = (instanceId: string, createdTime: string): StatusPayload => ({
  name: 'HelloSequence',
  instanceId,
  runtimeStatus: 'Completed',
  input: null,
  customStatus: null,
  output: null,
  createdTime,
  lastUpdatedTime: createdTime,
});

/** A client whose pages are given up front; records the queries it receives. */
function pagedClient(pages: InstancePage[]): { client: DurableHttpClient; queries: InstanceQuery[] } {
  const queries: InstanceQuery[] = [];
  const client = {
    async listInstances(_hub: string, query: InstanceQuery) {
      queries.push(query);
      const index = query.continuationToken ? Number(query.continuationToken) : 0;
      return pages[index]!;
    },
  } as unknown as DurableHttpClient;
  return { client, queries };
}

describe('InstanceList', () => {
  it('shows newest first within what is loaded, keeping server order for equal times', async () => {
    const { client } = pagedClient([
      {
        instances: [
          instance('old', '2026-11-25T10:00:00Z'),
          instance('tie-a', '2026-11-25T11:00:00Z'),
          instance('tie-b', '2026-11-25T11:00:00Z'),
          instance('new', '2026-11-25T12:00:00Z'),
        ],
      },
    ]);
    const list = new InstanceList();
    await list.loadFirst(client, 'hub', {}, 10);
    expect(list.sorted().map((i) => i.instanceId)).toEqual(['new', 'tie-a', 'tie-b', 'old']);
  });

  it('appends the next page with the continuation token and the same filter', async () => {
    const { client, queries } = pagedClient([
      { instances: [instance('a', '2026-11-25T10:00:00Z')], continuationToken: '1' },
      { instances: [instance('b', '2026-11-25T12:00:00Z'), instance('a', '2026-11-25T10:00:00Z')] },
    ]);
    const list = new InstanceList();
    await list.loadFirst(client, 'hub', { runtimeStatus: ['Completed'] }, 1);
    expect(list.continuationToken).toBe('1');
    await list.loadMore(client, 'hub', { runtimeStatus: ['Completed'] }, 1);
    expect(queries[1]).toEqual({ runtimeStatus: ['Completed'], top: 1, continuationToken: '1' });
    // the duplicate "a" from the second page is dropped: tree item ids must stay unique
    expect(list.sorted().map((i) => i.instanceId)).toEqual(['b', 'a']);
    expect(list.continuationToken).toBeUndefined();
    await list.loadMore(client, 'hub', {}, 1);
    expect(queries).toHaveLength(2);
  });

  it('upserts a fresher status without its history and removes purged instances', async () => {
    const { client } = pagedClient([{ instances: [instance('a', '2026-11-25T10:00:00Z')] }]);
    const list = new InstanceList();
    await list.loadFirst(client, 'hub', {}, 10);
    list.upsert({ ...instance('a', '2026-11-25T10:00:00Z'), runtimeStatus: 'Failed', historyEvents: [] });
    list.upsert(instance('z', '2026-11-25T09:00:00Z'));
    expect(list.get('a')).toMatchObject({ runtimeStatus: 'Failed' });
    expect(list.get('a')).not.toHaveProperty('historyEvents');
    expect(list.sorted().map((i) => i.instanceId)).toEqual(['a', 'z']);
    list.remove('a');
    expect(list.sorted().map((i) => i.instanceId)).toEqual(['z']);
  });

  it('puts a just-started instance on top of those created in the same second (createdTime has whole seconds)', async () => {
    const { client } = pagedClient([{ instances: [instance('b', '2026-11-25T10:00:00Z'), instance('a', '2026-11-25T10:00:00Z')] }]);
    const list = new InstanceList();
    await list.loadFirst(client, 'hub', {}, 10);
    list.upsert(instance('started', '2026-11-25T10:00:00Z'), { newest: true });
    list.upsert(instance('looked-up', '2026-11-25T10:00:00Z'));
    expect(list.sorted().map((i) => i.instanceId)).toEqual(['started', 'b', 'a', 'looked-up']);
  });
});
