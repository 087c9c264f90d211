/**
 * The page of tabs.chromium.test.ts: one tab of an origin running the browser host on a shared
 * database. `?tab=` names the tab; activities return their input with the name of the tab that
 * ran them. While `__tab.hang` is set, the activity 'Hang' starts and never ends in this tab.
 */
import { DurableApp, type OrchestrationContext } from '../../core/index.js';
import { startBrowserEngine } from '../../edge-worker/browser/index.js';

const name = new URLSearchParams(location.search).get('tab') ?? '?';
const tab = {
  name,
  hang: false,
  /** How many 'Hang' activities started here and never ended. */
  hanging: 0,
  electedAt: undefined as number | undefined,
};

const app = new DurableApp()
  .orchestration('Sequence', function* (context: OrchestrationContext) {
    const out: string[] = [];
    for (let i = 0; i < 3; i++) out.push(yield context.df.callActivity('Step', i));
    return out;
  })
  .orchestration('Slow', function* (context: OrchestrationContext) {
    return yield context.df.callActivity('Hang', 'slow');
  })
  .orchestration('Timer', function* (context: OrchestrationContext) {
    const ms = context.df.getInput<number>();
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + ms));
    return yield context.df.callActivity('Step', 'timer');
  })
  .orchestration('Waiting', function* (context: OrchestrationContext) {
    const value: string = yield context.df.waitForExternalEvent('Go');
    return yield context.df.callActivity('Step', value);
  })
  .activity('Step', (input: unknown) => `${input}@${name}`)
  .activity('Hang', async (input: string) => {
    if (tab.hang) {
      tab.hanging++;
      await new Promise(() => undefined);
    }
    return `${input}@${name}`;
  });

// Without a store notification, a Worker would notice new work only at its next poll: a minute
// here, so that everything the test sees happen promptly was woken by one.
const engine = await startBrowserEngine(app, { database: 'tabs-test', worker: { pollIntervalMs: 60_000 } });
void engine.elected.then((leading) => {
  if (leading) tab.electedAt = Date.now();
});
Object.assign(globalThis, { __tab: tab, __engine: engine });
