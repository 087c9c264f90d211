import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AutoRefresher, type AutoRefreshSettings } from '../../src/auto-refresh.js';

describe('AutoRefresher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function make(settings: AutoRefreshSettings, visible = true) {
    const state = { settings, visible, ticks: 0 };
    const refresher = new AutoRefresher(
      async () => void state.ticks++,
      () => state.settings,
      () => state.visible,
    );
    return { refresher, state };
  }

  it('polls at the configured interval while enabled', async () => {
    const { refresher, state } = make({ enabled: true, intervalMs: 1000 });
    refresher.restart();
    await vi.advanceTimersByTimeAsync(3500);
    expect(state.ticks).toBe(3);
    refresher.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.ticks).toBe(3);
  });

  it('does not poll when the setting is off, and stops when it is turned off', async () => {
    const { refresher, state } = make({ enabled: false, intervalMs: 1000 });
    refresher.restart();
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.ticks).toBe(0);
    expect(refresher.running).toBe(false);
    state.settings = { enabled: true, intervalMs: 1000 };
    refresher.restart();
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.ticks).toBe(1);
    state.settings = { enabled: false, intervalMs: 1000 };
    refresher.restart();
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.ticks).toBe(1);
  });

  it('skips polls while the explorer is hidden', async () => {
    const { refresher, state } = make({ enabled: true, intervalMs: 1000 }, false);
    refresher.restart();
    await vi.advanceTimersByTimeAsync(3000);
    expect(state.ticks).toBe(0);
    state.visible = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.ticks).toBe(1);
    refresher.dispose();
  });

  it('keeps a single polling loop when restarted during a slow poll', async () => {
    let inFlight = 0;
    let peak = 0;
    const refresher = new AutoRefresher(
      async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        inFlight--;
      },
      () => ({ enabled: true, intervalMs: 1000 }),
      () => true,
    );
    refresher.restart();
    await vi.advanceTimersByTimeAsync(1200); // first poll in flight
    refresher.restart();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(peak).toBe(1);
    refresher.dispose();
  });
});
