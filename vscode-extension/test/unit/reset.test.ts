// Reset and fork from the panel: the pure parts (prompts' validation, the request, the confirmation, where they are offered).
import { describe, expect, it } from 'vitest';
import { offeredActions } from '../../src/panel/actions.js';
import { renderHistoryPage, toTableRows } from '../../src/panel/history-table.js';
import { InstanceView } from '../../src/panel/instance-view.js';
import { resetConfirmation, resetOffered, resetRequest, suggestForkId, validateForkId, validatePosition } from '../../src/panel/reset.js';
import { RUNTIME_STATUSES, type StatusPayload, toHistoryRows } from '../../src/wire.js';

const status = (runtimeStatus: StatusPayload['runtimeStatus']): StatusPayload => ({
  name: 'Hello',
  instanceId: 'i1',
  runtimeStatus,
  input: null,
  customStatus: null,
  output: null,
  createdTime: '2026-01-01T00:00:00Z',
  lastUpdatedTime: '2026-01-01T00:00:01Z',
});

const rows = toHistoryRows([
  { type: 'OrchestratorStarted', eventId: -1, timestamp: '2026-01-01T00:00:00Z' },
  {
    type: 'ExecutionStarted',
    eventId: -1,
    timestamp: '2026-01-01T00:00:00Z',
    name: 'Hello',
    input: 'null',
    orchestrationInstance: { instanceId: 'i1', executionId: 'e' },
  },
  { type: 'TaskScheduled', eventId: 0, timestamp: '2026-01-01T00:00:00.1Z', name: 'SayHello', input: '"Tokyo"' },
]);

describe('reset and fork', () => {
  it('are offered on every status with a history (all but Pending), as the shared table says', () => {
    expect(RUNTIME_STATUSES.filter(resetOffered)).toEqual(RUNTIME_STATUSES.filter((s) => s !== 'Pending'));
    expect(resetOffered('Canceled')).toBe(false);
  });

  it('are panel buttons only on a writable instance whose rows are its stored events', () => {
    const ids = (s: StatusPayload['runtimeStatus'], options: { readOnly: boolean; lossless?: boolean }) => offeredActions(s, options).map((a) => a.id);
    expect(ids('Completed', { readOnly: false, lossless: true })).toEqual(['restart', 'purge', 'reset', 'fork']);
    expect(ids('Completed', { readOnly: false, lossless: false })).toEqual(['restart', 'purge']);
    expect(ids('Completed', { readOnly: true, lossless: true })).toEqual([]);
    expect(ids('Pending', { readOnly: false, lossless: true })).not.toContain('reset');
    expect(ids('Running', { readOnly: false, lossless: true })).toContain('fork');
  });

  it('accept a row number within the history only', () => {
    expect(validatePosition('3', 3)).toBeUndefined();
    expect(validatePosition(' 1 ', 3)).toBeUndefined();
    expect(validatePosition('0', 3)).toMatch(/not in the history.*1 to 3/);
    expect(validatePosition('4', 3)).toMatch(/not in the history/);
    expect(validatePosition('2.5', 3)).toMatch(/Enter a row number from 1 to 3/);
    expect(validatePosition('', 3)).toMatch(/Enter a row number/);
  });

  it('prefill the fork ID from the instance and the row, and refuse the same ID or an invalid one', () => {
    expect(suggestForkId('order-7', 12)).toBe('order-7-fork-12');
    const idProblem = (id: string) => (id.includes('/') ? 'no slashes' : undefined);
    expect(validateForkId('order-7-fork-12', 'order-7', idProblem)).toBeUndefined();
    expect(validateForkId('order-7', 'order-7', idProblem)).toMatch(/ID of its own/);
    expect(validateForkId('  ', 'order-7', idProblem)).toMatch(/Enter the new instance ID/);
    expect(validateForkId('a/b', 'order-7', idProblem)).toBe('no slashes');
  });

  it('build the request: the position is the event ID, an empty reason is left out', () => {
    expect(resetRequest(5, '  ')).toEqual({ eventId: 5 });
    expect(resetRequest(5, ' retry ')).toEqual({ eventId: 5, reason: 'retry' });
    expect(resetRequest(2, '', ' f1 ')).toEqual({ eventId: 2, newInstanceId: 'f1' });
  });

  it('confirm with what is kept and what is dropped', () => {
    const reset = resetConfirmation('reset', { instanceId: 'i1', total: 10, position: 7, row: 'TaskCompleted SayHello' });
    expect(reset).toMatchObject({ message: 'Reset i1 to row 7 (TaskCompleted SayHello)?', button: 'Reset' });
    expect(reset.detail).toContain('drops the 3 rows after it');
    expect(resetConfirmation('reset', { instanceId: 'i1', total: 7, position: 7 }).detail).toContain('it is the last row');
    const fork = resetConfirmation('fork', { instanceId: 'i1', total: 10, position: 9 }, 'i1-fork-9');
    expect(fork).toMatchObject({ message: 'Fork i1 from row 9 as i1-fork-9?', button: 'Fork' });
    expect(fork.detail).toContain('i1 is left as it is');
  });

  it('put "Reset to here" and "Fork from here" on each row, with the row position as the event ID', () => {
    const table = toTableRows(rows);
    const html = renderHistoryPage({ rows: table, page: 0, pageSize: 200, total: 3, loaded: 3, filtered: false, rowActions: true });
    expect(html.match(/data-action="resetHere"/g)).toHaveLength(3);
    expect(html).toContain('<button data-action="resetHere" data-id="3"');
    expect(html).toContain('<button data-action="forkHere" data-id="2"');
    expect(renderHistoryPage({ rows: table, page: 0, pageSize: 200, total: 3, loaded: 3, filtered: false })).not.toContain('resetHere');
  });

  it('the view offers the row actions only when writable, lossless and the status allows reset', () => {
    const view = (s: StatusPayload['runtimeStatus'], writable: boolean, lossless: boolean) => {
      const v = new InstanceView(status(s));
      v.writable = writable;
      v.addPage({ events: rows, from: 0, total: rows.length, lossless });
      return v;
    };
    expect(view('Completed', true, true).rowActions).toBe(true);
    expect(view('Completed', true, true).historyTableHtml()).toContain('resetHere');
    expect(view('Completed', false, true).rowActions).toBe(false);
    expect(view('Completed', true, false).rowActions).toBe(false);
    expect(view('Pending', true, true).rowActions).toBe(false);
    expect(view('Completed', true, true).rowLabel(3)).toBe('TaskScheduled SayHello');
    expect(view('Completed', true, true).rowLabel(9)).toBeUndefined();
  });
});
