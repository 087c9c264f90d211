/**
 * The offline simulator: a whole engine (client, worker, in-memory store) on a virtual
 * clock, driven step by step, like Temporal's time-skipping test environment.
 *
 * - `runUntilIdle()` runs everything that is due; when nothing else can run, it moves the
 *   clock to the next timer, lease expiry or scheduled input, so a 30-day timer takes
 *   milliseconds.
 * - Every ID and timestamp comes from the seed and the virtual clock: the same inputs
 *   give a byte-identical history.
 * - Faults: activities that fail on chosen attempts, and worker crashes right after a
 *   chosen durable write (in-flight work is lost, the replay cache with it, leases lapse
 *   in virtual time and a fresh worker takes over).
 *
 * Web-standard APIs only: it runs in browsers, workerd and Node.
 * @module
 */
import type { DurableApp } from '../app.js';
import { DurableClient, type StartOptions } from '../client.js';
import { VirtualClock } from '../clock.js';
import { InvalidArgumentError, isDurableError } from '../errors.js';
import type { HistoryEvent } from '../history.js';
import { DEFAULT_TASK_HUB } from '../limits.js';
import type { OrchestrationStatus } from '../status.js';
import { MemoryStorage } from '../store/memory.js';
import type { Storage, TaskHubStore } from '../store/port.js';
import { Worker, type WorkerOptions } from '../worker/index.js';
import { type ActivityFault, ActivityFaults, GenerationStore, isSimulatedCrash } from './faults.js';
import { deterministicIds } from './ids.js';
import { type ChildHistory, formatHistoryTree, type TreeOptions } from './tree.js';

export const DEFAULT_SIMULATION_START = '2026-01-01T00:00:00.000Z';

export interface SimulationOptions {
  /** Virtual time at which the simulation starts. Default 2026-01-01T00:00:00Z. */
  start?: Date | number | string;
  /** Seed of the instance, execution and message IDs. Default 0. */
  seed?: number | string;
  taskHub?: string;
  /** Default: a new in-memory store. */
  storage?: Storage;
  /** The worker's replay cache; `false` replays every episode from history (strict mode). Default 1000. */
  replayCache?: number | false;
  /** Other worker options (lock durations, concurrency). */
  worker?: Omit<WorkerOptions, 'clock' | 'newId' | 'onError' | 'replayCache'>;
  /** Guard against eternal orchestrations: `runUntilIdle` gives up after this many clock jumps. Default 1,000,000. */
  maxSteps?: number;
}

export interface RunOptions {
  /** Do not move the clock past this time (an absolute time, or ms from now). */
  until?: Date | number;
}

export interface ScheduleOptions {
  /** When, in virtual time: an absolute Date, or a delay in ms from now. Default: now. */
  at?: Date | number;
  /** A delay in ms from now (same as a number `at`). */
  delayMs?: number;
}

export type SimulationLogEntry =
  | { time: string; kind: 'crash'; afterWrite: number; message: string }
  | { time: string; kind: 'restart'; message: string }
  | { time: string; kind: 'fault'; activity: string; instanceId: string; attempt: number; message: string }
  | { time: string; kind: 'input'; label: string; message: string }
  | { time: string; kind: 'dropped'; label: string; message: string };

type LogInput = SimulationLogEntry extends infer E ? (E extends unknown ? Omit<E, 'time'> : never) : never;

interface AgendaItem {
  at: number;
  seq: number;
  label: string;
  run: () => Promise<void>;
}

const toMs = (value: Date | number | string): number => {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`'${String(value)}' is not a valid time.`);
  return ms;
};

export class Simulation {
  readonly clock: VirtualClock;
  readonly storage: Storage;
  readonly client: DurableClient;
  readonly store: TaskHubStore;
  /** Crashes, restarts, injected faults and scheduled inputs, in order. */
  readonly log: SimulationLogEntry[] = [];

  private readonly app: DurableApp;
  private readonly newId: (derivedFrom?: string) => string;
  private readonly faults: ActivityFaults;
  private readonly crashPoints = new Set<number>();
  private readonly agenda: AgendaItem[] = [];
  private agendaSeq = 0;
  private writes = 0;
  private progress = 0;
  private worker: Worker;
  private generation: GenerationStore;
  private readonly workerErrors: unknown[] = [];

  constructor(
    app: DurableApp,
    private readonly options: SimulationOptions = {},
  ) {
    this.clock = new VirtualClock(toMs(options.start ?? DEFAULT_SIMULATION_START));
    this.storage = options.storage ?? new MemoryStorage();
    this.newId = deterministicIds(options.seed ?? 0);
    this.faults = new ActivityFaults((f) => this.record({ kind: 'fault', ...f }));
    this.app = this.faults.wrap(app);
    this.client = new DurableClient({ storage: this.storage, taskHub: options.taskHub ?? DEFAULT_TASK_HUB, app, clock: this.clock, newId: this.newId });
    this.store = this.storage.taskHub(this.client.taskHubName);
    [this.worker, this.generation] = this.newWorker();
  }

