/**
 * Polls running instances while the explorer is visible. A chained timeout rather than setInterval, so a slow
 * server never gets overlapping polls.
 */
import type * as vscode from 'vscode';

export interface AutoRefreshSettings {
  enabled: boolean;
  intervalMs: number;
}

export class AutoRefresher implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Bumped by stop(): a tick that was already running when settings changed must not schedule again. */
  private generation = 0;
  private inFlight: Promise<unknown> | undefined;

  constructor(
    private readonly tick: () => Promise<unknown>,
    private readonly settings: () => AutoRefreshSettings,
    private readonly isVisible: () => boolean,
  ) {}

  /** (Re)starts polling with the current settings; stops when disabled. */
  restart(): void {
    this.stop();
    if (this.disposed) return;
    const { enabled, intervalMs } = this.settings();
    if (!enabled) return;
    const generation = this.generation;
    const schedule = () => {
      this.timer = setTimeout(
        async () => {
          let mine: Promise<unknown> | undefined;
          try {
            // a poll still running from before a restart counts as this tick
            if (this.isVisible() && !this.inFlight) {
              this.inFlight = mine = this.tick();
              await mine;
            }
          } finally {
            if (mine && this.inFlight === mine) this.inFlight = undefined;
            if (generation === this.generation && !this.disposed) schedule();
          }
        },
        Math.max(intervalMs, 250),
      );
    };
    schedule();
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  stop(): void {
    this.generation++;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }
}
