/**
 * A small hand-written stand-in for the `vscode` module, for unit tests only (vitest aliases `vscode` to this
 * file). It implements just what the extension uses. User interaction is scripted: tests queue answers with
 * `ui.answer(...)`; every prompt takes the next answer and is recorded in `ui.prompts`. A prompt with no queued
 * answer fails the test, so a command can never silently ask for more than the test expects.
 */

// ---- data types ------------------------------------------------------------------------------------------------

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class MarkdownString {
  value = '';
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendText(text: string): this {
    this.value += text.replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&');
    return this;
  }
  appendCodeblock(code: string, language = ''): this {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

export class TreeItem {
  id?: string;
  description?: string | boolean;
  tooltip?: string | MarkdownString;
  contextValue?: string;
  iconPath?: ThemeIcon;
  command?: { command: string; title: string; arguments?: unknown[] };
  constructor(
    public label: string,
    public collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class Disposable {
  constructor(private readonly callback: () => void = () => {}) {}
  dispose(): void {
    this.callback();
  }
}

export class EventEmitter<T> {
  private listeners: ((value: T) => void)[] = [];
  readonly fired: T[] = [];
  event = (listener: (value: T) => void): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(value: T): void {
    this.fired.push(value);
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static from(parts: { scheme: string; path: string }): Uri {
    return new Uri(parts.scheme, parts.path);
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, [base.path.replace(/\/+$/, ''), ...segments].join('/'));
  }
  static parse(value: string): Uri {
    const match = /^([a-z][\w+.-]*):(.*)$/i.exec(value);
    return new Uri(match?.[1] ?? 'file', decodeURIComponent(match?.[2] ?? value));
  }
  toString(): string {
    return `${this.scheme}:${this.path.split('/').map(encodeURIComponent).join('/')}`;
  }
}

// ---- scripted UI -----------------------------------------------------------------------------------------------

type Answer = unknown | ((options: any, items?: any) => unknown);

export interface Prompt {
  kind: 'inputBox' | 'quickPick' | 'warning' | 'information' | 'error' | 'saveDialog' | 'openDialog';
  message?: string;
  options?: any;
  items?: any[];
  buttons?: string[];
}

export const ui = {
  answers: [] as Answer[],
  prompts: [] as Prompt[],
  messages: [] as { kind: 'information' | 'warning' | 'error' | 'status'; message: string }[],
  clipboard: '',
  /** Queues answers for the next prompts, in order. A function receives the prompt's options (and items). */
  answer(...answers: Answer[]): void {
    this.answers.push(...answers);
  },
  reset(): void {
    this.answers = [];
    this.prompts = [];
    this.messages = [];
    this.clipboard = '';
  },
};

function nextAnswer(prompt: Prompt): unknown {
  ui.prompts.push(prompt);
  if (ui.answers.length === 0) throw new Error(`stub: unexpected prompt ${prompt.kind}: ${prompt.message ?? prompt.options?.title ?? ''}`);
  const answer = ui.answers.shift();
  return typeof answer === 'function' ? (answer as (o: unknown, i: unknown) => unknown)(prompt.options, prompt.items) : answer;
}

// ---- configuration ---------------------------------------------------------------------------------------------

export const configuration = new Map<string, unknown>();
const configurationChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

export function setConfiguration(key: string, value: unknown): void {
  configuration.set(key, value);
  configurationChanged.fire({ affectsConfiguration: (section: string) => key === section || key.startsWith(`${section}.`) });
}

// ---- namespaces ------------------------------------------------------------------------------------------------

export const registeredCommands = new Map<string, (...args: unknown[]) => unknown>();
export const contentProviders = new Map<string, { provideTextDocumentContent(uri: Uri): Promise<string> | string }>();
export const openedDocuments: { uri: Uri; text: string; languageId: string }[] = [];
export interface StubWebview {
  html: string;
  cspSource: string;
  /** What the extension posted to the page, in order. */
  posted: unknown[];
  postMessage(message: unknown): Promise<boolean>;
  onDidReceiveMessage: (listener: (message: unknown) => void) => Disposable;
  /** Delivers a message as if the page had posted it. */
  receive(message: unknown): void;
}
export const webviewPanels: { viewType: string; title: string; options: unknown; visible: boolean; webview: StubWebview; dispose(): void }[] = [];
/** `setContext` calls, latest value per key. */
export const contextKeys = new Map<string, unknown>();

/** `workspace.fs`: files by URI string, in memory. */
export const files = new Map<string, Uint8Array>();

export const workspace = {
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  fs: {
    async writeFile(uri: Uri, content: Uint8Array) {
      files.set(uri.toString(), content);
    },
    async readFile(uri: Uri) {
      const content = files.get(uri.toString());
      if (!content) throw new Error(`stub: no file ${uri.toString()}`);
      return content;
    },
  },
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const full = `${section}.${key}`;
        return configuration.has(full) ? (configuration.get(full) as T) : fallback;
      },
      async update(key: string, value: unknown): Promise<void> {
        setConfiguration(`${section}.${key}`, value);
      },
    };
  },
  onDidChangeConfiguration: configurationChanged.event,
  registerTextDocumentContentProvider(scheme: string, provider: { provideTextDocumentContent(uri: Uri): Promise<string> }) {
    contentProviders.set(scheme, provider);
    return new Disposable(() => contentProviders.delete(scheme));
  },
  async openTextDocument(target: Uri | { language: string; content: string }) {
    if (!(target instanceof Uri)) {
      const document = {
        uri: Uri.from({ scheme: 'untitled', path: `Untitled-${openedDocuments.length + 1}` }),
        text: target.content,
        languageId: target.language,
      };
      openedDocuments.push(document);
      return { ...document, getText: () => document.text };
    }
    const uri = target;
    const provider = contentProviders.get(uri.scheme);
    if (!provider) throw new Error(`stub: no content provider for ${uri.scheme}`);
    const document = { uri, text: await provider.provideTextDocumentContent(uri), languageId: uri.path.endsWith('.json') ? 'json' : 'plaintext' };
    openedDocuments.push(document);
    return { ...document, getText: () => document.text };
  },
};

export const languages = {
  async setTextDocumentLanguage(document: { languageId: string }, languageId: string) {
    document.languageId = languageId;
    return document;
  },
};

export const window = {
  async showInputBox(options: any) {
    const value = nextAnswer({ kind: 'inputBox', options });
    if (typeof value === 'string' && options?.validateInput) {
      const problem = await options.validateInput(value);
      if (problem) throw new Error(`stub: the input box would not accept ${JSON.stringify(value)}: ${problem}`);
    }
    return value as string | undefined;
  },
  async showSaveDialog(options: any) {
    return nextAnswer({ kind: 'saveDialog', options }) as Uri | undefined;
  },
  async showOpenDialog(options: any) {
    return nextAnswer({ kind: 'openDialog', options }) as Uri[] | undefined;
  },
  async showQuickPick(items: any[] | Promise<any[]>, options: any) {
    const resolved = await items;
    return nextAnswer({ kind: 'quickPick', items: resolved, options });
  },
  async showWarningMessage(message: string, ...rest: any[]) {
    const modal = typeof rest[0] === 'object' && rest[0] !== null;
    const buttons = (modal ? rest.slice(1) : rest) as string[];
    if (buttons.length === 0) {
      ui.messages.push({ kind: 'warning', message });
      return undefined;
    }
    return nextAnswer({ kind: 'warning', message, options: modal ? rest[0] : undefined, buttons });
  },
  async showInformationMessage(message: string) {
    ui.messages.push({ kind: 'information', message });
    return undefined;
  },
  async showErrorMessage(message: string) {
    ui.messages.push({ kind: 'error', message });
    return undefined;
  },
  setStatusBarMessage(message: string) {
    ui.messages.push({ kind: 'status', message });
    return new Disposable();
  },
  async withProgress<T>(_options: unknown, task: (progress: { report(value: unknown): void }, token: { isCancellationRequested: boolean }) => Promise<T>) {
    return task({ report: () => {} }, { isCancellationRequested: false });
  },
  async showTextDocument(document: unknown) {
    return { document };
  },
  createOutputChannel(name: string) {
    const lines: string[] = [];
    return { name, lines, appendLine: (line: string) => lines.push(line), show: () => {}, dispose: () => {} };
  },
  createTreeView(_id: string, options: { treeDataProvider: unknown }) {
    return { ...options, visible: true, reveal: async () => {}, dispose: () => {} };
  },
  createWebviewPanel(viewType: string, title: string, _column: unknown, options: unknown) {
    const disposed = new EventEmitter<void>();
    const received = new EventEmitter<unknown>();
    const webview: StubWebview = {
      html: '',
      cspSource: 'vscode-webview://stub',
      posted: [],
      async postMessage(message: unknown) {
        webview.posted.push(message);
        return true;
      },
      onDidReceiveMessage: received.event,
      receive: (message: unknown) => received.fire(message),
    };
    const panel = {
      viewType,
      title,
      options,
      visible: true,
      webview,
      reveal: () => {},
      onDidDispose: disposed.event,
      dispose: () => disposed.fire(),
    };
    webviewPanels.push(panel);
    return panel;
  },
};

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
    if (registeredCommands.has(id)) throw new Error(`stub: command ${id} registered twice`);
    registeredCommands.set(id, handler);
    return new Disposable(() => registeredCommands.delete(id));
  },
  async executeCommand(id: string, ...args: unknown[]) {
    if (id === 'setContext') {
      contextKeys.set(args[0] as string, args[1]);
      return undefined;
    }
    const handler = registeredCommands.get(id);
    if (!handler) throw new Error(`stub: command ${id} not registered`);
    return handler(...args);
  },
};