  /** The virtual time. */
  now(): Date {
    return new Date(this.clock.now());
  }

  /** Durable writes (episode commits and activity results) so far, across worker restarts. */
  get commits(): number {
    return this.writes;
  }

  // ---- inputs ----

  startNew(orchestratorName: string, options: StartOptions = {}): Promise<string> {
    return this.client.startNew(orchestratorName, options);
  }

  /**
   * Raises an event now, or schedules it at a virtual time. A scheduled event that finds
   * the instance finished or gone is dropped and logged, as a late HTTP call would get 410/404.
   */
  async raiseEvent(instanceId: string, eventName: string, eventData?: unknown, options: ScheduleOptions = {}): Promise<void> {
    const at = this.when(options);
    if (at === undefined) return this.client.raiseEvent(instanceId, eventName, eventData);
    this.at(new Date(at), `raise '${eventName}' to '${instanceId}'`, () => this.client.raiseEvent(instanceId, eventName, eventData));
  }

  /**
   * Schedules any action at a virtual time (ms from now, or a Date): terminate, suspend,
   * start another instance... Instance-state errors (finished, not found) are logged as
   * dropped; other errors surface from `runUntilIdle`.
   */
  at(when: Date | number, label: string, action: (client: DurableClient) => Promise<unknown>): void {
    const at = typeof when === 'number' ? this.clock.now() + when : when.getTime();
    if (!Number.isFinite(at)) throw new InvalidArgumentError(`Cannot schedule '${label}' at an invalid time.`);
    const item: AgendaItem = {
      at: Math.max(at, this.clock.now()),
      seq: this.agendaSeq++,
      label,
      run: async () => {
        await action(this.client);
      },
    };
    // Sorted by (at, seq); scheduling in time order (the common case) appends.
    let i = this.agenda.length;
    while (i > 0 && this.agenda[i - 1]!.at > item.at) i--;
    this.agenda.splice(i, 0, item);
  }

  // ---- faults ----

  /** Makes activity `name` fail on the chosen attempts (all attempts when none is chosen). */
  failActivity(name: string, fault: ActivityFault = {}): this {
    this.faults.add(name, fault);
    return this;
  }

  /** How many times activity `name` has run for the instance (failed, crashed and retried calls included). */
  activityAttempts(instanceId: string, name: string): number {
    return this.faults.attemptsOf(instanceId, name);
  }

