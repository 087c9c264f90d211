/**
 * The browser host: one Worker per task hub and origin. Every context (tab, or dedicated or
 * shared worker) that starts the engine on a database gets a client; the one that holds the
 * hub's Web Lock (see leader.ts) also runs the Worker. The others' writes go straight to
 * IndexedDB, and the store tells the leader of each at once over a BroadcastChannel (see
 * core/store/indexeddb/connection.ts), so its Worker wakes without waiting for its poll.
 *
 * No work runs twice: only the lock holder runs a Worker. A new holder knows that every earlier
 * one is gone, so before its Worker starts it releases the leases they held
 * (`TaskHubStore.releaseLeases`), and their work is delivered again at once instead of when the
 * leases lapse. A leader that stops lets its Worker finish before it gives the lock back; a page
 * that is being hidden for good stops leasing at once, and its lock goes with it.
 * @module
 */
import type { DurableApp } from '../../core/app.js';
import { DurableClient } from '../../core/client.js';
import { DEFAULT_TASK_HUB, validateTaskHubName } from '../../core/limits.js';
import { type IndexedDbOptions, IndexedDbStorage } from '../../core/store/indexeddb.js';
import { Worker, type WorkerOptions } from '../../core/worker/index.js';
import { type Candidacy, lockManager, standForLeader } from './leader.js';

export interface BrowserEngineOptions {
  /** The IndexedDB database. Default 'edge-durable'. */
  database?: string;
  /** Default 'DurableFunctionsHub'. */
  taskHub?: string;
  /** For the Worker this context runs while it leads. */
  worker?: WorkerOptions;
  /** For the IndexedDB connection. */
  storage?: IndexedDbOptions;
  /** The Web Lock that elects the leader. Default `edge-durable:<database>:<taskHub>`: one Worker per hub and origin. */
  lockName?: string;
  /** Default `navigator.locks`. */
  locks?: LockManager;
}

export class BrowserEngine {
  /** Whether this context runs the Worker now. */
  isLeader = false;
  /** Resolves with true once this context runs the Worker, or with false if it stops first. */
  readonly elected: Promise<boolean>;
  private readonly worker: Worker;
  private readonly candidacy: Candidacy;
  private elect!: (leading: boolean) => void;
  /** The Worker's stop in progress, if it is stopping or stopped. */
  private halted: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private readonly onPageHide = (): void => {
    if (this.isLeader) this.halted ??= this.worker.stop();
  };
  private readonly onPageShow = (event: Event): void => {
    // Back from the back/forward cache, still holding the lock: run again once the Worker has stopped.
    if (!(event as PageTransitionEvent).persisted || !this.isLeader || this.stopped) return;
    const halted = this.halted;
    void halted?.then(() => {
      if (this.halted !== halted || this.stopped) return;
      this.halted = undefined;
      this.worker.start();
    });
  };

  constructor(
    readonly client: DurableClient,
    readonly storage: IndexedDbStorage,
    app: DurableApp,
    options: BrowserEngineOptions,
    lockName: string,
  ) {
    const store = storage.taskHub(client.taskHubName);
    this.worker = new Worker(app, store, options.worker);
    this.elected = new Promise((resolve) => {
      this.elect = resolve;
    });
    this.candidacy = standForLeader(lockManager(options.locks), lockName, async (resigned) => {
      try {
        await store.releaseLeases?.();
      } catch (error) {
        (options.worker?.onError ?? console.error)(error);
        return;
      }
      if (this.stopped) return;
      this.worker.start();
      this.isLeader = true;
      this.elect(true);
      await resigned;
      this.isLeader = false;
      await (this.halted ?? this.worker.stop());
    });
    globalThis.addEventListener?.('pagehide', this.onPageHide);
    globalThis.addEventListener?.('pageshow', this.onPageShow);
  }

  /** Stops: the Worker finishes the work in flight, then the lock goes to the next context and the database is closed. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      globalThis.removeEventListener?.('pagehide', this.onPageHide);
      globalThis.removeEventListener?.('pageshow', this.onPageShow);
      this.candidacy.withdraw();
      await this.candidacy.done;
      this.elect(false);
      await this.storage.close();
    })();
    return this.stopped;
  }
}

/** Opens the database and starts this context's part: a client at once, and the Worker whenever it is elected. */
export async function startBrowserEngine(app: DurableApp, options: BrowserEngineOptions = {}): Promise<BrowserEngine> {
  const database = options.database ?? 'edge-durable';
  // Checked before anything is opened.
  const taskHub = validateTaskHubName(options.taskHub ?? DEFAULT_TASK_HUB);
  const locks = lockManager(options.locks);
  const storage = await IndexedDbStorage.open(database, options.storage);
  const client = new DurableClient({ storage, app, taskHub });
  return new BrowserEngine(client, storage, app, { ...options, locks }, options.lockName ?? `edge-durable:${database}:${taskHub}`);
}
