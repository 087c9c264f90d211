/** formatHistoryTree, formatDuration and checkHistory. */
import { describe, expect, it } from 'vitest';
import { event, type HistoryEvent } from '../../core/index.js';
import { checkHistory, formatDuration, formatHistoryTree, Simulation } from '../../core/simulator/index.js';
import { registerSamples } from '../../samples/index.js';

describe('formatHistoryTree', () => {
  it('renders episodes, pairs each activity with its completion, then the status', async () => {
    const sim = new Simulation(registerSamples());
    await sim.run('HelloSequence', { instanceId: 'hello' });
    expect(await sim.formatHistoryTree('hello')).toBe(`HelloSequence · instance 'hello' · Completed
├─ Episode 1 · 2026-01-01T00:00:00.000Z (T+0 ms)
│  ├─ ▶ started 'HelloSequence' · input (none)
│  └─ Activity 'SayHello' #0 · input "Tokyo"
│     └─ ✓ completed at 2026-01-01T00:00:00.000Z (T+0 ms) after 0 ms (episode 2) · result "Hello Tokyo!"
├─ Episode 2 · 2026-01-01T00:00:00.000Z (T+0 ms)
│  ├─ ← activity 'SayHello' #0 completed
│  └─ Activity 'SayHello' #1 · input "Seattle"
│     └─ ✓ completed at 2026-01-01T00:00:00.000Z (T+0 ms) after 0 ms (episode 3) · result "Hello Seattle!"
├─ Episode 3 · 2026-01-01T00:00:00.000Z (T+0 ms)
│  ├─ ← activity 'SayHello' #1 completed
│  └─ Activity 'SayHello' #2 · input "London"
│     └─ ✓ completed at 2026-01-01T00:00:00.000Z (T+0 ms) after 0 ms (episode 4) · result "Hello London!"
├─ Episode 4 · 2026-01-01T00:00:00.000Z (T+0 ms)
│  ├─ ← activity 'SayHello' #2 completed
│  └─ ■ Completed · output ["Hello Tokyo!","Hello Seattle!","Hello London!"]
└─ Status: Completed
   ├─ output ["Hello Tokyo!","Hello Seattle!","Hello London!"]
   └─ created 2026-01-01T00:00:00.000Z · last updated 2026-01-01T00:00:00.000Z (T+0 ms)
`);
  });

  it('shows timers with their durations, events, pending work and ASCII branches', async () => {
    const sim = new Simulation(registerSamples());
    const id = await sim.startNew('Approval', { instanceId: 'a', input: { timeoutSeconds: 5400 } });
    await sim.runDue();
    const pending = await sim.formatHistoryTree(id, { ascii: true });
    expect(pending).toContain("Approval · instance 'a' · Running");
    expect(pending).toContain('`- Timer #0 · fires at 2026-01-01T01:30:00.000Z (T+1h 30m), after 1h 30m');
    expect(pending).toContain('… pending');
    expect(pending).toContain('custom status {"stage":"Waiting for approval","timeoutSeconds":5400}');
    await sim.raiseEvent(id, 'Approval', true, { at: 90_000 });
    await sim.runUntilIdle();
    const done = await sim.formatHistoryTree(id);
    expect(done).toContain('Episode 2 · 2026-01-01T00:01:30.000Z (T+1m 30s)');
    expect(done).toContain("⚡ event 'Approval' received · data true");
    expect(done).toContain('– never fired (cancelled, or the orchestration ended first)');
  });

  it('cuts long values and works without a status', () => {
    const long = JSON.stringify('x'.repeat(200));
    const history: HistoryEvent[] = [
      event('OrchestratorStarted', '2026-01-01T00:00:00.000Z', {}),
      event('ExecutionStarted', '2026-01-01T00:00:00.000Z', { name: 'Big', input: long, orchestrationInstance: { instanceId: 'big', executionId: 'e' } }),
      event('OrchestratorCompleted', '2026-01-01T00:00:00.000Z', {}),
    ];
    const text = formatHistoryTree(history, null, { maxValueLength: 20 });
    expect(text).toContain(`input ${long.slice(0, 19)}…`);
    expect(text).toContain('Status: (no such instance)');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [250, '250 ms'],
    [1500, '1.5 s'],
    [30_000, '30 s'],
    [90_000, '1m 30s'],
    [3_600_000, '1h'],
    [30 * 86_400_000, '30d'],
    [86_400_000 + 61_000, '1d 1m 1s'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('checkHistory', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const start = event('ExecutionStarted', at, { name: 'X', orchestrationInstance: { instanceId: 'x', executionId: 'e' } });
  const os = event('OrchestratorStarted', at, {});
  const oc = event('OrchestratorCompleted', at, {});

  it('accepts a sound history and reports duplicates, gaps, orphans and bad bracketing', () => {
    const ok = [os, start, event('TaskScheduled', at, { name: 'A' }, 0), oc, os, event('TaskCompleted', at, { taskScheduledId: 0 }), oc];
    expect(checkHistory(ok)).toEqual([]);
    expect(checkHistory([...ok, os, event('TaskCompleted', at, { taskScheduledId: 0 }), oc]).join()).toMatch(/eventId 0 completes twice/);
    expect(checkHistory([os, start, event('TaskScheduled', at, { name: 'A' }, 1), oc]).join()).toMatch(/eventId 0 is missing/);
    expect(checkHistory([os, start, event('TimerFired', at, { timerId: 3, fireAt: at }), oc]).join()).toMatch(/never scheduled/);
    expect(checkHistory([os, start, os, oc]).join()).toMatch(/no OrchestratorCompleted/);
    expect(checkHistory([os, start, event('TaskScheduled', at, { name: 'A' }, 0), event('TaskScheduled', at, { name: 'B' }, 0), oc]).join()).toMatch(
      /scheduled twice/,
    );
    expect(checkHistory([os, start, oc, os, start, oc]).join()).toMatch(/a second ExecutionStarted/);
  });
});
