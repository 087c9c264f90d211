/**
 * The instance panel: one webview per instance (per origin), opened by clicking an instance. It loads the status,
 * renders the first history page at once, fetches the rest page by page, then draws the other tabs; while the
 * instance can change by itself it refreshes itself (AutoRefresher) as long as it is visible.
 */
import * as vscode from 'vscode';
import { AutoRefresher } from '../auto-refresh.js';
import { escapeHtml } from '../timeline.js';
import { changesOnItsOwn, isNotFound, isRuntimeStatus, type StatusPayload } from '../wire.js';
import { offeredActions, panelActions } from './actions.js';
import { childInstances } from './children.js';
import { DEFAULT_PAGE_SIZE } from './history-table.js';
import type { InstanceSource } from './instance-source.js';
import { InstanceView } from './instance-view.js';
import { type PanelParts, renderActions, renderHeader, renderPanelHtml, renderPayloads } from './panel-html.js';
import type { ResetTarget } from './reset.js';

export interface PanelHost {
  now(): number;
  /** The connection of a live source is read-only (scope `read`): no mutating buttons. */
  readOnly(source: InstanceSource): boolean;
  autoRefresh(): { enabled: boolean; intervalMs: number };
  /** Runs a command with the panel's instance, e.g. `edgeDurable.exportHistory`. */
  runCommand(command: string, source: InstanceSource, ...args: unknown[]): Thenable<unknown>;
}

/** Rows fetched per request after the first page (the route's maximum). */
const FOLLOWING_PAGE = 1000;

export class InstancePanels implements vscode.Disposable {
  private readonly panels = new Map<string, InstancePanel>();

  constructor(private readonly host: PanelHost) {}

  async open(source: InstanceSource, options: { parent?: string } = {}): Promise<InstancePanel> {
    const existing = this.panels.get(source.key);
    if (existing) {
      existing.reveal();
      await existing.refresh();
      return existing;
    }
    const panel = new InstancePanel(source, this.host, this, options.parent);
    this.panels.set(source.key, panel);
    panel.onDispose(() => this.panels.delete(source.key));
    await panel.load();
    return panel;
  }

  get(key: string): InstancePanel | undefined {
    return this.panels.get(key);
  }

  /** Refreshes the open panels of these instances (after an action from the tree or a batch). */
  async refreshWhere(match: (source: InstanceSource) => boolean): Promise<void> {
    await Promise.all([...this.panels.values()].filter((p) => match(p.source)).map((p) => p.refresh()));
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
  }
}

export class InstancePanel implements vscode.Disposable {
  readonly webview: vscode.WebviewPanel;
  private view: InstanceView | undefined;
  private readonly refresher: AutoRefresher;
  private readonly disposables: vscode.Disposable[] = [];
  private loading: Promise<void> | undefined;
  private disposed = false;
  /** Bumped by every load: the pages of an older load are dropped. */
  private generation = 0;
  /** The last replay check's result (Check Against Code), kept across reloads. */
  private replay = '';

