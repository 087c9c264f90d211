/**
 * Two engines on one database (two tabs, or a tab and a worker): two IndexedDbStorage objects
 * on the same database, racing at the port level and with the real Worker. Nothing may be
 * committed twice. Shared by the Node test (fake-indexeddb) and the Chromium run.
 */
import { describe, expect, it } from 'vitest';
import { event, type HistoryEvent } from '../../core/history.js';
import { DurableClient, Worker } from '../../core/index.js';
import type { ActivityCompletion, EpisodeCommit, LeasedActivity, OrchestrationWorkItem, Storage, TaskHubStore } from '../../core/store/port.js';
import { registerSamples } from '../../samples/index.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function runRaceCase(adapter: string, openTwo: (name: string) => Promise<readonly [Storage, Storage]>): void {
  describe(`two engines racing at the port level: ${adapter}`, () => {
    it('refuse the commit of an episode whose lapsed lease the other engine took over', async () => {
      const [a, b] = await openTwo('takeover');
      const [first, second] = [a.taskHub('Takeover'), b.taskHub('Takeover')];
      const instanceId = 't1';
      const created = await first.createInstance({
        record: { instanceId, name: 'T', executionId: 'e1', runtimeStatus: 'Pending', createdTime: iso(T0), lastUpdatedTime: iso(T0) },
        start: {
          id: 'start',
          instanceId,
          event: event('ExecutionStarted', iso(T0), { name: 'T', orchestrationInstance: { instanceId, executionId: 'e1' } }),
          visibleAt: iso(T0),
        },
      });
      const { version: _v, ...row } = created;
      const commit = (item: OrchestrationWorkItem): EpisodeCommit => ({
        instanceId,
        expectedVersion: 1,
        lease: item.lease,
        instance: { ...row, runtimeStatus: 'Running' },
        history: { append: item.messages.map((m) => m.event) },
        consumedMessageIds: item.messages.map((m) => m.id),
        messages: [],
        activities: [],
        newInstances: [],
      });
      const stale = (await first.leaseOrchestration(T0, 1000))!;
      const current = (await second.leaseOrchestration(T0 + 1000, 1000))!;
      expect(current.messages.map((m) => m.id)).toEqual(['start']);
      // Same version, but the lease is gone: committing would record the start twice.
      expect((await first.commit([commit(stale)]))[0]).toMatchObject({ ok: false, error: { name: 'VersionConflictError' } });
      expect(await second.commit([commit(current)])).toEqual([{ ok: true, version: 2 }]);
      expect((await first.getHistory(instanceId)).map((e) => e.type)).toEqual(['ExecutionStarted']);
      expect(await first.leaseOrchestration(T0 + 5000, 1000)).toBeUndefined();
    });

    for (const eager of [false, true]) {
      it(`consume every message and complete every activity exactly once, even when leases lapse${eager ? ' (eager dispatch)' : ''}`, async () => {
        const N = 300;
        const [a, b] = await openTwo(eager ? 'race-port-eager' : 'race-port');
        const hubs = [a.taskHub('Race'), b.taskHub('Race')];
        for (let i = 0; i < N; i++) {
          const instanceId = `r${i}`;
          await hubs[i % 2]!.createInstance({
            record: { instanceId, name: 'R', executionId: 'e1', runtimeStatus: 'Pending', createdTime: iso(T0), lastUpdatedTime: iso(T0) },
            start: {
              id: `start-${i}`,
              instanceId,
              event: event('ExecutionStarted', iso(T0), { name: 'R', orchestrationInstance: { instanceId, executionId: 'e1' } }),
              visibleAt: iso(T0),
            },
          });
        }

        // Virtual time moves one tick per lease, and a lease lasts 5 ticks: episodes routinely
        // outlive their lease and the other engine takes the instance over. With eager dispatch,
        // a commit leases the activity it schedules and a completion leases the instance back,
        // and those leases lapse and are taken over the same way.
        let tick = T0;
        const LOCK = 5;
        const consumed = new Map<string, number>();
        const completedActivities = new Map<string, number>();
        let okCommits = 0,
          refusedCommits = 0,
          refusedCompletions = 0,
          completedInstances = 0,
          eagerActivities = 0,
          eagerInstances = 0;

        async function episode(hub: TaskHubStore, item: OrchestrationWorkItem): Promise<void> {
          const record = (await hub.getInstance(item.instanceId))!;
          await pause(Math.random() * 3);
          const { version: _v, ...row } = record;
          const types = item.messages.map((m) => m.event.type);
          const append: HistoryEvent[] = item.messages.map((m) => m.event);
          const commit: EpisodeCommit = {
            instanceId: item.instanceId,
            expectedVersion: record.version,
            lease: item.lease,
            instance: { ...row, runtimeStatus: 'Running' },
            history: { append },
            consumedMessageIds: item.messages.map((m) => m.id),
            messages: [],
            activities: [],
            newInstances: [],
            leaseActivities: eager ? { now: tick++, lockMs: LOCK, max: 1 } : undefined,
          };
          if (types.includes('ExecutionStarted')) {
            append.push(event('TaskScheduled', iso(T0), { name: 'F' }, 0));
            commit.activities.push({
              id: `act-${item.instanceId}`,
              instanceId: item.instanceId,
              executionId: 'e1',
              taskScheduledId: 0,
              name: 'F',
              enqueuedTime: iso(T0),
            });
          }
          if (types.includes('TaskCompleted')) {
            append.push(event('ExecutionCompleted', iso(T0), { orchestrationStatus: 'Completed' }));
            commit.instance.runtimeStatus = 'Completed';
          }
          const [outcome] = await hub.commit([commit]);
          if (outcome!.ok) {
            okCommits++;
            for (const id of commit.consumedMessageIds) consumed.set(id, (consumed.get(id) ?? 0) + 1);
            if (commit.instance.runtimeStatus === 'Completed') completedInstances++;
            for (const leased of outcome!.leasedActivities ?? []) {
              eagerActivities++;
              await activity(hub, leased);
            }
          } else {
            expect(outcome!.error.name).toBe('VersionConflictError');
            refusedCommits++;
            await hub.abandonOrchestration(item);
          }
        }

        async function activity(hub: TaskHubStore, leased: LeasedActivity): Promise<void> {
          await pause(Math.random() * 3);
          const result = {
            id: `done-${leased.item.id}-${leased.deliveryCount}`,
            instanceId: leased.item.instanceId,
            executionId: 'e1',
            event: event('TaskCompleted', iso(T0), { taskScheduledId: 0, result: '1' }),
            visibleAt: iso(T0),
          };
          const [outcome] = await hub.completeActivities([{ leased, result, leaseInstance: eager ? { now: tick++, lockMs: LOCK } : undefined }]);
          if (outcome?.applied) completedActivities.set(leased.item.id, (completedActivities.get(leased.item.id) ?? 0) + 1);
          else refusedCompletions++;
          if (outcome?.workItem) {
            eagerInstances++;
            await episode(hub, outcome.workItem);
          }
        }

        async function lane(hub: TaskHubStore): Promise<void> {
          for (let round = 0; completedInstances < N && round < 20_000; round++) {
            const item = await hub.leaseOrchestration(tick++, LOCK);
            if (item) await episode(hub, item);
            const leased = await hub.leaseActivity(tick++, LOCK);
            if (leased) await activity(hub, leased);
            if (!item && !leased) await pause(1);
          }
        }

        // Four lanes per engine.
        await Promise.all([...hubs, ...hubs, ...hubs, ...hubs].map(lane));

        expect(completedInstances).toBe(N);
        expect(okCommits).toBe(2 * N);
        // Every message consumed exactly once: N starts and N activity results.
        expect(consumed.size).toBe(2 * N);
        expect([...consumed.values()].every((count) => count === 1)).toBe(true);
        expect(completedActivities.size).toBe(N);
        expect([...completedActivities.values()].every((count) => count === 1)).toBe(true);
        // The race was real: lapsed leases were taken over, and their holders were refused.
        expect(refusedCommits + refusedCompletions).toBeGreaterThan(0);
        if (eager) {
          expect(eagerActivities).toBeGreaterThan(0);
          expect(eagerInstances).toBeGreaterThan(0);
        }
        for (let i = 0; i < N; i++) {
          const hub = hubs[i % 2]!;
          expect(await hub.getInstance(`r${i}`)).toMatchObject({ runtimeStatus: 'Completed', version: 3 });
          expect((await hub.getHistory(`r${i}`)).map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskScheduled', 'TaskCompleted', 'ExecutionCompleted']);
        }
        expect(await hubs[0]!.nextWakeTime()).toBeUndefined();
        console.log(
          `port race${eager ? ' (eager)' : ''}: ${okCommits} commits, ${refusedCommits} refused commits, ${refusedCompletions} refused completions, ${eagerActivities} eager activity leases, ${eagerInstances} eager instance leases`,
        );
      }, 120_000);
    }
  });

  describe(`two engines racing with the real worker: ${adapter}`, () => {
    interface Tally {
      n: number;
      refused: number;
      eager: number;
    }
    /** Records the messages each successful commit consumed, and the leases handed back eagerly. */
    function tapped(store: TaskHubStore, consumed: string[], commits: Tally): TaskHubStore {
      return new Proxy(store, {
        get(target, prop) {
          if (prop === 'commit') {
            return async (episodes: EpisodeCommit[]) => {
              const outcomes = await target.commit(episodes);
              outcomes.forEach((o, i) => {
                if (!o.ok) commits.refused++;
                else {
                  commits.n++;
                  commits.eager += o.leasedActivities?.length ?? 0;
                  consumed.push(...episodes[i]!.consumedMessageIds);
                }
              });
              return outcomes;
            };
          }
          if (prop === 'completeActivities') {
            return async (completions: ActivityCompletion[]) => {
              const outcomes = await target.completeActivities(completions);
              commits.eager += outcomes.filter((o) => o.workItem).length;
              return outcomes;
            };
          }
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    }

    for (const [leases, lockMs] of [
      ['30 s leases', 30_000],
      ['20 ms leases', 20],
    ] as const) {
      it(`run the samples to completion with no duplicate commit (${leases})`, async () => {
        const [a, b] = await openTwo(`race-engine-${lockMs}`);
        const app = registerSamples();
        const consumed: string[] = [];
        const commits: Tally[] = [
          { n: 0, refused: 0, eager: 0 },
          { n: 0, refused: 0, eager: 0 },
        ];
        const workers = [a, b].map(
          (storage, i) =>
            new Worker(app, tapped(storage.taskHub('Engines'), consumed, commits[i]!), {
              orchestrationLockMs: lockMs,
              activityLockMs: Math.max(lockMs, 1000),
              pollIntervalMs: 20,
              onError: () => undefined,
            }),
        );
        const client = new DurableClient({ storage: a, taskHub: 'Engines', app });
        const started: { id: string; expected: unknown }[] = [];
        for (let i = 0; i < 40; i++)
          started.push({ id: await client.startNew('HelloSequence'), expected: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
        for (let i = 0; i < 20; i++) started.push({ id: await client.startNew('FanOutFanIn', { input: 10 }), expected: 385 });
        for (let i = 0; i < 5; i++)
          started.push({
            id: await client.startNew('ParentChild', { instanceId: `parent-${i}` }),
            expected: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
          });
        for (const worker of workers) worker.start();
        try {
          for (const { id, expected } of started) {
            const status = await client.waitForCompletion(id, { timeoutInMilliseconds: 60_000, retryIntervalInMilliseconds: 50 });
            expect(status.runtimeStatus).toBe('Completed');
            expect(status.output).toEqual(expected);
            const history = await client.getHistory(id);
            const scheduled = history.filter((e) => e.type === 'TaskScheduled' || e.type === 'SubOrchestrationInstanceCreated').map((e) => e.eventId);
            const completed = history
              .filter((e) => e.type === 'TaskCompleted' || e.type === 'SubOrchestrationInstanceCompleted')
              .map((e) => (e as { taskScheduledId: number }).taskScheduledId);
            expect(new Set(scheduled).size).toBe(scheduled.length);
            expect(completed.sort()).toEqual([...scheduled].sort());
            expect(history.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
            expect(history.filter((e) => e.type === 'ExecutionCompleted')).toHaveLength(1);
          }
        } finally {
          await Promise.all(workers.map((w) => w.stop()));
        }
        expect(new Set(consumed).size).toBe(consumed.length);
        // Both engines did part of the work, and handed work back to themselves eagerly.
        expect(commits[0]!.n).toBeGreaterThan(0);
        expect(commits[1]!.n).toBeGreaterThan(0);
        expect(commits[0]!.eager + commits[1]!.eager).toBeGreaterThan(0);
        console.log(
          `engine race (${lockMs} ms leases): commits ${commits[0]!.n} + ${commits[1]!.n}, refused ${commits[0]!.refused + commits[1]!.refused}, eager leases ${commits[0]!.eager + commits[1]!.eager}, ${consumed.length} messages consumed once each`,
        );
      }, 120_000);
    }
  });
}
