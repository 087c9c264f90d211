// The instance panel's pure modules: history table, sequence layout, pending work, children, lossless rows, the view model.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { groupIntoEpisodes } from '../../src/history.js';
import { offeredActions, registerPanelAction } from '../../src/panel/actions.js';
import { childInstances, renderChildrenHtml } from '../../src/panel/children.js';
import { eventTypes, filterRows, renderHistoryPage, tableOrigin, toTableRows } from '../../src/panel/history-table.js';
import { InstanceView } from '../../src/panel/instance-view.js';
import { mergedRows } from '../../src/panel/lossless.js';
import { renderPanelHtml } from '../../src/panel/panel-html.js';
import { LARGE_PAYLOAD_BYTES, renderPayload } from '../../src/panel/payload.js';
import { pendingWork, renderPendingHtml } from '../../src/panel/pending.js';
import { renderSequenceSvg, sequenceLayout } from '../../src/panel/sequence.js';
import type { HistoryPage } from '../../src/server-api.js';
import { type HistoryEvent, type HistoryRow, type StatusPayload, toHistoryEvents, toHistoryRows } from '../../src/wire.js';

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, 0) + seconds * 1000).toISOString();
const row = (EventType: string, at: number, fields: Record<string, unknown> = {}): HistoryRow => ({ EventType, Timestamp: t(at), ...fields });

const failedRun: HistoryRow[] = [
  row('ExecutionStarted', 0, { FunctionName: 'Order' }),
  row('TaskCompleted', 1, { FunctionName: 'Reserve', ScheduledTime: t(0.1), Input: { sku: 'a' }, Result: 'ok' }),
  row('TaskFailed', 2, {
    FunctionName: 'Charge',
    ScheduledTime: t(1.1),
    FailureDetails: { errorType: 'CardDeclined', errorMessage: 'card <declined>', stackTrace: 'at charge (pay.ts:3)' },
  }),
  row('ExecutionCompleted', 2.1, { OrchestrationStatus: 'Failed', FailureDetails: { errorType: 'CardDeclined', errorMessage: 'card <declined>' } }),
];

const status = (fields: Partial<StatusPayload> = {}): StatusPayload => ({
  name: 'Order',
  instanceId: 'order-1',
  runtimeStatus: 'Failed',
  input: null,
  customStatus: null,
  output: null,
  createdTime: t(0),
  lastUpdatedTime: t(2.1),
  ...fields,
});

afterEach(() => vi.restoreAllMocks());

describe('history table', () => {
  it('numbers rows by their position in the whole history and keeps failure message and stack', () => {
    const rows = toTableRows(failedRun.slice(2), 2, Date.parse(t(0)));
    expect(rows.map((r) => [r.position, r.eventType, r.name])).toEqual([
      [3, 'TaskFailed', 'Charge'],
      [4, 'ExecutionCompleted', undefined],
    ]);
    expect(rows[0]!.offsetMs).toBe(2000);
    expect(rows[0]!.failure).toEqual({ message: 'CardDeclined: card <declined>', stack: 'at charge (pay.ts:3)' });
    expect(rows[1]!.failure?.message).toBe('CardDeclined: card <declined>');
  });

  it('counts the + column from the earliest time of the first page, whatever row carries it', () => {
    const rows = toTableRows([
      { EventType: 'OrchestratorStarted', Timestamp: t(0.001) },
      { EventType: 'ExecutionStarted', Timestamp: t(0) },
      { EventType: 'TaskScheduled', Timestamp: 'not a time' },
      { EventType: 'OrchestratorCompleted', Timestamp: t(0.003) },
    ]);
    expect(rows.map((r) => r.offsetMs)).toEqual([1, 0, Number.NaN, 3]);
    expect(tableOrigin([])).toBeNaN();
  });

  it('filters by event type and by text, case-insensitively', () => {
    const rows = toTableRows(failedRun);
    expect(eventTypes(rows)).toEqual(['ExecutionStarted', 'TaskCompleted', 'TaskFailed', 'ExecutionCompleted']);
    expect(filterRows(rows, { types: ['TaskCompleted', 'TaskFailed'] }).map((r) => r.position)).toEqual([2, 3]);
    expect(filterRows(rows, { text: 'DECLINED' }).map((r) => r.position)).toEqual([3, 4]);
    expect(filterRows(rows, { types: ['TaskFailed'], text: 'reserve' })).toEqual([]);
    expect(filterRows(rows, { text: '  ' })).toBe(rows);
  });

  it('renders only the requested page, escaped, with a pager that stops at both ends', () => {
    const many = Array.from({ length: 450 }, (_, i) => row('EventRaised', i, { Name: i === 420 ? '<b>x</b>' : `e${i}` }));
    const rows = toTableRows(many);
    const html = renderHistoryPage({ rows, page: 2, pageSize: 200, total: 450, loaded: 450, filtered: false });
    expect(html.match(/<tr class/g)).toHaveLength(50);
    expect(html).toContain('data-position="401"');
    expect(html).not.toContain('data-position="400"');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('Rows 401–450 of 450');
    expect(html).toMatch(/data-page="3" disabled>Next/);
    const first = renderHistoryPage({ rows, page: 0, pageSize: 200, total: 10_000, loaded: 450, filtered: false });
    expect(first).toMatch(/data-page="-1" disabled>‹ Previous/);
    expect(first).toContain('loading 450 of 10,000…');
  });
});

