// Check Against Code below VS Code: an instance recorded by the real Node host, its bundle built through the wire
// client as the command builds it, and the real `durable replay` CLI of this checkout run in a child process by the
// extension's runner, against an app module that still matches the history and one that was edited.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/commands/panel-commands.js';
import { locateCli, replayArgs, replayTestArgs } from '../../src/replay/cli-args.js';
import { nodeApi, runNode } from '../../src/replay/node-host.js';
import { parseCliOutput, ReplayRunError, toOutcome } from '../../src/replay/replay-result.js';
import { uniqueHub } from '../support/explorer.js';
import { useLiveBackend } from '../support/live.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const live = useLiveBackend();
const node = nodeApi()!;
let dir: string;
let bundleFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-replay-cli-'));
  const hub = uniqueHub();
  await live.client.startNew(hub, 'HelloSequence', null, 'hello-r');
  await live.waitForStatus(hub, 'hello-r', 'Completed');
  bundleFile = join(dir, 'hello-r.json');
  writeFileSync(bundleFile, JSON.stringify(await buildBundle(live.client, hub, 'hello-r', Date.now())));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'replay-cli-test', private: true, type: 'module' }));
  writeFileSync(join(dir, 'same.ts'), `import { registerSamples } from '${REPO}/samples/index.ts';\nexport default registerSamples();\n`);
  writeFileSync(
    join(dir, 'edited.ts'),
    [
      `import { DurableApp, type OrchestrationContext } from '${REPO}/core/index.ts';`,
      'function* HelloSequence(context: OrchestrationContext) {',
      '  const out: string[] = [];',
      "  out.push(yield context.df.callActivity('SayHello', 'Tokyo'));",
      "  out.push(yield context.df.callActivity('SayGoodbye', 'Seattle'));",
      '  return out;',
      '}',
      "export default new DurableApp().orchestration('HelloSequence', HelloSequence).activity('SayHello', (c: string) => c).activity('SayGoodbye', (c: string) => c);",
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('durable replay run by the extension', () => {
  it('is this Node host, and finds the checkout bin for a module inside the checkout', async () => {
    expect(node).toBeDefined();
    expect(await locateCli(`${REPO}/samples`, REPO, node.exists, node.readText)).toEqual({ script: `${REPO}/cli/bin.mjs`, origin: 'checkout' });
  });

  it('replays the recorded history cleanly against the code that recorded it', async () => {
    const cli = { script: `${REPO}/cli/bin.mjs`, origin: 'checkout' as const };
    const run = await runNode(node, replayArgs(cli, join(dir, 'same.ts'), bundleFile), dir);
    const [result] = parseCliOutput(run.exitCode, run.stdout, run.stderr).results;
    const outcome = toOutcome(result!, 'same.ts');
    expect(outcome.kind).toBe('clean');
    expect(outcome.events).toBeGreaterThanOrEqual(8);
  }, 60_000);

  it('reports the edit as the recorded step against the code step, at the line of the call', async () => {
    const cli = { script: `${REPO}/cli/bin.mjs`, origin: 'checkout' as const };
    const run = await runNode(node, replayArgs(cli, join(dir, 'edited.ts'), bundleFile), dir);
    expect(run.exitCode).toBe(1);
    const outcome = toOutcome(parseCliOutput(run.exitCode, run.stdout, run.stderr).results[0]!, 'edited.ts');
    expect(outcome).toMatchObject({
      kind: 'diverged',
      recorded: `TaskScheduled 'SayHello' input "Seattle"`,
      current: `ScheduleTask 'SayGoodbye' input "Seattle"`,
      location: { file: join(dir, 'edited.ts'), line: 5 },
    });
    // the same bundle through replay-test, as a hub check runs it
    const test = await runNode(node, replayTestArgs(cli, dir, join(dir, 'edited.ts')), dir);
    const { results } = parseCliOutput(test.exitCode, test.stdout, test.stderr);
    expect(results.map((r) => [r.instanceId, r.report.ok])).toEqual([['hello-r', false]]);
  }, 60_000);

  it('says what is wrong when the module does not exist', async () => {
    const cli = { script: `${REPO}/cli/bin.mjs`, origin: 'checkout' as const };
    const run = await runNode(node, replayArgs(cli, join(dir, 'missing.ts'), bundleFile), dir);
    expect(() => parseCliOutput(run.exitCode, run.stdout, run.stderr)).toThrow(ReplayRunError);
    expect(() => parseCliOutput(run.exitCode, run.stdout, run.stderr)).toThrow(/missing\.ts/);
  }, 60_000);
});
