/**
 * The one generic orchestrator that runs a program (program.ts), and its activities. Each
 * activity call site has its own name (`A<id>`) and takes the instance's key and generation as
 * input (`key#generation`), so (instance, name, input) identifies one logical call, and a result
 * names the call it answers (a fork under a new ID, whose input is the same, gets the same results).
 * @module
 */
import { DurableApp, type DurableOrchestrationContext, type OrchestrationContext, RetryOptions, type Task } from '../../core/index.js';
import { type Act, type Program, programsOf, type Step, type Sub, type Timer } from './program.js';

export const ORCHESTRATOR = 'Fuzz';
export const ROOT_ID = 'r';
const RETRY_INTERVAL_MS = 1000;

export interface FuzzInput {
  /** The program's sub-orchestration id (-1: the root). */
  p: number;
  /** The instance ID, derived from the parent's key, generation and call site: identical in every run. */
  k: string;
  g: number;
  acc: unknown[];
}

export const eventName = (id: number, generation: number) => `E${id}_${generation}`;
export const rootInput = (): FuzzInput => ({ p: -1, k: ROOT_ID, g: 0, acc: [] });

/** What the activities did: successful executions, attempts, and the failures to inject. */
export class Recorder {
  /** Successful executions by `instanceId|name|input`. */
  readonly executions = new Map<string, number>();
  private readonly attempts = new Map<string, number>();
  /** Activity name → the attempts (1-based, counted per instance) that throw while `faultsOn`. */
  failing = new Map<string, ReadonlySet<number>>();
  faultsOn = true;
  injected = 0;

  run(name: string, instanceId: string, input: string): string {
    const at = `${instanceId}|${name}`;
    const attempt = (this.attempts.get(at) ?? 0) + 1;
    this.attempts.set(at, attempt);
    if (this.faultsOn && this.failing.get(name)?.has(attempt)) {
      this.injected++;
      throw new Error(`Injected failure of ${name} in '${instanceId}' (attempt ${attempt}).`);
    }
    const key = `${instanceId}|${name}|${JSON.stringify(input)}`;
    this.executions.set(key, (this.executions.get(key) ?? 0) + 1);
    return `${name}@${input}`;
  }
}

export function fuzzApp(root: Program, recorder: Recorder): DurableApp {
  const programs = programsOf(root);
  const app = new DurableApp().orchestration(ORCHESTRATOR, function* (context: OrchestrationContext) {
    const df = context.df;
    const input = df.getInput<FuzzInput>();
    const program = programs.get(input.p)!;
    const out: unknown[] = [];
    for (const [i, step] of program.steps.entries()) out.push(yield* runStep(df, step, input, i));
    const acc = [...input.acc, out];
    if (input.g < program.generations) {
      df.continueAsNew({ ...input, g: input.g + 1, acc }, true);
      return undefined;
    }
    return acc;
  });
  for (const name of activityNames(programs.values())) app.activity(name, (input: string, context) => recorder.run(name, context.instanceId, input));
  return app;
}

function activityNames(programs: Iterable<Program>): string[] {
  const names: string[] = [];
  for (const p of programs)
    for (const s of p.steps)
      for (const leaf of s.t === 'all' ? s.items : [s]) if (leaf.t === 'act' || (leaf.t === 'race' && leaf.against === 'act')) names.push(`A${leaf.id}`);
  return names;
}

const activityInput = (input: FuzzInput) => `${input.k}#${input.g}`;

function callActivity(df: DurableOrchestrationContext, id: number, retry: number | undefined, input: FuzzInput): Task {
  const name = `A${id}`;
  const payload = activityInput(input);
  return retry ? df.callActivityWithRetry(name, new RetryOptions(RETRY_INTERVAL_MS, retry), payload) : df.callActivity(name, payload);
}

function leafTask(df: DurableOrchestrationContext, leaf: Act | Timer | Sub, input: FuzzInput): Task {
  switch (leaf.t) {
    case 'act':
      return callActivity(df, leaf.id, leaf.retry, input);
    case 'timer':
      return df.createTimer(new Date(df.currentUtcDateTime.getTime() + leaf.ms));
    case 'sub': {
      const child = `${input.k}.${input.g}.${leaf.id}`;
      const childInput: FuzzInput = { p: leaf.id, k: child, g: 0, acc: [] };
      return leaf.retry
        ? df.callSubOrchestratorWithRetry(ORCHESTRATOR, new RetryOptions(RETRY_INTERVAL_MS, leaf.retry), childInput, child)
        : df.callSubOrchestrator(ORCHESTRATOR, childInput, child);
    }
  }
}

function* runStep(df: DurableOrchestrationContext, step: Step, input: FuzzInput, index: number): Generator<Task, unknown, any> {
  switch (step.t) {
    case 'act':
      if (!step.fallback) return yield leafTask(df, step, input);
      try {
        return yield leafTask(df, step, input);
      } catch {
        return yield df.callActivity(`A${step.id}`, activityInput(input));
      }
    case 'timer':
    case 'sub':
      return yield leafTask(df, step, input);
    case 'all':
      return yield df.Task.all(step.items.map((leaf) => leafTask(df, leaf, input)));
    case 'event':
      return yield df.waitForExternalEvent(eventName(step.id, input.g));
    case 'race': {
      const contender = step.against === 'act' ? callActivity(df, step.id, step.retry, input) : df.waitForExternalEvent(eventName(step.id, input.g));
      const timer = df.createTimer(new Date(df.currentUtcDateTime.getTime() + step.timerMs));
      const winner: Task = yield df.Task.any([contender, timer]);
      if (winner === timer) return 'timer won';
      if (step.cancel) timer.cancel();
      if (winner.isFaulted) throw winner.error;
      return winner.result;
    }
    case 'status':
      df.setCustomStatus({ g: input.g, step: index });
      return 'status set';
  }
}