describe('grouping is linear in the events', () => {
  /** A fan-out of n activities scheduled in the first episode, completing one by one. */
  const fanOut = (n: number): HistoryRow[] => [
    row('ExecutionStarted', 0, { FunctionName: 'FanOut' }),
    ...Array.from({ length: n }, (_, i) => row('TaskCompleted', 1 + i / 1000, { FunctionName: 'Work', ScheduledTime: t(0.5), Result: i })),
  ];

  it('places 10,000 completions in the episode that made the calls', () => {
    const episodes = groupIntoEpisodes(fanOut(10_000));
    expect(episodes).toHaveLength(10_001);
    expect(episodes[0]!.items.filter((i) => i.kind === 'activity')).toHaveLength(10_000);
  });

  it('parses a bounded number of times per event (10x the events, about 10x the work)', () => {
    const parses = (n: number) => {
      const history = fanOut(n);
      const spy = vi.spyOn(Date, 'parse');
      groupIntoEpisodes(history);
      const count = spy.mock.calls.length;
      spy.mockRestore();
      return count;
    };
    const small = parses(1000);
    const large = parses(10_000);
    // a backward scan over the earlier episodes per completion (quadratic) parsed ~50 million times here
    expect(large / small).toBeLessThan(12);
    expect(large).toBeLessThan(10 * 10_000);
  });
});

describe('sequence diagram', () => {
  it('draws a call at the scheduled time and its reply at completion, failures and pending calls marked', () => {
    const layout = sequenceLayout([...failedRun.slice(0, 3), row('TaskScheduled', 3, { Name: 'Refund' })], { orchestrator: 'Order' });
    expect(layout.participants.map((p) => [p.label, p.kind])).toEqual([
      ['client', 'client'],
      ['Order', 'orchestrator'],
      ['Reserve', 'activity'],
      ['Charge', 'activity'],
      ['Refund', 'activity'],
    ]);
    expect(layout.messages.map((m) => [m.from, m.to, m.style, m.position])).toEqual([
      ['client', 'orchestrator', 'call', 1],
      ['orchestrator', 'activity:Reserve', 'call', 2],
      ['activity:Reserve', 'orchestrator', 'reply', 2],
      ['orchestrator', 'activity:Charge', 'call', 3],
      ['activity:Charge', 'orchestrator', 'failed', 3],
      ['orchestrator', 'activity:Refund', 'pending', 4],
    ]);
    expect(new Set(layout.messages.map((m) => m.y)).size).toBe(layout.messages.length);
    const svg = renderSequenceSvg(layout);
    expect(svg).toContain('failed: CardDeclined: card &lt;declined&gt;');
    expect(svg).not.toContain('<declined>');
  });

  it('draws timers, events and sub-orchestrations, and says how many messages it left out', () => {
    const history = [
      row('ExecutionStarted', 0, { FunctionName: 'P' }),
      row('TimerCreated', 0.1, { FireAt: t(5) }),
      row('TimerFired', 5, { FireAt: t(5) }),
      row('EventRaised', 6, { Name: 'Approval' }),
      row('SubOrchestrationInstanceCompleted', 8, { FunctionName: 'Child', InstanceId: 'p:0001', ScheduledTime: t(6.1) }),
    ];
    const layout = sequenceLayout(history, { maxMessages: 4 });
    expect(layout.participants.map((p) => p.kind)).toEqual(['client', 'orchestrator', 'timer', 'subOrchestration']);
    expect(layout.messages.map((m) => m.label)).toEqual(['start P', 'timer until 10:00:05', 'fired', 'event Approval']);
    expect(layout.omitted).toBe(2);
    expect(renderSequenceSvg(layout)).toContain('2 later messages are not drawn');
  });
});