  /**
   * The worker dies right after durable write number `n` (counted from the start of the
   * simulation, across restarts): what it still had in flight is lost, its replay cache
   * with it; its leases lapse in virtual time and a fresh worker carries on.
   */
  crashAfterCommit(...n: number[]): this {
    for (const k of n) {
      if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`crashAfterCommit needs write numbers of at least 1; got ${String(k)}.`);
      this.crashPoints.add(k);
    }
    return this;
  }

  /** A graceful restart: a new worker with an empty replay cache (no leases are lost). */
  async restartWorker(): Promise<void> {
    await this.worker.stop();
    this.record({ kind: 'restart', message: 'Worker restarted (replay cache cleared).' });
    [this.worker, this.generation] = this.newWorker();
  }

  // ---- running ----

  /** Runs what is due now, without moving the clock. */
  async runDue(): Promise<void> {
    await this.runAgendaDue();
    await this.drain();
  }

  /**
   * Runs until nothing is left to do: whenever nothing can run, the clock jumps to the next
   * timer, lease expiry or scheduled input. With `until`, stops before anything later than that.
   */
  async runUntilIdle(options: RunOptions = {}): Promise<void> {
    const limit = options.until === undefined ? undefined : typeof options.until === 'number' ? this.clock.now() + options.until : options.until.getTime();
    const maxSteps = this.options.maxSteps ?? 1_000_000;
    let steps = 0;
    let stalled = 0;
    for (;;) {
      const before = this.progress + this.writes;
      await this.runDue();
      const next = await this.nextWakeTime();
      if (next === undefined || (limit !== undefined && next > limit)) return;
      if (next <= this.clock.now()) {
        // Something claims to be due but nothing ran: guard against spinning forever.
        stalled = this.progress + this.writes === before ? stalled + 1 : 0;
        if (stalled > 100) throw new Error(`The simulation is stuck at ${this.now().toISOString()}: work is due but none can be leased.`);
        continue;
      }
      if (++steps > maxSteps) {
        throw new Error(
          `The simulation did not become idle within ${maxSteps} clock jumps (virtual time ${this.now().toISOString()}); an eternal orchestration? Pass { until } to runUntilIdle.`,
        );
      }
      this.clock.advanceTo(next);
    }
  }

  /** Moves the clock forward by `ms`, running everything that becomes due on the way. */
  async advanceTime(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new InvalidArgumentError(`advanceTime needs a non-negative number of ms; got ${String(ms)}.`);
    await this.advanceTo(this.clock.now() + ms);
  }

  /** Moves the clock to `time`, running everything that becomes due on the way. */
  async advanceTo(time: Date | number): Promise<void> {
    const target = typeof time === 'number' ? time : time.getTime();
    await this.runUntilIdle({ until: new Date(target) });
    this.clock.advanceTo(target);
    await this.runDue();
  }

  /** Starts an orchestration, runs until idle and returns its final status. */
  async run(orchestratorName: string, options: StartOptions & RunOptions = {}): Promise<OrchestrationStatus> {
    const { until, ...start } = options;
    const id = await this.startNew(orchestratorName, start);
    await this.runUntilIdle(until === undefined ? {} : { until });
    return (await this.getStatus(id))!;
  }

  // ---- inspection ----

  getStatus(instanceId: string): Promise<OrchestrationStatus | null> {
    return this.client.getStatus(instanceId, { showInput: true });
  }

  /** The raw history of the instance's current execution. */
  getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.client.getHistory(instanceId);
  }

  /** The instance's history as a readable tree, sub-orchestrations nested, then its status. */
  async formatHistoryTree(instanceId: string, options: TreeOptions = {}): Promise<string> {
    const children = new Map<string, ChildHistory>();
    const visit = async (id: string): Promise<HistoryEvent[]> => {
      const history = await this.store.getHistory(id);
      for (const e of history) {
        if (e.type === 'SubOrchestrationInstanceCreated' && !children.has(e.instanceId)) {
          const status = await this.client.getStatus(e.instanceId);
          children.set(e.instanceId, { history: [], status });
          if (status) children.get(e.instanceId)!.history = await visit(e.instanceId);
        }
      }
      return history;
    };
    const history = await visit(instanceId);
    return formatHistoryTree(history, await this.getStatus(instanceId), { children: (id) => children.get(id), ...options });
  }

  // ---- internals ----

  private newWorker(): [Worker, GenerationStore] {
    const generation = new GenerationStore(this.store, {
      written: () => {
        this.writes++;
        return this.crashPoints.has(this.writes) ? this.writes : undefined;
      },
      leased: () => {
        this.progress++;
      },
    });
    const worker = new Worker(this.app, generation, {
      ...this.options.worker,
      clock: this.clock,
      newId: this.newId,
      replayCache: this.options.replayCache ?? 1000,
      onError: (error) => {
        if (!isSimulatedCrash(error)) this.workerErrors.push(error);
      },
    });
    return [worker, generation];
  }

  /** Runs the worker until it is idle, replacing it whenever it crashes. */
  private async drain(): Promise<void> {
    for (;;) {
      let crashed = false;
      try {
        await this.worker.runUntilIdle();
      } catch (error) {
        if (!isSimulatedCrash(error)) throw error;
        crashed = true;
      }
      if (!crashed && !this.generation.isDead) break;
      // The dead process's leftovers can no longer touch the store; let them settle first.
      await this.worker.stop();
      const afterWrite = this.generation.diedAfter || this.writes;
      this.record({ kind: 'crash', afterWrite, message: `Worker crashed after durable write #${afterWrite}; in-flight work and the replay cache are lost.` });
      [this.worker, this.generation] = this.newWorker();
    }
    if (this.workerErrors.length) {
      const errors = this.workerErrors.splice(0);
      const first = errors[0];
      throw first instanceof Error && errors.length === 1
        ? first
        : new AggregateError(errors, `The worker reported ${errors.length} errors; the first: ${first instanceof Error ? first.message : String(first)}`);
    }
  }

  private async runAgendaDue(): Promise<void> {
    while (this.agenda.length && this.agenda[0]!.at <= this.clock.now()) {
      const item = this.agenda.shift()!;
      this.progress++;
      try {
        await item.run();
        this.record({ kind: 'input', label: item.label, message: `Ran scheduled input: ${item.label}.` });
      } catch (error) {
        if (!isDurableError(error, 'InvalidState') && !isDurableError(error, 'InstanceNotFound')) throw error;
        this.record({ kind: 'dropped', label: item.label, message: `Dropped scheduled input ${item.label}: ${error.message}` });
      }
    }
  }

  private async nextWakeTime(): Promise<number | undefined> {
    const store = await this.store.nextWakeTime();
    const agenda = this.agenda[0]?.at;
    if (store === undefined) return agenda;
    return agenda === undefined ? store : Math.min(store, agenda);
  }

  private when(options: ScheduleOptions): number | undefined {
    if (options.at !== undefined && options.delayMs !== undefined) throw new InvalidArgumentError('Pass either at or delayMs, not both.');
    if (options.delayMs !== undefined) return this.clock.now() + options.delayMs;
    if (options.at === undefined) return undefined;
    return typeof options.at === 'number' ? this.clock.now() + options.at : options.at.getTime();
  }

  private record(entry: LogInput): void {
    this.log.push({ time: this.now().toISOString(), ...entry } as SimulationLogEntry);
  }
}
