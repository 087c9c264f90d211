/**
 * Runs a program on the simulator (virtual clock, deterministic IDs) over one of the stores,
 * with or without faults, and collects what the comparison needs.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'fake-indexeddb/auto';
import Database from 'better-sqlite3';
import { IDBFactory } from 'fake-indexeddb';
import { type HistoryEvent, MemoryStorage, type OrchestrationStatus, type Storage } from '../../core/index.js';
import { checkHistory, Simulation } from '../../core/simulator/index.js';
import { IndexedDbStorage } from '../../core/store/indexeddb.js';
import { SqliteStorage } from '../../core/store/sqlite.js';
import { type FaultPlan, NO_FAULTS } from './faults.js';
import { eventName, fuzzApp, ORCHESTRATOR, Recorder, ROOT_ID, rootInput } from './interpreter.js';
import { observedStorage, StoreLog } from './observe.js';
import type { Program } from './program.js';

export const STORES = ['memory', 'sqlite', 'indexeddb'] as const;
export type StoreKind = (typeof STORES)[number];

/** At most this many rewinds (faults are off after the first). */
const MAX_REWINDS = 3;

export interface Outcome {
  runtimeStatus: string;
  output: unknown;
  customStatus: unknown;
}

export interface RunResult {
  /** Final status of every instance, root and sub-orchestrations. */
  instances: Map<string, Outcome>;
  /** Structural problems (checkHistory) of every history, final and replaced by continue-as-new. */
  problems: string[];
  /** Successful activity executions by `instanceId|name|input`. */
  executions: Map<string, number>;
  /** Activity results recorded in histories (rewound ones excluded) by `instanceId|name|input`. */
  recorded: Map<string, number>;
  creations: Map<string, number>;
  crashes: number;
  rewinds: number;
  /** Applied durable writes and delivered completions, as the plan names them. */
  writeKeys: string[];
  completionKeys: string[];
  duplicated: number;
  injected: number;
  /** The root's history as a tree, sub-orchestrations nested. */
  tree: string;
}

async function openStorage(kind: StoreKind, seed: number): Promise<{ storage: Storage; dispose: () => Promise<void> }> {
  switch (kind) {
    case 'memory':
      return { storage: new MemoryStorage(), dispose: async () => undefined };
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'edge-durable-fuzz-'));
      const db = new Database(join(dir, 'durable.db'));
      return {
        storage: new SqliteStorage(db),
        dispose: async () => {
          db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    case 'indexeddb': {
      const storage = await IndexedDbStorage.open(`fuzz-${seed}`, { indexedDB: new IDBFactory() });
      return { storage, dispose: () => storage.close() };
    }
  }
}

/** The root's events with the times the driver raises them, for every generation. */
function events(program: Program): { name: string; at: number }[] {
  const out: { name: string; at: number }[] = [];
  for (const s of program.steps)
    if ((s.t === 'event' || s.t === 'race') && s.at !== undefined)
      for (let g = 0; g <= program.generations; g++) out.push({ name: eventName(s.id, g), at: s.at });
  return out;
}

export interface RunOptions {
  store: StoreKind;
  seed: number;
  plan?: FaultPlan;
  /** More inputs once the run is idle (a reset, ...); the simulation then runs until idle again. */
  afterIdle?: (sim: Simulation) => Promise<void>;
}

export async function runProgram(program: Program, options: RunOptions): Promise<RunResult> {
  const plan = options.plan ?? NO_FAULTS;
  const recorder = new Recorder();
  recorder.failing = new Map(Object.entries(plan.failures).map(([name, attempts]) => [name, new Set(attempts)]));
  const log = new StoreLog();
  const { storage, dispose } = await openStorage(options.store, options.seed);
  try {
    let rewinds = 0;
    const observed = observedStorage(storage, plan, log, {
      crash: () => sim.crashAfterCommit(sim.commits + 1),
      // The operator rewinds as soon as the root fails, having fixed the activities; events raised later still reach it.
      failed: (instanceId) => {
        if (!plan.rewind || instanceId !== ROOT_ID || rewinds >= MAX_REWINDS) return;
        rewinds++;
        recorder.faultsOn = false;
        sim.at(0, `rewind ${rewinds}`, (client) => client.rewind(ROOT_ID, `fuzz: rewind ${rewinds}`));
      },
    });
    const sim = new Simulation(fuzzApp(program, recorder), { storage: observed, seed: options.seed, maxSteps: 10_000 });
    await sim.startNew(ORCHESTRATOR, { instanceId: ROOT_ID, input: rootInput() });
    for (const e of events(program)) await sim.raiseEvent(ROOT_ID, e.name, `data of ${e.name}`, { at: e.at });
    await sim.runUntilIdle();
    if (options.afterIdle) {
      await options.afterIdle(sim);
      await sim.runUntilIdle();
    }
    const instances = new Map<string, Outcome>();
    const histories: HistoryEvent[][] = log.currentArchives();
    for (const status of await allInstances(sim)) {
      instances.set(status.instanceId, { runtimeStatus: status.runtimeStatus, output: status.output, customStatus: status.customStatus });
      histories.push(await sim.getHistory(status.instanceId));
    }
    return {
      instances,
      problems: histories.flatMap((h) => checkHistory(h).map((p) => `${instanceOf(h)}: ${p}`)),
      executions: recorder.executions,
      recorded: recordedResults(histories),
      creations: log.creations,
      crashes: sim.log.filter((e) => e.kind === 'crash').length,
      rewinds,
      writeKeys: log.writeKeys,
      completionKeys: log.completionKeys,
      duplicated: log.duplicated,
      injected: recorder.injected,
      tree: await sim.formatHistoryTree(ROOT_ID, { ascii: true, maxValueLength: 60 }),
    };
  } finally {
    await dispose();
  }
}

async function allInstances(sim: Simulation): Promise<OrchestrationStatus[]> {
  const out: OrchestrationStatus[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await sim.store.queryInstances({ pageSize: 1000, continuationToken });
    for (const record of page.instances) out.push((await sim.getStatus(record.instanceId))!);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out.sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
}

const instanceOf = (history: readonly HistoryEvent[]) => history.find((e) => e.type === 'ExecutionStarted')?.orchestrationInstance.instanceId ?? '?';

/** TaskCompleted events (not retired by a rewind) by the (instance, name, input) of their TaskScheduled. */
function recordedResults(histories: readonly HistoryEvent[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const history of histories) {
    const instanceId = instanceOf(history);
    const scheduled = new Map<number, { name: string; input?: string }>();
    for (const e of history) {
      if (e.type === 'TaskScheduled') scheduled.set(e.eventId, e);
      if (e.type !== 'TaskCompleted') continue;
      const call = scheduled.get(e.taskScheduledId);
      const key = `${instanceId}|${call?.name ?? '?'}|${call?.input ?? ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}
