// The pure parts of Check Against Code and Debug Replay: finding the app module, locating the CLI and building its
// arguments and the debug configuration, and reading the CLI's JSON into what the panel shows.
import { describe, expect, it } from 'vitest';
import { type AppModuleCandidate, appModuleCandidate, chooseAppModule, rankAppModules } from '../../src/replay/app-module.js';
import { debugReplayConfiguration, locateCli, replayArgs, replayTestArgs } from '../../src/replay/cli-args.js';
import { renderReplayNote, renderReplayOutcome } from '../../src/replay/replay-html.js';
import { type CliReplayResult, decodeLink, encodeLink, outcomeSummary, parseCliOutput, ReplayRunError, toOutcome } from '../../src/replay/replay-result.js';

describe('app module discovery', () => {
  it('counts .orchestration( registrations and sees whether the file exports the app', () => {
    const app = `import { DurableApp } from 'edge-durable';\nexport default new DurableApp()\n  .orchestration('A', a)\n  .orchestration("B", b)\n  .activity('X', x);`;
    expect(appModuleCandidate('src/app.ts', app)).toEqual({ path: 'src/app.ts', registrations: 2, exportsApp: true });
    expect(appModuleCandidate('src/named.ts', `export const app = new DurableApp().orchestration(\`C\`, c);`)).toMatchObject({ exportsApp: true });
    expect(appModuleCandidate('src/list.ts', `const app = x.orchestration('C', c);\nexport { app };`)).toMatchObject({ exportsApp: true });
    expect(appModuleCandidate('src/helper.ts', `export function register(app) { app.orchestration('C', c); }`)).toMatchObject({
      registrations: 1,
      exportsApp: false,
    });
    expect(appModuleCandidate('src/orchestrators.ts', `export function* checkout(context) { yield context.df.callActivity('A'); }`)).toBeUndefined();
    // a call with a computed name is not a registration this search can name
    expect(appModuleCandidate('src/dynamic.ts', `app.orchestration(name, fn)`)).toBeUndefined();
  });

  const c = (path: string, registrations: number, exportsApp: boolean): AppModuleCandidate => ({ path, registrations, exportsApp });

  it('offers modules exporting the app first, then by registrations, then by path', () => {
    const ranked = rankAppModules([c('z/helper.ts', 5, false), c('b/app.ts', 1, true), c('a/app.ts', 1, true), c('main.ts', 3, true)]);
    expect(ranked.map((x) => x.path)).toEqual(['main.ts', 'a/app.ts', 'b/app.ts', 'z/helper.ts']);
  });

  it('uses the setting, then the remembered pick, then the only app module; asks when several', () => {
    const two = [c('a/app.ts', 1, true), c('b/app.ts', 2, true)];
    expect(chooseAppModule(two, { configured: ' src/main.ts ' })).toEqual({ path: 'src/main.ts', why: 'setting' });
    expect(chooseAppModule(two, { remembered: 'b/app.ts' })).toEqual({ path: 'b/app.ts', why: 'remembered' });
    // a remembered module that no longer registers anything is asked again
    expect(chooseAppModule(two, { remembered: 'gone.ts' })).toBeUndefined();
    expect(chooseAppModule(two, { configured: '  ' })).toBeUndefined();
    expect(chooseAppModule([c('a/app.ts', 1, true), c('lib/register.ts', 4, false)])).toEqual({ path: 'a/app.ts', why: 'only' });
    expect(chooseAppModule([c('lib/register.ts', 4, false)])).toEqual({ path: 'lib/register.ts', why: 'only' });
    expect(chooseAppModule([c('x.ts', 1, false), c('y.ts', 1, false)])).toBeUndefined();
    expect(chooseAppModule([])).toBeUndefined();
  });
});

