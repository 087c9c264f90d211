/**
 * `durable batch <operation>`: one operation over every instance a query matches. Shows the
 * count, asks (or requires --yes without a terminal), shows progress, and reports each
 * instance that failed; exit 1 if any did.
 * @module
 */
import { offeredStatuses, type RuntimeStatus, TERMINAL_STATUSES } from '../core/wire/status.js';
import { date, flag, integer, statuses, str } from './args.js';
import { type Backend, type InstanceFilter, listAll } from './backend.js';
import type { Command, Context } from './command.js';
import { checkRange, confirm } from './commands.js';
import { describeError, EXIT, usageError } from './errors.js';
import { instancesTable, table } from './format.js';
import { createdAfter, createdBefore, instanceIdPrefix, runtimeStatus, yes } from './options.js';

interface Operation {
  verb: string;
  past: string;
  /** The statuses the operation applies to; others are left out of the query. */
  applies: readonly RuntimeStatus[];
  run(backend: Backend, instanceId: string, reason: string | undefined): Promise<unknown>;
}

/** Each applies where the operation x status matrix offers it; restart in bulk only to finished instances. */
const OPERATIONS: Record<string, Operation> = {
  terminate: { verb: 'Terminate', past: 'terminated', applies: offeredStatuses('terminate'), run: (b, id, r) => b.terminate(id, r) },
  suspend: { verb: 'Suspend', past: 'suspended', applies: offeredStatuses('suspend'), run: (b, id, r) => b.suspend(id, r) },
  resume: { verb: 'Resume', past: 'resumed', applies: offeredStatuses('resume'), run: (b, id, r) => b.resume(id, r) },
  rewind: { verb: 'Rewind', past: 'rewound', applies: offeredStatuses('rewind'), run: (b, id, r) => b.rewind(id, r) },
  purge: { verb: 'Purge', past: 'purged', applies: offeredStatuses('purge'), run: (b, id) => b.purgeInstance(id) },
  restart: { verb: 'Restart', past: 'restarted', applies: TERMINAL_STATUSES, run: (b, id) => b.restart(id, { newInstanceId: true }) },
};

