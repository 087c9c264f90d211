/** Every sample, simulated on a virtual clock. */
import { describe, expect, it } from 'vitest';
import { checkHistory, Simulation } from '../../core/simulator/index.js';
import { registerSamples } from '../../samples/index.js';

const START = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const sim = (options: ConstructorParameters<typeof Simulation>[1] = {}) => new Simulation(registerSamples(), options);

describe('samples in the simulator', () => {
  it('HelloSequence', async () => {
    const s = sim();
    const status = await s.run('HelloSequence', { instanceId: 'hello' });
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    expect(checkHistory(await s.getHistory('hello'))).toEqual([]);
  });

  it('FanOutFanIn', async () => {
    const s = sim();
    const status = await s.run('FanOutFanIn', { instanceId: 'fan', input: 20 });
    expect(status.output).toBe(Array.from({ length: 20 }, (_, i) => (i + 1) ** 2).reduce((a, b) => a + b));
    const history = await s.getHistory('fan');
    expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(20);
    expect(checkHistory(history)).toEqual([]);
  });

  it('Approval times out after a virtual hour', async () => {
    const s = sim({ start: new Date(START) });
    const wall = performance.now();
    const status = await s.run('Approval', { instanceId: 'late', input: { timeoutSeconds: 3600 } });
    expect(performance.now() - wall).toBeLessThan(2000);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'timed out', customStatus: { stage: 'Timed out' } });
    expect(status.lastUpdatedTime.getTime()).toBe(START + HOUR);
    const fired = (await s.getHistory('late')).find((e) => e.type === 'TimerFired');
    expect(fired?.timestamp).toBe('2026-01-01T01:00:00.000Z');
  });

  it('Approval is approved by an event raised at a virtual time', async () => {
    const s = sim({ start: new Date(START) });
    const id = await s.startNew('Approval', { instanceId: 'approved', input: { timeoutSeconds: 3600 } });
    await s.raiseEvent(id, 'Approval', true, { at: new Date(START + 20 * 60_000) });
    await s.runUntilIdle();
    const status = await s.getStatus(id);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'approved', customStatus: { stage: 'Approved' } });
    expect(status!.lastUpdatedTime.getTime()).toBe(START + 20 * 60_000);
    const raised = (await s.getHistory(id)).find((e) => e.type === 'EventRaised');
    expect(raised?.timestamp).toBe('2026-01-01T00:20:00.000Z');
    // delayMs means the same thing, relative to now.
    const s2 = sim({ start: new Date(START) });
    const id2 = await s2.startNew('Approval', { instanceId: 'approved', input: { timeoutSeconds: 3600 } });
    await s2.raiseEvent(id2, 'Approval', false, { delayMs: 20 * 60_000 });
    await s2.runUntilIdle();
    expect(await s2.getStatus(id2)).toMatchObject({ output: 'rejected' });
  });

  it('an event scheduled after the instance finished is dropped and logged', async () => {
    const s = sim({ start: new Date(START) });
    const id = await s.startNew('Approval', { instanceId: 'too-late', input: { timeoutSeconds: 60 } });
    await s.raiseEvent(id, 'Approval', true, { at: 2 * HOUR });
    await s.runUntilIdle();
    expect((await s.getStatus(id))?.output).toBe('timed out');
    expect(s.log.find((e) => e.kind === 'dropped')?.message).toMatch(/Dropped scheduled input raise 'Approval' to 'too-late': .*Completed/);
  });

  it('FlakyActivity fails, then a rewind completes it', async () => {
    const s = sim();
    const failed = await s.run('FlakyActivity', { instanceId: 'flaky', input: { failTimes: 1 } });
    expect(failed.runtimeStatus).toBe('Failed');
    await s.client.rewind('flaky', 'try again');
    await s.runUntilIdle();
    expect(await s.getStatus('flaky')).toMatchObject({ runtimeStatus: 'Completed', output: 'recovered' });
    const history = await s.getHistory('flaky');
    expect(checkHistory(history)).toEqual([]);
    expect(history.filter((e) => e.type === 'GenericEvent')).toHaveLength(3);
    const tree = await s.formatHistoryTree('flaky');
    expect(tree).toContain("Activity 'Flaky' #0 (rewound)");
    expect(tree).toContain('↺ rewound · try again');
  });

  it('Counter runs 10,000 continue-as-new generations, driven by 10,000 Add events, in seconds', async () => {
    const s = sim({ start: new Date(START) });
    const id = await s.startNew('Counter', { instanceId: 'counter', input: 0 });
    for (let i = 1; i <= 10_000; i++) await s.raiseEvent(id, 'Add', 1, { at: i * 1000 });
    await s.raiseEvent(id, 'Stop', undefined, { at: 10_001 * 1000 });
    const wall = performance.now();
    await s.runUntilIdle();
    const seconds = (performance.now() - wall) / 1000;
    // Typically 2-6 s on a busy 2-core machine; the bound only guards against a blow-up.
    expect(seconds).toBeLessThan(30);
    const status = await s.getStatus(id);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 10_000 });
    expect(status!.lastUpdatedTime.getTime()).toBe(START + 10_001_000);
    // Each generation starts a fresh history: the last one holds one Stop.
    const history = await s.getHistory(id);
    expect(history.filter((e) => e.type === 'EventRaised')).toHaveLength(1);
    expect(s.log.filter((e) => e.kind === 'input')).toHaveLength(10_001);
  });

  it('ParentChild, with the child nested in the tree', async () => {
    const s = sim();
    const status = await s.run('ParentChild', { instanceId: 'parent' });
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'] });
    expect(await s.getStatus('parent:0000')).toMatchObject({ runtimeStatus: 'Completed', parentInstanceId: 'parent' });
    const tree = await s.formatHistoryTree('parent');
    expect(tree).toMatch(/Sub-orchestration 'HelloSequence' #0 → instance 'parent:0000'[\s\S]*HelloSequence · instance 'parent:0000' · Completed/);
  });

  it('LongTimer: 30 days of virtual time in milliseconds', async () => {
    const s = sim({ start: new Date(START) });
    const wall = performance.now();
    const status = await s.run('LongTimer', { instanceId: 'long', input: { seconds: 30 * 24 * 3600 } });
    expect(performance.now() - wall).toBeLessThan(1000);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'waited 2592000 seconds' });
    expect(status.lastUpdatedTime.getTime()).toBe(START + 30 * DAY);
    expect(await s.formatHistoryTree('long')).toContain('Timer #0 · fires at 2026-01-31T00:00:00.000Z (T+30d), after 30d');
  });

  it('advanceTime fires only what becomes due', async () => {
    const s = sim({ start: new Date(START) });
    const id = await s.startNew('LongTimer', { instanceId: 'long', input: { seconds: 30 * 24 * 3600 } });
    await s.advanceTime(29 * DAY);
    expect((await s.getStatus(id))?.runtimeStatus).toBe('Running');
    expect(s.now().getTime()).toBe(START + 29 * DAY);
    await s.advanceTime(DAY);
    expect((await s.getStatus(id))?.runtimeStatus).toBe('Completed');
    expect(s.now().getTime()).toBe(START + 30 * DAY);
  });

  it('runUntilIdle({ until }) stops before later timers', async () => {
    const s = sim({ start: new Date(START) });
    const id = await s.startNew('LongTimer', { instanceId: 'long', input: { seconds: 3600 } });
    await s.runUntilIdle({ until: 30 * 60_000 });
    expect((await s.getStatus(id))?.runtimeStatus).toBe('Running');
    await s.runUntilIdle();
    expect((await s.getStatus(id))?.runtimeStatus).toBe('Completed');
  });
});
