// activate() wiring: commands, the document scheme, tree refresh on connection changes, auto-refresh settings.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { activate } from '../../src/extension.js';
import { contentProviders, MemoryMemento, MemorySecretStorage, registeredCommands, resetStub, setConfiguration } from '../support/vscode-stub.js';

function fakeContext() {
  return { subscriptions: [] as { dispose(): void }[], secrets: new MemorySecretStorage(), workspaceState: new MemoryMemento() };
}

describe('activate', () => {
  let context: ReturnType<typeof fakeContext>;
  beforeEach(() => {
    resetStub();
    vi.useFakeTimers();
    context = fakeContext();
  });
  afterEach(() => {
    for (const s of context.subscriptions) s.dispose();
    vi.useRealTimers();
  });

  it('registers the commands and the edge-durable document scheme, and returns its API', () => {
    const api = activate(context as never);
    expect(registeredCommands.size).toBeGreaterThanOrEqual(20);
    expect(contentProviders.has('edge-durable')).toBe(true);
    expect(api.provider).toBeDefined();
    expect(api.connections.list()).toEqual([]);
  });

  it('refreshes the tree once after a burst of connection changes (setting + secrets)', async () => {
    const api = activate(context as never);
    const fired: unknown[] = [];
    api.provider.onDidChangeTreeData((node) => fired.push(node));
    setConfiguration('edgeDurable.connections', [{ name: 'A', endpoint: 'http://127.0.0.1:1' }]);
    await context.secrets.store('edgeDurable.token:A', 't');
    await context.secrets.delete('edgeDurable.token:A');
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual([undefined]);
    await context.secrets.store('unrelated.key', 'x');
    await vi.advanceTimersByTimeAsync(500);
    expect(fired).toHaveLength(1);
  });

  it('polls running instances at the configured interval, and stops when auto-refresh is turned off', async () => {
    setConfiguration('edgeDurable.autoRefreshIntervalSeconds', 2);
    const api = activate(context as never);
    const poll = vi.spyOn(api.provider, 'refreshActiveInstances').mockResolvedValue(0);
    await vi.advanceTimersByTimeAsync(4100);
    expect(poll).toHaveBeenCalledTimes(2);
    setConfiguration('edgeDurable.autoRefresh', false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(poll).toHaveBeenCalledTimes(2);
    setConfiguration('edgeDurable.autoRefresh', true);
    setConfiguration('edgeDurable.autoRefreshIntervalSeconds', 1);
    await vi.advanceTimersByTimeAsync(3100);
    expect(poll).toHaveBeenCalledTimes(5);
  });
});