export const batch: Command = {
  name: 'batch',
  summary: 'Terminate, suspend, resume, rewind, purge or restart every instance a query matches.',
  synopsis:
    '<terminate|suspend|resume|rewind|purge|restart> (--runtime-status STATUS... | --created-after DATE | --created-before DATE | --instance-id-prefix PREFIX | --all) [--reason TEXT] [--yes] [--concurrency N]',
  description:
    'Only instances in a status the operation applies to are selected (e.g. rewind: Failed; purge and restart: finished ones). The matching instances are counted and listed first; then it asks for confirmation. Without a terminal on stdin it refuses unless --yes is given.',
  positionals: [{ name: 'operation', description: Object.keys(OPERATIONS).join(', ') }],
  options: {
    'runtime-status': { ...runtimeStatus, description: 'Only instances in these statuses (space- or comma-separated).' },
    'created-after': createdAfter,
    'created-before': createdBefore,
    'instance-id-prefix': instanceIdPrefix,
    all: { type: 'boolean', description: 'No filter: every instance the operation applies to.' },
    reason: { type: 'string', value: 'TEXT', description: 'Recorded with terminate, suspend, resume and rewind.' },
    yes,
    concurrency: { type: 'string', value: 'N', description: 'Operations in flight at once, 1-64 (default 4).' },
  },
  backend: true,
  examples: [
    'durable batch terminate --runtime-status Running --created-before 2026-01-01',
    'durable batch rewind --created-after 2026-03-01 --yes',
    'durable batch purge --runtime-status Completed Terminated --created-before 2026-01-01 --yes --json',
  ],
  async run(ctx) {
    const name = ctx.positionals[0];
    if (!name) throw usageError('Which operation? durable batch <terminate|suspend|resume|rewind|purge|restart> ...', 'Run durable batch --help.');
    const operation = OPERATIONS[name.toLowerCase()];
    if (!operation) throw usageError(`Unknown batch operation '${name}'.`, `Use one of: ${Object.keys(OPERATIONS).join(', ')}.`);
    const requested = statuses(ctx.values);
    const filter: InstanceFilter = {
      createdTimeFrom: date(ctx.values, 'created-after'),
      createdTimeTo: date(ctx.values, 'created-before'),
      instanceIdPrefix: str(ctx.values, 'instance-id-prefix'),
    };
    checkRange(filter.createdTimeFrom, filter.createdTimeTo);
    if (!requested && Object.values(filter).every((v) => v === undefined) && !flag(ctx.values, 'all')) {
      throw usageError(`Say which instances to ${name}: --runtime-status, --created-after, --created-before or --instance-id-prefix (or --all for every one).`);
    }
    const selected = requested ? requested.filter((s) => operation.applies.includes(s)) : [...operation.applies];
    const ignored = requested?.filter((s) => !operation.applies.includes(s)) ?? [];
    if (selected.length === 0) {
      throw usageError(`${operation.verb} does not apply to ${ignored.join(', ')} instances.`, `It applies to ${operation.applies.join(', ')} instances.`);
    }
    if (ignored.length) ctx.err(`Note: leaving out ${ignored.join(', ')} instances: ${name} applies only to ${operation.applies.join(', ')}.\n`);
    const concurrency = integer(ctx.values, 'concurrency', { min: 1, max: 64 }, 4)!;
    const reason = str(ctx.values, 'reason');

    const backend = await ctx.backend();
    const matches = await listAll(backend, { ...filter, runtimeStatus: selected, showInput: false });
    if (matches.length === 0) {
      ctx.print({ operation: name, matched: 0, succeeded: [], failed: [] }, () => `No ${selected.join('/')} instances match; nothing to ${name}.\n`);
      return;
    }
    if (!ctx.json) {
      const shown = matches.slice(0, 10);
      ctx.err(`${matches.length} instance${matches.length === 1 ? '' : 's'} in ${backend.description} will be ${operation.past}:\n`);
      ctx.err(instancesTable(shown));
      if (matches.length > shown.length) ctx.err(`… and ${matches.length - shown.length} more.\n`);
    }
    await confirm(ctx, `${operation.verb} ${matches.length} instance${matches.length === 1 ? '' : 's'}?`);

    const succeeded: string[] = [];
    const failed: { instanceId: string; error: string; exitCode: number }[] = [];
    const progress = new Progress(ctx, matches.length, operation.past);
    let next = 0;
    const workers = Array.from({ length: Math.min(concurrency, matches.length) }, async () => {
      while (next < matches.length) {
        const instance = matches[next++]!.instanceId;
        try {
          await operation.run(backend, instance, reason);
          succeeded.push(instance);
        } catch (error) {
          const { message, exitCode } = describeError(error);
          failed.push({ instanceId: instance, error: message, exitCode });
          progress.failure(instance, message);
        }
        progress.update(succeeded.length, failed.length);
      }
    });
    await Promise.all(workers);
    progress.done();

    ctx.print(
      { operation: name, matched: matches.length, succeeded, failed },
      () =>
        `${operation.verb}: ${succeeded.length} of ${matches.length} instance${matches.length === 1 ? '' : 's'} ${operation.past}${failed.length ? `; ${failed.length} failed:` : '.'}\n` +
        (failed.length
          ? table(
              ['INSTANCE ID', 'ERROR'],
              failed.map((f) => [f.instanceId, f.error]),
              120,
            )
          : ''),
    );
    if (failed.length) return EXIT.failed;
  },
};

/** On a terminal: one line redrawn in place; otherwise quiet except failures. */
class Progress {
  private drawn = false;
  constructor(
    private readonly ctx: Context,
    private readonly total: number,
    private readonly past: string,
  ) {}

  update(ok: number, bad: number): void {
    if (!this.ctx.io.stderrIsTTY || this.ctx.json) return;
    this.ctx.err(`\r${ok + bad}/${this.total} done: ${ok} ${this.past}, ${bad} failed`);
    this.drawn = true;
  }

  failure(instanceId: string, message: string): void {
    if (this.drawn) {
      this.ctx.err('\n');
      this.drawn = false;
    }
    if (!this.ctx.json) this.ctx.err(`  failed: ${instanceId}: ${message}\n`);
  }

  done(): void {
    if (this.drawn) this.ctx.err('\n');
  }
}