  constructor(
    readonly source: InstanceSource,
    private readonly host: PanelHost,
    private readonly panels: InstancePanels,
    private parent: string | undefined,
  ) {
    this.webview = vscode.window.createWebviewPanel(
      'edgeDurable.instance',
      `${source.offline ? 'Offline ' : ''}${source.instanceId}`,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [],
      },
    );
    this.refresher = new AutoRefresher(
      () => this.refresh(),
      () => host.autoRefresh(),
      () => this.webview.visible,
    );
    this.disposables.push(
      this.refresher,
      this.webview.webview.onDidReceiveMessage((message) => void this.onMessage(message as PanelMessage)),
      this.webview.onDidDispose(() => this.dispose()),
    );
  }

  get status(): StatusPayload | undefined {
    return this.view?.status;
  }

  /** The rows loaded so far (all of them once `loaded` resolves). */
  get events(): readonly unknown[] {
    return this.view?.events ?? [];
  }

  onDispose(listener: () => void): void {
    this.disposables.push(this.webview.onDidDispose(listener));
  }

  reveal(): void {
    this.webview.reveal();
  }

  load(): Promise<void> {
    this.loading = this.loadNow();
    return this.loading;
  }

  /** Reloads when the instance changed since the last load (status or update time). */
  async refresh(): Promise<void> {
    if (this.disposed) return;
    let status: StatusPayload;
    try {
      status = await this.source.getStatus();
    } catch (error) {
      this.showError(error);
      return;
    }
    const before = this.view?.status;
    if (before && before.runtimeStatus === status.runtimeStatus && before.lastUpdatedTime === status.lastUpdatedTime) {
      this.post({ header: this.header(status) });
      return;
    }
    await this.load();
  }

  private async loadNow(): Promise<void> {
    const generation = ++this.generation;
    let status: StatusPayload;
    let first: Awaited<ReturnType<InstanceSource['getHistoryPage']>>;
    try {
      [status, first] = await Promise.all([this.source.getStatus(), this.source.getHistoryPage(0, DEFAULT_PAGE_SIZE)]);
    } catch (error) {
      this.showError(error);
      return;
    }
    if (generation !== this.generation || this.disposed) return;
    const view = new InstanceView(status);
    view.writable = !this.source.offline && !this.host.readOnly(this.source);
    view.addPage(first);
    this.view = view;
    this.parent ??= view.parentFromHistory();
    const nonce = makeNonce();
    this.webview.webview.html = renderPanelHtml({
      title: status.instanceId,
      nonce,
      cspSource: this.webview.webview.cspSource,
      parts: {
        header: this.header(status),
        actions: this.actions(status, view.lossless),
        payloads: renderPayloads(status),
        replay: this.replay,
        ...view.tabs(this.host.now()),
      },
    });
    // the rest of the history, page by page; the table's pager and count follow each page
    let from = first.nextFrom;
    while (from !== undefined && !view.complete) {
      let page: typeof first;
      try {
        page = await this.source.getHistoryPage(from, FOLLOWING_PAGE);
      } catch (error) {
        this.showError(error);
        return;
      }
      if (generation !== this.generation || this.disposed) return;
      view.addPage(page);
      from = page.events.length ? page.nextFrom : undefined;
      if (!view.complete) this.post({ historyTable: view.historyTableHtml() });
    }
    this.post(view.tabs(this.host.now()));
    this.scheduleRefresh(status);
  }

  /** Resolves when the current load (first page and the rest) is done. */
  async loaded(): Promise<void> {
    await this.loading;
  }

  /** Shows a replay check's result above the tabs (src/replay renders it). */
  showReplay(html: string): void {
    this.replay = html;
    this.post({ replay: html });
  }

  private scheduleRefresh(status: StatusPayload): void {
    if (!this.source.offline && isRuntimeStatus(status.runtimeStatus) && changesOnItsOwn(status.runtimeStatus)) {
      if (!this.refresher.running) this.refresher.restart();
    } else {
      this.refresher.stop();
    }
  }

  private header(status: StatusPayload): string {
    return renderHeader({ status, now: this.host.now(), where: this.source.where, parent: this.parent ? { instanceId: this.parent } : undefined });
  }

  private actions(status: StatusPayload, lossless: boolean): string {
    const readOnly = this.source.offline || this.host.readOnly(this.source);
    return renderActions(offeredActions(status.runtimeStatus, { readOnly, lossless }), { offline: this.source.offline });
  }

  private post(parts: PanelParts): void {
    if (!this.disposed) void this.webview.webview.postMessage({ type: 'update', parts });
  }

  private showError(error: unknown): void {
    const message = isNotFound(error) ? `Instance ${this.source.instanceId} no longer exists (purged or never created).` : errorText(error);
    if (!this.view) {
      this.webview.webview.html = renderPanelHtml({
        title: this.source.instanceId,
        nonce: makeNonce(),
        cspSource: this.webview.webview.cspSource,
        parts: { header: `<h1>${escapeHtml(this.source.instanceId)}</h1><p class="message">${escapeHtml(message)}</p>` },
      });
    } else {
      this.post({ actions: `<p class="message">${escapeHtml(message)}</p> <button data-action="refresh">Refresh</button>` });
    }
    if (isNotFound(error)) this.refresher.stop();
  }

  private async onMessage(message: PanelMessage): Promise<void> {
    const view = this.view;
    try {
      switch (message.type) {
        case 'historyFilter':
          if (!view) return;
          view.setFilter({ types: message.types, text: message.text });
          this.post({ historyTable: view.historyTableHtml() });
          return;
        case 'historyPage':
          if (!view || message.page === undefined) return;
          view.setPage(message.page);
          this.post({ historyTable: view.historyTableHtml() });
          return;
        case 'run': {
          const action = panelActions().find((a) => a.id === message.id);
          if (!action || !view || !action.offered(view.status.runtimeStatus) || this.source.offline || (action.mutating && this.host.readOnly(this.source)))
            return;
          if (action.picksRow) {
            if (!view.lossless) return;
            await this.host.runCommand(action.command, this.source, { instanceId: this.source.instanceId, total: view.total } satisfies ResetTarget);
          } else {
            await this.host.runCommand(action.command, this.source);
          }
          await this.refresh();
          return;
        }
        case 'resetHere':
        case 'forkHere': {
          const position = Number(message.id);
          if (!view?.rowActions || !Number.isInteger(position) || position < 1 || position > view.total) return;
          const target: ResetTarget = { instanceId: this.source.instanceId, total: view.total, position, row: view.rowLabel(position) };
          await this.host.runCommand(message.type === 'resetHere' ? 'edgeDurable.reset' : 'edgeDurable.fork', this.source, target);
          await this.refresh();
          return;
        }
        case 'refresh':
          await this.load();
          return;
        case 'export':
          await this.host.runCommand('edgeDurable.exportHistory', this.source);
          return;
        case 'goToCode':
          if (view) await this.host.runCommand('edgeDurable.goToOrchestratorCode', this.source, view.status.name);
          return;
        case 'openReplayLocation':
          if (message.id) await this.host.runCommand('edgeDurable.openReplayLocation', this.source, message.id);
          return;
        case 'copyId':
          await vscode.env.clipboard.writeText(this.source.instanceId);
          vscode.window.setStatusBarMessage(`Copied instance ID ${this.source.instanceId}`, 3000);
          return;
        case 'copyPayload':
          if (view && isPayloadField(message.field)) await vscode.env.clipboard.writeText(JSON.stringify(view.status[message.field], null, 2));
          return;
        case 'openPayload':
          if (view && isPayloadField(message.field)) {
            const document = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(view.status[message.field], null, 2) });
            await vscode.window.showTextDocument(document, { preview: true });
          }
          return;
        case 'openInstance': {
          const target = message.id ? this.source.sibling(message.id) : undefined;
          if (!target) {
            void vscode.window.showWarningMessage(`Instance ${message.id} is not in ${this.source.where}.`);
            return;
          }
          const isChild = view ? childInstances(view.mergedRows()).some((c) => c.instanceId === message.id) : false;
          await this.panels.open(target, { parent: isChild ? this.source.instanceId : undefined });
          return;
        }
        case 'expandChild': {
          const target = message.id ? this.source.sibling(message.id) : undefined;
          if (!target) return;
          const child = new InstanceView(await target.getStatus());
          for (let from: number | undefined = 0; from !== undefined; ) {
            const page = await target.getHistoryPage(from, FOLLOWING_PAGE);
            child.addPage(page);
            from = page.events.length ? page.nextFrom : undefined;
          }
          void this.webview.webview.postMessage({ type: 'children', id: message.id, html: child.childrenHtml() });
          return;
        }
        default:
          return;
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`${message.type} failed: ${errorText(error)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    this.webview.dispose();
  }
}

interface PanelMessage {
  type: string;
  id?: string;
  field?: string;
  page?: number;
  types?: string[];
  text?: string;
}

function isPayloadField(field: string | undefined): field is 'input' | 'output' {
  return field === 'input' || field === 'output';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function makeNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
