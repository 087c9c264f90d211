/** Same inputs, same bytes: histories, statuses and trees are reproducible. */
import { describe, expect, it } from 'vitest';
import { type OrchestrationContext, RetryOptions } from '../../core/index.js';
import { Simulation, type SimulationOptions } from '../../core/simulator/index.js';
import { registerSamples } from '../../samples/index.js';

/**
 * `episodes: false` leaves out how events group into episodes (the OrchestratorStarted and
 * OrchestratorCompleted markers, and the order within a history): how many results one fan-in
 * episode takes depends on how work interleaves, which the replay cache changes.
 */
async function scenario(options: SimulationOptions = {}, faults = true, episodes = true): Promise<string> {
  const app = registerSamples().orchestration('RetryHello', function* (context: OrchestrationContext) {
    return (yield context.df.callActivityWithRetry('SayHello', new RetryOptions(1000, 3), 'Oslo')) as string;
  });
  const sim = new Simulation(app, options);
  if (faults) sim.failActivity('SayHello', { attempt: 1, instanceId: 'retry' }).crashAfterCommit(9);
  const ids = [
    await sim.startNew('HelloSequence'),
    await sim.startNew('FanOutFanIn', { input: 6 }),
    await sim.startNew('Approval', { instanceId: 'approval', input: { timeoutSeconds: 3600 } }),
    await sim.startNew('Approval', { input: { timeoutSeconds: 60 } }),
    await sim.startNew('ParentChild', { instanceId: 'parent' }),
    await sim.startNew('LongTimer', { input: { seconds: 86_400 } }),
    await sim.startNew('RetryHello', { instanceId: 'retry' }),
    await sim.startNew('Counter', { instanceId: 'counter', input: 0 }),
  ];
  await sim.raiseEvent('approval', 'Approval', true, { at: 10 * 60_000 });
  for (let i = 1; i <= 5; i++) await sim.raiseEvent('counter', 'Add', i, { at: i * 1000 });
  await sim.raiseEvent('counter', 'Stop', undefined, { at: 10_000 });
  await sim.runUntilIdle();
  ids.push('parent:0000');
  const out: string[] = [];
  for (const id of ids) {
    const history = await sim.getHistory(id);
    if (episodes) out.push(JSON.stringify(history), JSON.stringify(await sim.getStatus(id)), await sim.formatHistoryTree(id));
    else
      out.push(
        history
          .filter((e) => e.type !== 'OrchestratorStarted' && e.type !== 'OrchestratorCompleted')
          .map((e) => JSON.stringify(e))
          .sort()
          .join('\n'),
        JSON.stringify(await sim.getStatus(id)),
      );
  }
  out.push(JSON.stringify(sim.log), sim.now().toISOString());
  return out.join('\n');
}

describe('determinism', () => {
  it('two runs with the same inputs give byte-identical histories, statuses and trees', async () => {
    const first = await scenario();
    const second = await scenario();
    expect(second).toBe(first);
    expect(first).toContain('"output":"approved"');
    expect(first).toContain('Worker crashed after durable write #9');
  });

  it('another seed gives other IDs, the same outcomes', async () => {
    const a = await scenario({ seed: 1 }, false);
    const b = await scenario({ seed: 2 }, false);
    expect(a).not.toBe(b);
    const outputs = (s: string) => [...s.matchAll(/"output":("[^"]*"|\d+|\[[^\]]*\])/g)].map((m) => m[1]);
    expect(outputs(a)).toEqual(outputs(b));
  });

  it('strict mode (no replay cache) records the same events, IDs, results and statuses as the cached worker', async () => {
    const strict = await scenario({ replayCache: false }, false, false);
    expect(strict).toBe(await scenario({}, false, false));
    expect(strict).toContain('"output":"approved"');
    expect(strict).toContain('"type":"SubOrchestrationInstanceCompleted"');
  });
});
