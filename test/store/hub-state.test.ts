/**
 * The in-memory hub model behind the memory and KV stores (core/store/hub-state.ts): what the
 * KV writer relies on when it rebuilds the model from a snapshot, and the lease order both share.
 */
import { describe, expect, it } from 'vitest';
import { event } from '../../core/history.js';
import { HubState } from '../../core/store/hub-state.js';
import type { ActivityWorkItem } from '../../core/store/port.js';
import { message, newInstance } from '../conformance/store.case.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const activity = (id: string, instanceId: string): ActivityWorkItem => ({
  id,
  instanceId,
  executionId: 'e',
  taskScheduledId: 0,
  name: 'F',
  enqueuedTime: iso(T0),
});

describe('hub model', () => {
  it('leases messages ordered by when each became visible, then by arrival', () => {
    const state = new HubState();
    const start = newInstance('i');
    state.install(start.record, start.start);
    const timer = message('i', event('TimerFired', iso(T0 + 50), { fireAt: iso(T0 + 50), timerId: 1 }), iso(T0 + 50));
    const raised = message('i', event('EventRaised', iso(T0 + 10), { name: 'E' }), iso(T0 + 10));
    const also = message('i', event('EventRaised', iso(T0 + 10), { name: 'F' }), iso(T0 + 10));
    for (const m of [timer, raised, also]) state.enqueue(m);
    const item = state.leaseOrchestration(T0 + 100, 1000);
    expect(item?.messages.map((m) => m.id)).toEqual([start.start.id, raised.id, also.id, timer.id]);
  });

  it('keeps leases out of its contents, and a model restored from them redelivers everything, each message when it is due', () => {
    const state = new HubState();
    const start = newInstance('i');
    state.install(start.record, start.start);
    const later = message('i', event('EventRaised', iso(T0 + 500), { name: 'E' }), iso(T0 + 500));
    state.enqueue(later);
    state.applyEpisode(
      {
        instanceId: 'other',
        expectedVersion: 0,
        instance: { ...newInstance('other').record, runtimeStatus: 'Running' },
        history: { append: [] },
        consumedMessageIds: [],
        messages: [],
        activities: [activity('a1', 'i')],
        newInstances: [],
      },
      1,
    );
    expect(state.leaseOrchestration(T0, 1000)?.messages.map((m) => m.id)).toEqual([start.start.id]);
    expect(state.leaseActivity(T0, 1000)?.item.id).toBe('a1');
    expect(state.leaseActivity(T0, 1000)).toBeUndefined();

    const contents = JSON.parse(JSON.stringify(state.contents())) as ReturnType<HubState['contents']>;
    expect(contents.activities).toEqual([{ item: activity('a1', 'i'), at: T0 }]);
    const restored = HubState.restore(contents);
    expect(restored.getHistory('i')).toEqual([]);
    expect(restored.nextWakeTime()).toBe(T0);
    expect(restored.leaseActivity(T0, 1000)).toMatchObject({ item: { id: 'a1' }, deliveryCount: 1 });
    const first = restored.leaseOrchestration(T0, 1000)!;
    expect(first.messages.map((m) => m.id)).toEqual([start.start.id]);
    expect(restored.abandonOrchestration(first)).toBe(true);
    expect(restored.leaseOrchestration(T0 + 499, 1000)?.messages.map((m) => m.id)).toEqual([start.start.id]);
    // Never later than the lease lapses (an earlier wake finds nothing and asks again).
    expect(restored.nextWakeTime()).toBeLessThanOrEqual(T0 + 499 + 1000);
    expect(restored.leaseOrchestration(T0 + 1499, 1000)?.messages.map((m) => m.id)).toEqual([start.start.id, later.id]);
  });
});