describe('pending work', () => {
  it('lists in-flight activities and sub-orchestrations and unfired timers with their due time', () => {
    const history = [
      row('ExecutionStarted', 0),
      row('TaskScheduled', 0.1, { Name: 'Slow' }),
      row('SubOrchestrationInstanceCreated', 0.2, { Name: 'Child', InstanceId: 'x:0002' }),
      row('TimerCreated', 0.3, { FireAt: t(60) }),
      row('TimerCreated', 0.3, { FireAt: t(30) }),
      row('TimerFired', 30, { FireAt: t(30) }),
    ];
    const work = pendingWork(history, 'Running', Date.parse(t(40)));
    expect(work.activities).toEqual([{ name: 'Slow', since: t(0.1), position: 2 }]);
    expect(work.subOrchestrations).toEqual([{ name: 'Child', instanceId: 'x:0002', since: t(0.2), position: 3 }]);
    expect(work.timers).toEqual([{ fireAt: t(60), createdTime: t(0.3), dueInMs: 20_000, position: 4 }]);
    expect(work.awaitingExternalEvent).toBe(false);
    expect(renderPendingHtml(work)).toContain('in 20 s');
  });

  it('says a running instance with nothing in flight waits for an external event, and a finished one waits for nothing', () => {
    const history = [row('ExecutionStarted', 0), row('EventRaised', 1, { Name: 'First' })];
    const work = pendingWork(history, 'Running', Date.parse(t(2)));
    expect(work.awaitingExternalEvent).toBe(true);
    expect(renderPendingHtml(work)).toContain('<code>First</code>');
    expect(pendingWork([...history, row('TaskScheduled', 1.5, { Name: 'A' })], 'Terminated', 0)).toMatchObject({ finished: true, activities: [] });
  });
});

describe('children', () => {
  it('lists running and finished sub-orchestrations with links to open and expand them', () => {
    const history = [
      row('SubOrchestrationInstanceCreated', 1, { Name: 'A', InstanceId: 'p:0001' }),
      row('SubOrchestrationInstanceFailed', 2, { FunctionName: 'B', InstanceId: 'p:0002', ScheduledTime: t(0.5) }),
      row('EventSent', 3, { Name: 'ping', InstanceId: 'other' }),
    ];
    expect(childInstances(history).map((c) => [c.instanceId, c.name, c.outcome])).toEqual([
      ['p:0001', 'A', 'running'],
      ['p:0002', 'B', 'failed'],
    ]);
    const html = renderChildrenHtml(childInstances(history));
    expect(html).toContain('data-action="openInstance" data-id="p:0002"');
    expect(html).toContain('data-action="expandChild" data-id="p:0001"');
  });
});

