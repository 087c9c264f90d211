/**
 * Replaying a recorded history through edited orchestrator code: a clean replay, and for each
 * kind of edit the first divergence with its position, the recorded row, the code's new step
 * and the line of the code that made it. The live engine names the same line.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkReplay, type DurableApp, type HistoryEvent, MemoryStorage, UnknownOrchestratorError } from '../../core/index.js';
import { app as earlyReturn } from '../fixtures/replay/early-return.js';
import { app as eventRenamed } from '../fixtures/replay/event-renamed.js';
import { app as extraStep } from '../fixtures/replay/extra-step.js';
import { app as noTimer } from '../fixtures/replay/no-timer.js';
import { app as recorded } from '../fixtures/replay/order.js';
import { app as renamed } from '../fixtures/replay/renamed.js';
import { app as reordered } from '../fixtures/replay/reordered.js';
import { harness } from '../helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/replay/${name}.ts`, import.meta.url));

/** The 1-based line of the first occurrence of `text` in a fixture. */
function lineOf(name: string, text: string): number {
  const index = readFileSync(fixture(name), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

async function record(options: { raise: boolean }): Promise<{ id: string; history: HistoryEvent[] }> {
  const h = harness({ app: recorded });
  const id = await h.client.startNew('Order', { input: 'book' });
  await h.settle({ timers: true });
  if (options.raise) {
    await h.client.raiseEvent(id, 'Approval', 'alice');
    await h.settle({ timers: true });
    expect((await h.client.getStatus(id))?.output).toEqual(['reserved book', 'charged, alice']);
  }
  return { id, history: await h.client.getHistory(id) };
}

const positionOf = (history: HistoryEvent[], match: (e: HistoryEvent) => boolean) => history.findIndex(match);

describe('checkReplay', () => {
  it('replays the recorded code cleanly, for a completed and for a running instance', async () => {
    const done = await record({ raise: true });
    expect(checkReplay(recorded, done.id, done.history)).toEqual({ ok: true, events: done.history.length });
    const waiting = await record({ raise: false });
    expect(checkReplay(recorded, waiting.id, waiting.history)).toEqual({ ok: true, events: waiting.history.length });
  });

  const cases: { name: string; app: DurableApp; recorded: (e: HistoryEvent) => boolean; pair: [object, object]; line: string }[] = [
    {
      name: 'reordered',
      app: reordered,
      recorded: (e) => e.type === 'TaskScheduled' && e.name === 'Reserve',
      pair: [
        { type: 'TaskScheduled', name: 'Reserve', input: '"book"' },
        { type: 'ScheduleTask', name: 'Charge', input: '"nobody"' },
      ],
      line: "callActivity('Charge'",
    },
    {
      name: 'renamed',
      app: renamed,
      recorded: (e) => e.type === 'TaskScheduled' && e.name === 'Reserve',
      pair: [
        { type: 'TaskScheduled', name: 'Reserve', input: '"book"' },
        { type: 'ScheduleTask', name: 'Hold', input: '"book"' },
      ],
      line: "callActivity('Hold'",
    },
    {
      name: 'no-timer',
      app: noTimer,
      recorded: (e) => e.type === 'TimerCreated',
      pair: [{ type: 'TimerCreated' }, { type: 'WaitForExternalEvent', name: 'Approval' }],
      line: "waitForExternalEvent('Approval'",
    },
    {
      name: 'event-renamed',
      app: eventRenamed,
      recorded: (e) => e.type === 'EventRaised',
      pair: [
        { type: 'EventRaised', name: 'Approval', input: '"alice"' },
        { type: 'WaitForExternalEvent', name: 'Approved' },
      ],
      line: "waitForExternalEvent('Approved'",
    },
  ];

  for (const c of cases) {
    it(`names the first divergence of the ${c.name} edit: position, recorded row, new step and line`, async () => {
      const { id, history } = await record({ raise: true });
      const report = checkReplay(c.app, id, history);
      expect(report.ok).toBe(false);
      if (report.ok) return;
      expect(report.divergence.position).toBe(positionOf(history, c.recorded));
      expect(report.divergence.recorded).toMatchObject(c.pair[0]);
      expect(report.divergence.current).toMatchObject(c.pair[1]);
      expect(report.divergence.location?.file).toContain(`fixtures/replay/${c.name}.ts`);
      expect(report.divergence.location?.line).toBe(lineOf(c.name, c.line));
      expect(report.message).toContain(`at history position ${report.divergence.position}`);
      expect(report.message).toContain(`${c.name}.ts:${lineOf(c.name, c.line)}:`);
    });
  }

  it('finds an action the code adds after the end of a completed history', async () => {
    const { id, history } = await record({ raise: true });
    const report = checkReplay(extraStep, id, history);
    expect(report).toMatchObject({ ok: false, divergence: { position: history.length, current: { type: 'ScheduleTask', name: 'Ship' } } });
    if (!report.ok) expect(report.divergence.location?.line).toBe(lineOf('extra-step', "callActivity('Ship'"));
  });

  it('finds recorded work after the point where the code now returns', async () => {
    const { id, history } = await record({ raise: true });
    const report = checkReplay(earlyReturn, id, history);
    expect(report).toMatchObject({
      ok: false,
      divergence: { position: positionOf(history, (e) => e.type === 'TimerCreated'), recorded: { type: 'TimerCreated' }, current: { type: 'Completed' } },
    });
  });

  it('refuses a history of an orchestrator the app does not have, naming the ones it has', async () => {
    const { id, history } = await record({ raise: false });
    const renamedHistory = history.map((e) => (e.type === 'ExecutionStarted' ? { ...e, name: 'Invoice' } : e));
    expect(() => checkReplay(recorded, id, renamedHistory)).toThrow(UnknownOrchestratorError);
  });
});

describe('a live non-deterministic episode', () => {
  it('fails the instance with a message that names the line of the code', async () => {
    const storage = new MemoryStorage();
    const before = harness({ app: recorded, storage });
    const id = await before.client.startNew('Order', { input: 'book' });
    await before.settle({ timers: true });
    const after = harness({ app: renamed, storage });
    after.clock.advanceTo(before.clock.now());
    await after.client.raiseEvent(id, 'Approval', 'alice');
    await after.settle({ timers: true });
    const status = await after.client.getStatus(id);
    expect(status?.runtimeStatus).toBe('Failed');
    const text = String(status?.output);
    expect(text).toContain("Non-deterministic orchestrator: at history position 2 the history records TaskScheduled 'Reserve' (eventId 0)");
    expect(text).toContain(`renamed.ts:${lineOf('renamed', "callActivity('Hold'")}:`);
  });
});