describe('the CLI and its arguments', () => {
  const files = (present: Record<string, string | true>) => ({
    exists: async (path: string) => path in present,
    readText: async (path: string) => (typeof present[path] === 'string' ? (present[path] as string) : undefined),
  });

  it('finds the installed package the way Node resolves it: from the module folder up', async () => {
    const fs = files({ '/repo/node_modules/edge-durable/cli/bin.mjs': true, '/repo/packages/api/node_modules/other/x': true });
    expect(await locateCli('/repo/packages/api/src', '/repo', fs.exists, fs.readText)).toEqual({
      script: '/repo/node_modules/edge-durable/cli/bin.mjs',
      origin: 'installed',
    });
    const nearer = files({ '/repo/node_modules/edge-durable/cli/bin.mjs': true, '/repo/packages/api/node_modules/edge-durable/cli/bin.mjs': true });
    expect((await locateCli('/repo/packages/api/src/', '/repo', nearer.exists, nearer.readText))?.script).toBe(
      '/repo/packages/api/node_modules/edge-durable/cli/bin.mjs',
    );
  });

  it("falls back to the checkout's own bin only when the workspace is edge-durable", async () => {
    const checkout = files({ '/src/edge-durable/package.json': '{"name":"edge-durable"}', '/src/edge-durable/cli/bin.mjs': true });
    expect(await locateCli('/src/edge-durable/samples', '/src/edge-durable', checkout.exists, checkout.readText)).toEqual({
      script: '/src/edge-durable/cli/bin.mjs',
      origin: 'checkout',
    });
    const other = files({ '/w/package.json': '{"name":"shop"}', '/w/cli/bin.mjs': true });
    expect(await locateCli('/w/src', '/w', other.exists, other.readText)).toBeUndefined();
    const broken = files({ '/w/package.json': '{ not json', '/w/cli/bin.mjs': true });
    expect(await locateCli('/w/src', '/w', broken.exists, broken.readText)).toBeUndefined();
  });

  const installed = { script: '/w/node_modules/edge-durable/cli/bin.mjs', origin: 'installed' as const };

  it('builds durable replay --bundle --json and durable replay-test --json', () => {
    expect(replayArgs(installed, '/w/src/app.ts', '/tmp/x/history.json')).toEqual([
      '/w/node_modules/edge-durable/cli/bin.mjs',
      'replay',
      '/w/src/app.ts',
      '--bundle',
      '/tmp/x/history.json',
      '--json',
    ]);
    expect(replayTestArgs(installed, '/tmp/d', '/w/src/app.ts')).toEqual([
      '/w/node_modules/edge-durable/cli/bin.mjs',
      'replay-test',
      '/tmp/d',
      '/w/src/app.ts',
      '--json',
    ]);
  });

  it('debugs the replay as a Node launch with source maps, skipping Node internals and the engine', () => {
    const config = debugReplayConfiguration(installed, '/w/src/app.ts', '/tmp/x/h.json', '/w', 'order-1');
    expect(config).toMatchObject({
      type: 'node',
      request: 'launch',
      name: 'Debug Replay: order-1',
      program: '/w/node_modules/edge-durable/cli/bin.mjs',
      args: ['replay', '/w/src/app.ts', '--bundle', '/tmp/x/h.json'],
      cwd: '/w',
      sourceMaps: true,
      outputCapture: 'std',
    });
    expect(config.skipFiles).toEqual(expect.arrayContaining(['<node_internals>/**', '**/node_modules/edge-durable/**']));
    const checkout = debugReplayConfiguration({ script: '/src/ed/cli/bin.mjs', origin: 'checkout' }, '/src/ed/samples/index.ts', '/tmp/h.json', '/src/ed', 'x');
    expect(checkout.skipFiles).toEqual(expect.arrayContaining(['/src/ed/core/**', '/src/ed/cli/**']));
    // the user's own code is never skipped
    expect(checkout.skipFiles).not.toContain('/src/ed/samples/**');
  });
});