describe('lossless history', () => {
  const stored: HistoryEvent[] = [
    { type: 'OrchestratorStarted', eventId: -1, timestamp: t(0) },
    {
      type: 'ExecutionStarted',
      eventId: -1,
      timestamp: t(0),
      name: 'Child',
      input: '{"n":1}',
      orchestrationInstance: { instanceId: 'p:0001', executionId: 'e' },
      parentInstance: { instanceId: 'p', executionId: 'pe', name: 'P', taskScheduledId: 0 },
    },
    { type: 'TaskScheduled', eventId: 0, timestamp: t(0.1), name: 'Work', input: '2' },
    { type: 'OrchestratorCompleted', eventId: -1, timestamp: t(0.2) },
    { type: 'TaskCompleted', eventId: -1, timestamp: t(1), taskScheduledId: 0, result: '"done"' },
  ];

  // the rows the paged route and bundles carry: the server's own conversion
  const rows = toHistoryRows(stored, { showHistoryOutput: true });
  const page = (from: number, to: number, nextFrom?: number) => {
    const p: HistoryPage = { events: rows.slice(from, to), from, total: rows.length, lossless: true };
    if (nextFrom !== undefined) p.nextFrom = nextFrom;
    return p;
  };

  it('shows every stored event in the table, positions being reset event IDs', () => {
    const table = toTableRows(rows);
    expect(table.map((r) => [r.position, r.eventType])).toEqual([
      [1, 'OrchestratorStarted'],
      [2, 'ExecutionStarted'],
      [3, 'TaskScheduled'],
      [4, 'OrchestratorCompleted'],
      [5, 'TaskCompleted'],
    ]);
    expect(rows[4]).toMatchObject({ TaskScheduledId: 0, Result: 'done' });
  });

  it('merges the rows exactly as the API merges the stored events (toHistoryEvents)', () => {
    const options = { showHistoryOutput: true, showInput: true };
    const failing: HistoryEvent[] = [
      ...stored.slice(0, 4),
      { type: 'SubOrchestrationInstanceCreated', eventId: 1, timestamp: t(0.3), name: 'Kid', instanceId: 'p:0001:0001', input: 'null' },
      { type: 'TimerCreated', eventId: 2, timestamp: t(0.3), fireAt: t(5) },
      { type: 'TaskScheduled', eventId: 3, timestamp: t(0.4), name: 'Open', input: '1' },
      stored[4]!,
      {
        type: 'SubOrchestrationInstanceFailed',
        eventId: -1,
        timestamp: t(2),
        taskScheduledId: 1,
        failureDetails: { errorType: 'Error', errorMessage: 'boom', stackTrace: 'at x' },
      },
      { type: 'TimerFired', eventId: -1, timestamp: t(5), timerId: 2, fireAt: t(5) },
      { type: 'ExecutionReset', eventId: -1, timestamp: t(6), position: 5, reason: 'again' },
    ];
    expect(mergedRows(toHistoryRows(stored, options))).toEqual(toHistoryEvents(stored, options));
    const merged = mergedRows(toHistoryRows(failing, options));
    expect(merged).toEqual(toHistoryEvents(failing, options));
    expect(merged.map((r) => r.EventType)).toEqual([
      'ExecutionStarted',
      'TimerCreated',
      'TaskScheduled',
      'TaskCompleted',
      'SubOrchestrationInstanceFailed',
      'TimerFired',
      'ExecutionReset',
    ]);
    expect(merged[4]).toMatchObject({ FunctionName: 'Kid', InstanceId: 'p:0001:0001', Reason: 'boom' });
    expect(merged[6]).toMatchObject({ EventId: 5, Reason: 'again' });
  });

  it('builds the view page by page and refuses a page that does not follow', () => {
    const view = new InstanceView(status({ runtimeStatus: 'Completed', instanceId: 'p:0001', name: 'Child' }), 2);
    view.addPage(page(0, 3, 3));
    expect(view.lossless).toBe(true);
    expect(view.complete).toBe(false);
    expect(view.tabs(0)).toEqual({ history: expect.stringContaining('loading 3 of 5') });
    expect(() => view.addPage({ ...page(4, 5), from: 4 })).toThrow(RangeError);
    view.addPage(page(3, 5));
    expect(view.complete).toBe(true);
    expect(view.parentFromHistory()).toBe('p');
    expect(view.mergedRows().map((r) => r.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted']);
    const tabs = view.tabs(Date.parse(t(2)));
    expect(Object.keys(tabs)).toEqual(['history', 'timeline', 'sequence', 'children', 'pending']);
    expect(tabs.sequence).toContain('call Work');
    view.setFilter({ types: ['TaskCompleted'] });
    expect(view.historyTableHtml()).toContain('1 matching of 5');
  });

  it('takes merged rows from a server without the paged route as they are', () => {
    const merged = toHistoryEvents(stored, { showHistoryOutput: true });
    const view = new InstanceView(status({ runtimeStatus: 'Completed', instanceId: 'p:0001', name: 'Child' }));
    view.addPage({ events: merged, from: 0, total: merged.length, lossless: false });
    expect(view.lossless).toBe(false);
    expect(view.mergedRows()).toBe(view.events);
    expect(view.events).toHaveLength(2);
  });
});

describe('panel page', () => {
  it('runs one nonce-d script under a CSP that allows nothing else', () => {
    const html = renderPanelHtml({ title: 'x', nonce: 'abc123', cspSource: 'vscode-webview://1', parts: { header: '<h1>x</h1>' } });
    expect(html).toContain("default-src 'none'; style-src vscode-webview://1 'nonce-abc123'; script-src 'nonce-abc123';");
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<script nonce="abc123">');
    expect(html).not.toMatch(/\son[a-z]+="/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('shows a payload as a foldable tree, and a large one only as a link to an editor', () => {
    const small = renderPayload('input', 'Input', { city: '<Tokyo>', n: [1, 2] });
    expect(small).toContain('<details open><summary>{2 keys}</summary>');
    expect(small).toContain('&quot;&lt;Tokyo&gt;&quot;');
    const large = renderPayload('output', 'Output', 'x'.repeat(LARGE_PAYLOAD_BYTES + 10));
    expect(large).not.toContain('<details');
    expect(large).toContain('data-action="openPayload" data-field="output"');
    expect(large).toContain('too large to show here');
  });

  it('offers the actions of the shared status table, none mutating when read-only, and takes new ones', () => {
    expect(offeredActions('Running', { readOnly: false }).map((a) => a.id)).toEqual(['raiseEvent', 'suspend', 'terminate', 'restart']);
    expect(offeredActions('Failed', { readOnly: false }).map((a) => a.id)).toEqual(['rewind', 'restart', 'purge']);
    expect(offeredActions('Failed', { readOnly: true })).toEqual([]);
    registerPanelAction({ id: 'reset', label: 'Reset…', command: 'edgeDurable.reset', mutating: true, offered: (s) => s === 'Failed' });
    expect(offeredActions('Failed', { readOnly: false }).map((a) => a.id)).toEqual(['rewind', 'restart', 'purge', 'reset']);
  });
});
