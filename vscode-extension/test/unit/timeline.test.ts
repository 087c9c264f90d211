import { describe, expect, it } from 'vitest';
import { groupIntoEpisodes } from '../../src/history.js';
import { escapeHtml, niceStep, renderTimelineHtml, timelineBars } from '../../src/timeline.js';
import type { HistoryRow } from '../../src/wire.js';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, 0) + seconds * 1000).toISOString();
const row = (EventType: string, at: number, fields: Record<string, unknown> = {}): HistoryRow => ({ EventType, Timestamp: t(at), ...fields });

const history: HistoryRow[] = [
  row('ExecutionStarted', 0, { FunctionName: 'Mixed' }),
  row('TaskCompleted', 2, { FunctionName: 'Fetch', ScheduledTime: t(0) }),
  row('TaskFailed', 3, { FunctionName: '<Bad & "Name">', ScheduledTime: t(2), Reason: 'boom' }),
  row('TimerCreated', 3, { FireAt: t(8) }),
  row('SubOrchestrationInstanceCreated', 3, { Name: 'Child', InstanceId: 'c1' }),
  row('TimerFired', 8, { FireAt: t(8) }),
  row('EventRaised', 9, { Name: 'Go' }),
];
const now = Date.parse(t(10));

describe('timelineBars', () => {
  it('makes one bar per activity, sub-orchestration, timer and event wait, with outcomes', () => {
    const bars = timelineBars(groupIntoEpisodes(history), now);
    expect(bars.map((b) => [b.kind, b.label, b.outcome])).toEqual([
      ['activity', 'Fetch', 'completed'],
      ['activity', '<Bad & "Name">', 'failed'],
      ['timer', 'timer', 'completed'],
      ['subOrchestration', 'Child', 'pending'],
      ['externalEvent', 'event Go', 'completed'],
    ]);
    const fetch = bars[0]!;
    expect(fetch.end - fetch.start).toBe(2000);
    // a pending bar runs until "now"
    expect(bars[3]!.end).toBe(now);
    expect(bars[1]!.detail).toContain('boom');
  });
});

describe('renderTimelineHtml', () => {
  const instance = { instanceId: 'abc<1>', name: 'Mixed', runtimeStatus: 'Running' as const, createdTime: t(0), lastUpdatedTime: t(9) };

  it('is CSP-safe: no script, default-src none, the only style carries the nonce', () => {
    const html = renderTimelineHtml({ instance, bars: timelineBars(groupIntoEpisodes(history), now), nonce: 'n0nce', cspSource: 'vscode-webview://x', now });
    expect(html).toContain(`content="default-src 'none'; style-src vscode-webview://x 'nonce-n0nce'; img-src vscode-webview://x data:;"`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/ style="/);
    expect(html.match(/<style[^>]*>/g)).toEqual(['<style nonce="n0nce">']);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('draws one bar per item, scaled to the instance span, and escapes every name', () => {
    const bars = timelineBars(groupIntoEpisodes(history), now);
    const html = renderTimelineHtml({ instance, bars, nonce: 'n', cspSource: 'c', now });
    expect(html.match(/<rect class="bar /g)).toHaveLength(5);
    expect(html).toContain('<rect class="bar activity failed"');
    expect(html).toContain('<rect class="bar subOrchestration pending"');
    expect(html).toContain('&lt;Bad &amp; &quot;Name&quot;&gt;');
    expect(html).not.toContain('<Bad');
    expect(html).toContain('<h1>abc&lt;1&gt;</h1>');
    // the first bar starts at the left edge of the chart and Fetch (2 s of 10 s) is a fifth of the chart width
    expect(html).toMatch(/<rect class="bar activity completed" x="240\.0" y="\d+" width="144\.0"/);
  });

  it('explains an empty timeline instead of drawing nothing', () => {
    const html = renderTimelineHtml({ instance, bars: [], nonce: 'n', cspSource: 'c', now });
    expect(html).toContain('No activities, timers or sub-orchestrations yet.');
  });

  it('labels the time axis in round steps', () => {
    expect([niceStep(61), niceStep(140), niceStep(2000), niceStep(4500), niceStep(0)]).toEqual([100, 200, 2000, 5000, 1]);
    const html = renderTimelineHtml({ instance, bars: timelineBars(groupIntoEpisodes(history), now), nonce: 'n', cspSource: 'c', now });
    const labels = [...html.matchAll(/<text class="axis"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(['0 ms', '2.0 s', '4.0 s', '6.0 s', '8.0 s', '10 s']);
  });

  it('escapes all five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
