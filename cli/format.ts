/**
 * Human-readable output: aligned tables and key/value blocks. `--json` bypasses all of it.
 * @module
 */
import type { HistoryRow, StatusPayload } from './backend.js';

/** Columns padded to the widest cell; cells are single-line and cut at `maxWidth`. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth = 60): string {
  const cell = (text: string) => {
    const flat = text.replace(/\s*\n\s*/g, ' ');
    return flat.length > maxWidth ? `${flat.slice(0, maxWidth - 1)}…` : flat;
  };
  const cells = [headers.map(cell), ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return `${cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return `${pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n')}\n`;
}

/** Compact JSON for a table cell or a value line. */
export function json(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

export function statusBlock(status: StatusPayload, options: { showInput?: boolean; showOutput?: boolean } = {}): string {
  const pairs: [string, string][] = [
    ['Instance ID', status.instanceId],
    ['Name', status.name],
    ['Runtime status', status.runtimeStatus],
    ['Created', status.createdTime],
    ['Last updated', status.lastUpdatedTime],
  ];
  if (status.customStatus !== null && status.customStatus !== undefined) pairs.push(['Custom status', json(status.customStatus)]);
  pairs.push(['Input', options.showInput ? json(status.input ?? null) : '(hidden; pass --show-input)']);
  pairs.push([
    status.runtimeStatus === 'Failed' ? 'Output (failure)' : 'Output',
    options.showOutput ? json(status.output ?? null) : '(hidden; pass --show-output)',
  ]);
  return keyValues(pairs);
}

export function instancesTable(instances: readonly StatusPayload[]): string {
  return table(
    ['INSTANCE ID', 'NAME', 'STATUS', 'CREATED', 'LAST UPDATED'],
    instances.map((s) => [s.instanceId, s.name, s.runtimeStatus, s.createdTime, s.lastUpdatedTime]),
  );
}

/** The details worth a column, per `historyEvents` row type. */
function historyDetail(row: HistoryRow): string {
  const parts: string[] = [];
  const add = (label: string, value: unknown) => {
    if (value !== undefined && value !== null)
      parts.push(`${label} ${typeof value === 'string' && label !== 'input' && label !== 'result' ? value : json(value)}`);
  };
  add('id', row.EventId);
  add('for id', row.TaskScheduledId);
  add('instance', row.InstanceId);
  if ('Input' in row) add('input', row.Input);
  if ('Result' in row) add('result', row.Result);
  add('status', row.OrchestrationStatus);
  add('fires', row.FireAt);
  add('scheduled', row.ScheduledTime);
  add('reason', row.Reason);
  add('data', row.Data);
  return parts.join(' · ');
}

/** Rows numbered from `first` (their 1-based position in the history). */
export function historyTable(rows: readonly HistoryRow[], first = 1): string {
  return table(
    ['#', 'TIMESTAMP', 'EVENT', 'NAME', 'DETAILS'],
    rows.map((r, i) => [String(first + i), String(r.Timestamp ?? ''), String(r.EventType), String(r.FunctionName ?? r.Name ?? ''), historyDetail(r)]),
    100,
  );
}
