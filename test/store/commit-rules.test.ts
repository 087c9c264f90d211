/**
 * The commit rules every adapter applies (core/store/commit-rules.ts), on facts alone: which
 * refusal each fact gives, in which order, and that a lease fences only where the store says so.
 */
import { describe, expect, it } from 'vitest';
import { InstanceAlreadyExistsError, VersionConflictError } from '../../core/errors.js';
import { event } from '../../core/history.js';
import { createRefusal, type EpisodeFacts, episodeRefusal } from '../../core/store/commit-rules.js';
import type { EpisodeCommit, LeasedActivity } from '../../core/store/port.js';
import { newInstance } from '../conformance/store.case.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function leased(id: string, token: string): LeasedActivity {
  return {
    item: { id, instanceId: 'i', executionId: 'e', taskScheduledId: 0, name: 'F', enqueuedTime: iso(T0) },
    lease: { token, expiresAt: T0 + 1000 },
    deliveryCount: 1,
  };
}

function episode(patch: Partial<EpisodeCommit> = {}): EpisodeCommit {
  return {
    instanceId: 'i',
    expectedVersion: 3,
    instance: { instanceId: 'i', name: 'Hello', executionId: 'e', runtimeStatus: 'Running', createdTime: iso(T0), lastUpdatedTime: iso(T0) },
    history: { append: [event('OrchestratorStarted', iso(T0), {})] },
    consumedMessageIds: [],
    messages: [],
    activities: [],
    newInstances: [],
    ...patch,
  };
}

const facts = (patch: Partial<EpisodeFacts> = {}): EpisodeFacts => ({ version: 3, childStatuses: [], ...patch });

describe('commit rules', () => {
  it('commits when the version is current and nothing else is in the way', () => {
    expect(episodeRefusal(episode(), facts())).toBeUndefined();
  });

  it('refuses a stale or missing version', () => {
    const stale = episodeRefusal(episode(), facts({ version: 4 }));
    expect(stale).toBeInstanceOf(VersionConflictError);
    expect(stale?.message).toBe(`Instance 'i' changed concurrently: expected version 3, found 4.`);
    expect(episodeRefusal(episode(), facts({ version: undefined }))?.message).toBe(`Instance 'i' changed concurrently: expected version 3, found none.`);
  });

  it('fences by lease only where the store passes the lock', () => {
    const e = episode({ lease: { token: 'mine', expiresAt: T0 } });
    expect(episodeRefusal(e, facts())).toBeUndefined();
    expect(episodeRefusal(e, facts({ lock: { token: 'mine' } }))).toBeUndefined();
    for (const token of ['theirs', null, undefined]) {
      const lost = episodeRefusal(e, facts({ lock: { token } }));
      expect(lost).toBeInstanceOf(VersionConflictError);
      expect(lost?.message).toBe(`Instance 'i' was leased by another worker after this episode's lease lapsed; the episode is not committed.`);
    }
    // An episode without a lease (a direct record) is not fenced by one.
    expect(episodeRefusal(episode(), facts({ lock: { token: 'theirs' } }))).toBeUndefined();
  });

  it('refuses a direct record when a message comes first, then when an activity is no longer held', () => {
    const e = episode({ completesActivities: { now: T0, activities: [leased('a1', 't1'), leased('a2', 't2')] } });
    expect(episodeRefusal(e, facts({ messageWaiting: false, activityTokens: ['t1', 't2'] }))).toBeUndefined();
    expect(episodeRefusal(e, facts({ messageWaiting: true, activityTokens: ['t1', 't2'] }))?.message).toBe(
      `Instance 'i' changed concurrently: a message for it is waiting.`,
    );
    expect(episodeRefusal(e, facts({ messageWaiting: true, activityTokens: [undefined, undefined] }))?.message).toContain('a message for it is waiting');
    expect(episodeRefusal(e, facts({ messageWaiting: false, activityTokens: ['t1', 'other'] }))?.message).toBe(
      `Instance 'i' changed concurrently: activity 'a2' is no longer held.`,
    );
    expect(episodeRefusal(e, facts({ messageWaiting: false, activityTokens: [null, undefined] }))?.message).toContain(`activity 'a1' is no longer held`);
    expect(episodeRefusal(e, facts({ messageWaiting: false }))?.message).toContain(`activity 'a1' is no longer held`);
  });

  it('refuses a child that would replace a non-terminal instance, and allows replacing a terminal one', () => {
    const e = episode({ newInstances: [newInstance('c1'), newInstance('c2')] });
    expect(episodeRefusal(e, facts({ childStatuses: [undefined, 'Completed'] }))).toBeUndefined();
    const clash = episodeRefusal(e, facts({ childStatuses: ['Failed', 'Running'] }));
    expect(clash).toBeInstanceOf(InstanceAlreadyExistsError);
    expect(clash).toMatchObject({ instanceId: 'c2', runtimeStatus: 'Running' });
  });

  it('checks in order: version, lease, waiting message, held activities, children', () => {
    const e = episode({
      lease: { token: 'mine', expiresAt: T0 },
      completesActivities: { now: T0, activities: [leased('a1', 't1')] },
      newInstances: [newInstance('c')],
    });
    const everything: EpisodeFacts = { version: 9, lock: { token: 'theirs' }, messageWaiting: true, activityTokens: [undefined], childStatuses: ['Running'] };
    const reason = () => {
      const refusal = episodeRefusal(e, everything);
      return refusal instanceof InstanceAlreadyExistsError ? 'exists' : (refusal?.message.replace(/^Instance 'i' changed concurrently: /, '') ?? 'ok');
    };
    const reasons: string[] = [];
    // Each fact in turn stops being in the way: the next refusal shows.
    for (const fixed of [
      { version: 3 },
      { lock: { token: 'mine' } },
      { messageWaiting: false },
      { activityTokens: ['t1'] },
      { childStatuses: ['Completed' as const] },
    ]) {
      reasons.push(reason());
      Object.assign(everything, fixed);
    }
    reasons.push(reason());
    expect(reasons).toEqual([
      'expected version 3, found 9.',
      `Instance 'i' was leased by another worker after this episode's lease lapsed; the episode is not committed.`,
      'a message for it is waiting.',
      `activity 'a1' is no longer held.`,
      'exists',
      'ok',
    ]);
  });

  it('creates over nothing or a terminal instance, never over a live one', () => {
    expect(createRefusal('x', undefined)).toBeUndefined();
    for (const status of ['Completed', 'Failed', 'Terminated'] as const) expect(createRefusal('x', status)).toBeUndefined();
    for (const status of ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'] as const) {
      expect(createRefusal('x', status)).toMatchObject({ name: 'InstanceAlreadyExistsError', instanceId: 'x', runtimeStatus: status });
    }
  });
});