/** No debugger in unit tests: sessions never start (Debug Replay runs end to end in code-server). */
export const debug = {
  onDidStartDebugSession: () => new Disposable(),
  onDidTerminateDebugSession: () => new Disposable(),
  startDebugging: async () => false,
};

export const env = {
  clipboard: {
    async writeText(text: string) {
      ui.clipboard = text;
    },
    async readText() {
      return ui.clipboard;
    },
  },
};

/** An in-memory SecretStorage with the change event the ConnectionStore listens to. */
export class MemorySecretStorage {
  readonly values = new Map<string, string>();
  private readonly changed = new EventEmitter<{ key: string }>();
  readonly onDidChange = this.changed.event;
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
    this.changed.fire({ key });
  }
  async delete(key: string) {
    this.values.delete(key);
    this.changed.fire({ key });
  }
}

/** An in-memory Memento (workspace state). */
export class MemoryMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  async update(key: string, value: unknown) {
    this.values.set(key, value);
  }
  keys() {
    return [...this.values.keys()];
  }
}

/** Clears every piece of global stub state between tests. */
export function resetStub(): void {
  ui.reset();
  configuration.clear();
  registeredCommands.clear();
  contentProviders.clear();
  openedDocuments.length = 0;
  webviewPanels.length = 0;
  contextKeys.clear();
  files.clear();
  workspace.workspaceFolders = undefined;
}