describe('the CLI output and the panel', () => {
  const diverged: CliReplayResult = {
    instanceId: 'order-1',
    name: 'Checkout',
    source: 'history.json',
    report: {
      ok: false,
      events: 9,
      divergence: {
        position: 5,
        recorded: { type: 'TaskScheduled', name: 'Charge', input: '"book"' },
        current: { type: 'ScheduleTask', name: 'Bill', input: '"book"' },
        location: { file: 'file:///w/src/orders%20v2/checkout.ts', line: 7, column: 31 },
      },
      message: "Non-deterministic orchestrator: at history position 5 the history records TaskScheduled 'Charge', but the code now schedules 'Bill'.",
    },
  };

  it('reads a single result, a list, and replay-test output with unreadable bundles', () => {
    const clean: CliReplayResult = { instanceId: 'a', name: 'A', report: { ok: true, events: 4 } };
    expect(parseCliOutput(0, JSON.stringify(clean), '').results).toEqual([clean]);
    expect(parseCliOutput(1, JSON.stringify({ results: [clean, diverged] }), '').results).toHaveLength(2);
    const withUnreadable = parseCliOutput(1, JSON.stringify({ results: [], unreadable: [{ source: '1.json', problem: 'bad' }] }), '');
    expect(withUnreadable.unreadable).toEqual([{ source: '1.json', problem: 'bad' }]);
  });

  it("turns the CLI's JSON error into a typed error with its hint, and anything else into the stderr tail", () => {
    const stderr = `${JSON.stringify({ error: { exitCode: 2, message: "Cannot load the app module 'x.ts': no such file.", hint: 'Pass the path.' } })}\n`;
    expect(() => parseCliOutput(2, '', stderr)).toThrow(ReplayRunError);
    expect(() => parseCliOutput(2, '', stderr)).toThrow("Cannot load the app module 'x.ts': no such file. Pass the path.");
    expect(() => parseCliOutput(1, 'not json', 'Error: boom\n    at x')).toThrow(/exited with 1: Error: boom/);
    expect(() => parseCliOutput(null, '', '')).toThrow('durable replay exited with a signal and printed no result.');
    // an exit code that is not a replay verdict is a failure even with JSON on stdout
    expect(() => parseCliOutput(3, JSON.stringify(diverged), '')).toThrow(ReplayRunError);
  });

  it('makes the divergence a two-column diff at its position, with the file of the call as a path', () => {
    const outcome = toOutcome(diverged, 'src/app.ts');
    expect(outcome).toEqual({
      kind: 'diverged',
      instanceId: 'order-1',
      name: 'Checkout',
      events: 9,
      appModule: 'src/app.ts',
      position: 5,
      recorded: `TaskScheduled 'Charge' input "book"`,
      current: `ScheduleTask 'Bill' input "book"`,
      location: { file: '/w/src/orders v2/checkout.ts', line: 7, column: 31 },
      message: diverged.report.ok ? '' : diverged.report.message,
    });
    expect(outcomeSummary(outcome)).toBe(
      `order-1 diverges at history position 5: recorded TaskScheduled 'Charge' input "book", code now ScheduleTask 'Bill' input "book" at checkout.ts:7`,
    );
    const html = renderReplayOutcome(outcome);
    expect(html).toContain('data-outcome="diverged"');
    expect(html).toContain(`<td class="position">5</td><td class="recorded">TaskScheduled &#39;Charge&#39; input &quot;book&quot;</td>`);
    expect(html).toContain(`<td class="current">ScheduleTask &#39;Bill&#39; input &quot;book&quot;</td>`);
    expect(html).toContain('data-action="openReplayLocation" data-id="/w/src/orders v2/checkout.ts:7:31"');
    expect(html).toContain('>checkout.ts:7:31</a>');
  });

  it('names the missing side when the history ends first or the code stops issuing steps', () => {
    const ended = toOutcome(
      { ...diverged, report: { ...diverged.report, divergence: { position: 9, current: { type: 'CreateTimer' } } } } as CliReplayResult,
      'app.ts',
    );
    expect(ended).toMatchObject({ recorded: '(the history ends here)', current: 'CreateTimer', location: undefined });
    expect(renderReplayOutcome(ended)).toContain('no line: the engine issued this step');
    const stopped = toOutcome(
      { ...diverged, report: { ...diverged.report, divergence: { position: 2, recorded: { type: 'TaskScheduled', name: 'A' } } } } as CliReplayResult,
      'app.ts',
    );
    expect(stopped).toMatchObject({ recorded: "TaskScheduled 'A'", current: '(no step)' });
  });

  it('says a clean replay with its event count and module, and escapes notes', () => {
    const clean = toOutcome({ instanceId: 'a', name: 'A', report: { ok: true, events: 12 } }, 'src/app.ts');
    expect(outcomeSummary(clean)).toBe('a replays cleanly (12 events) against src/app.ts');
    expect(renderReplayOutcome(clean)).toContain('Replays cleanly (12 events) against src/app.ts');
    expect(renderReplayNote('<b>', true)).toContain('&lt;b&gt;');
  });

  it('carries a location through the panel link, colons in the file included', () => {
    const link = { file: 'C:/w/src/app.ts', line: 12, column: 3 };
    expect(decodeLink(encodeLink(link))).toEqual(link);
    expect(decodeLink('no-line')).toBeUndefined();
  });
});
