/**
 * Commands for looking at a task hub as a whole or an instance in depth: `durable count`
 * (instances per status) and `durable export` (a history bundle, core/wire/bundle.ts).
 * Written once against `Backend`.
 * @module
 */
import { resolve } from 'node:path';
import { exportBundle } from '../core/wire/bundle.js';
import { RUNTIME_STATUSES } from '../core/wire/status.js';
import { date, flag, instanceId, str } from './args.js';
import { historyAll } from './backend.js';
import type { Command } from './command.js';
import { notFoundInHub } from './commands.js';
import { failedError, usageError } from './errors.js';
import { table } from './format.js';
import { createdAfter, createdBefore, id } from './options.js';

export const count: Command = {
  name: 'count',
  summary: 'Count the instances in each runtime status.',
  synopsis: '[--created-from DATE] [--created-to DATE]',
  description: "Counted from the store's status index, without listing instances. Every status is shown, 0 when none.",
  options: {
    'created-from': { ...createdAfter },
    'created-to': { ...createdBefore },
  },
  backend: true,
  examples: ['durable count', 'durable count --created-from 2026-01-01T00:00:00Z --json'],
  async run(ctx) {
    const filter = { createdTimeFrom: date(ctx.values, 'created-from'), createdTimeTo: date(ctx.values, 'created-to') };
    const backend = await ctx.backend();
    const counts = await backend.countInstances(filter);
    const total = RUNTIME_STATUSES.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
    ctx.print(counts, () => table(['STATUS', 'COUNT'], [...RUNTIME_STATUSES.map((s) => [s, String(counts[s] ?? 0)]), ['Total', String(total)]]));
  },
};

export const exportHistory: Command = {
  name: 'export',
  summary: "Export an instance's status and history as a history bundle (JSON).",
  synopsis: '--id ID [--out FILE] [--children]',
  description:
    'The bundle format is described in docs/history-bundle.md. --children nests the bundles of the sub-orchestrations the instance created, ' +
    'recursively. The file is written whole once everything has been read, or not at all.',
  options: {
    id,
    out: { type: 'string', value: 'FILE', description: 'Write the bundle to FILE (default: stdout).' },
    children: { type: 'boolean', description: "Nest the sub-orchestrations' bundles." },
  },
  backend: true,
  examples: ['durable export --id order-42 --out order-42.json', 'durable export --id order-42 --children > order-42.json'],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'export');
    const out = str(ctx.values, 'out');
    if (out === '') throw usageError('--out needs a file name.', 'For example: durable export --id order-42 --out order-42.json');
    const backend = await ctx.backend();
    const bundle = await exportBundle({ status: (i) => backend.getStatus(i, { showInput: true }), history: (i) => historyAll(backend, i) }, instance, {
      source: backend.source,
      exportedAt: new Date(ctx.io.now()).toISOString(),
      children: flag(ctx.values, 'children'),
      notFound: () => notFoundInHub(backend, instance),
    });
    const text = `${JSON.stringify(bundle, null, 2)}\n`;
    if (out === undefined) {
      ctx.out(text);
      return;
    }
    const path = resolve(ctx.io.cwd, out);
    try {
      await ctx.io.writeFile(path, text);
    } catch (error) {
      throw failedError(`Cannot write '${path}': ${error instanceof Error ? error.message : String(error)}`);
    }
    const rows = countRows(bundle);
    ctx.err(`Exported ${rows.instances} instance${rows.instances === 1 ? '' : 's'} (${rows.history} history rows) to ${path}.\n`);
  },
};

function countRows(bundle: { history: unknown[]; children?: { history: unknown[]; children?: unknown[] }[] }): { instances: number; history: number } {
  let instances = 1;
  let history = bundle.history.length;
  for (const child of bundle.children ?? []) {
    const nested = countRows(child as typeof bundle);
    instances += nested.instances;
    history += nested.history;
  }
  return { instances, history };
}
