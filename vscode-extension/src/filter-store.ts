/** Remembers each task hub's instance filter across reloads (workspace state, keyed by connection and hub). */
import type * as vscode from 'vscode';
import { EMPTY_FILTER, type InstanceFilter } from './filters.js';
import { isRuntimeStatus } from './wire.js';

const STATE_KEY = 'edgeDurable.filters';

export class FilterStore {
  constructor(private readonly state: vscode.Memento) {}

  get(key: string): InstanceFilter {
    const stored = this.all()[key];
    if (!stored) return EMPTY_FILTER;
    // the state may come from an older version of the extension: keep only what still parses
    return {
      statuses: Array.isArray(stored.statuses) ? stored.statuses.filter(isRuntimeStatus) : [],
      createdFrom: typeof stored.createdFrom === 'string' ? stored.createdFrom : undefined,
      createdTo: typeof stored.createdTo === 'string' ? stored.createdTo : undefined,
      idPrefix: typeof stored.idPrefix === 'string' ? stored.idPrefix : undefined,
    };
  }

  async set(key: string, filter: InstanceFilter): Promise<void> {
    const all = this.all();
    all[key] = filter;
    await this.state.update(STATE_KEY, all);
  }

  async clear(key: string): Promise<void> {
    const all = this.all();
    delete all[key];
    await this.state.update(STATE_KEY, all);
  }

  private all(): Record<string, InstanceFilter> {
    return { ...(this.state.get<Record<string, InstanceFilter>>(STATE_KEY) ?? {}) };
  }
}
