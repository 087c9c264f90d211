/**
 * The instance-management commands of `func durable`, plus suspend, resume, restart, wait
 * and the task-hub listings. Each is written once against `Backend`.
 * @module
 */

import { MAX_HISTORY_PAGE } from '../core/store/history-page.js';
import { accepts, hasFinished } from '../core/wire/status.js';
import { date, flag, instanceId, integer, jsonValue, required, seconds, statuses, str } from './args.js';
import { type Backend, type HistoryRow, historyAll, type StatusPayload } from './backend.js';
import type { Command, Context } from './command.js';
import { failedError, notFoundError, usageError } from './errors.js';
import { historyTable, instancesTable, statusBlock, table } from './format.js';
import { createdAfter, createdBefore, id, instanceIdPrefix, reason, runtimeStatus, yes } from './options.js';

async function requireStatus(backend: Backend, instance: string, showInput = false): Promise<StatusPayload> {
  const status = await backend.getStatus(instance, { showInput });
  if (!status) throw notFoundInHub(backend, instance);
  return status;
}

export function notFoundInHub(backend: Backend, instance: string) {
  return notFoundError(
    `No orchestration instance with ID '${instance}' exists in ${backend.description}.`,
    'Check the ID and --task-hub-name; `durable get-instances` lists the instances.',
  );
}

/** Store mode: nothing runs here, a host must pick the work up. */
function queuedNote(backend: Backend, what: string): string {
  return backend.mode === 'store'
    ? `Note: ${what} is queued in the local store; it takes effect when a host running on this store processes task hub '${backend.taskHub}'.\n`
    : '';
}

/** Polls until `done` or the timeout; returns the last status. */
async function poll(
  ctx: Context,
  backend: Backend,
  instance: string,
  timeoutSeconds: number,
  intervalSeconds: number,
  done: (s: StatusPayload) => boolean,
): Promise<{ status: StatusPayload; done: boolean }> {
  const deadline = ctx.io.now() + timeoutSeconds * 1000;
  for (;;) {
    const status = await requireStatus(backend, instance, true);
    if (done(status)) return { status, done: true };
    const left = deadline - ctx.io.now();
    if (left <= 0) return { status, done: false };
    await ctx.io.sleep(Math.min(intervalSeconds * 1000, left));
  }
}

function shownStatus(status: StatusPayload, showInput: boolean, showOutput: boolean): Partial<StatusPayload> {
  const { input, output, ...rest } = status;
  return { ...rest, input: showInput ? input : undefined, output: showOutput ? output : undefined };
}

export const startNew: Command = {
  name: 'start-new',
  summary: 'Start a new orchestration instance.',
  synopsis: '--function-name NAME [--input JSON|@FILE] [--id ID]',
  description: 'With --store, the start is queued in the store and the instance runs (leaves Pending) when a host runs on that store, as with func durable.',
  options: {
    'function-name': { type: 'string', value: 'NAME', description: 'The orchestrator function to start (required).' },
    input: { type: 'string', value: 'JSON|@FILE', description: 'Input: inline JSON, @path/to/file.json, or @- for stdin.' },
    id: { type: 'string', value: 'ID', description: 'Instance ID to use; a new random one by default.' },
  },
  backend: true,
  examples: [
    'durable start-new --function-name HelloSequence --endpoint http://127.0.0.1:7071',
    'durable start-new --function-name Approval --input \'{"timeoutSeconds":3600}\' --id order-42 --store ./durable.db',
    'durable start-new --function-name FanOutFanIn --input @input.json',
  ],
  async run(ctx) {
    const name = required(ctx.values, 'function-name', 'durable start-new --function-name HelloSequence');
    const input = await jsonValue(ctx.values, 'input', ctx.io);
    const wanted = str(ctx.values, 'id') === undefined ? undefined : instanceId(ctx.values, 'start-new');
    const backend = await ctx.backend();
    const started = await backend.startNew(name, input, wanted);
    const status = await backend.getStatus(started.id, { showInput: false });
    ctx.print(
      {
        id: started.id,
        name,
        taskHub: backend.taskHub,
        createdTime: status?.createdTime ?? null,
        runtimeStatus: status?.runtimeStatus ?? null,
        queued: backend.mode === 'store',
        statusQueryGetUri: started.statusQueryGetUri || undefined,
      },
      () =>
        `Started '${name}' as instance '${started.id}'${status ? ` at ${status.createdTime}` : ''} (${backend.description}).\n` +
        (started.statusQueryGetUri ? `Status: ${started.statusQueryGetUri}\n` : '') +
        queuedNote(backend, 'the instance'),
    );
  },
};

export const getRuntimeStatus: Command = {
  name: 'get-runtime-status',
  summary: 'Show the status of an instance.',
  synopsis: '--id ID [--show-input] [--show-output]',
  options: {
    id,
    'show-input': { type: 'boolean', boolValue: true, description: 'Include the input (also --show-input true).' },
    'show-output': { type: 'boolean', boolValue: true, description: 'Include the output (also --show-output true).' },
  },
  backend: true,
  examples: ['durable get-runtime-status --id 0ab8c55a66644d68a3a8b220b12d209c --show-input --show-output'],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'get-runtime-status');
    const showInput = flag(ctx.values, 'show-input');
    const showOutput = flag(ctx.values, 'show-output');
    const backend = await ctx.backend();
    const status = await requireStatus(backend, instance, showInput);
    ctx.print(shownStatus(status, showInput, showOutput), () => statusBlock(status, { showInput, showOutput }));
  },
};

export const getHistory: Command = {
  name: 'get-history',
  summary: 'Show the history of an instance, oldest first: every row, or one page.',
  synopsis: '--id ID [--from N] [--top N]',
  description:
    'One row per stored event, episode markers included, numbered from 1 (the number --event-id of `durable reset` takes). ' +
    'Without --from or --top every row is shown, read a page at a time.',
  options: {
    id,
    from: { type: 'string', value: 'N', description: 'Start at row N (0-based; default 0).' },
    top: { type: 'string', value: 'N', description: `Show at most N rows, 1-${MAX_HISTORY_PAGE} (default: all rows).` },
  },
  backend: true,
  examples: [
    'durable get-history --id 0ab8c55a66644d68a3a8b220b12d209c',
    'durable get-history --id order-42 --from 100 --top 50',
    "durable get-history --id order-42 --json | jq '.[].EventType'",
  ],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'get-history');
    const from = integer(ctx.values, 'from', { min: 0, max: Number.MAX_SAFE_INTEGER }, 0)!;
    const top = integer(ctx.values, 'top', { min: 1, max: MAX_HISTORY_PAGE });
    const backend = await ctx.backend();
    let rows: HistoryRow[];
    let total: number | undefined;
    if (top === undefined && from === 0) rows = await historyAll(backend, instance);
    else {
      const page = await backend.getHistoryPage(instance, { from, top: top ?? MAX_HISTORY_PAGE });
      rows = page.events;
      total = page.total;
    }
    ctx.print(rows, () => {
      if (total !== undefined && rows.length === 0) return `Instance '${instance}' has ${total} history rows; none from row ${from}.\n`;
      if (rows.length === 0) return `Instance '${instance}' has no history yet (it is Pending: no host has run it).\n`;
      const shown = historyTable(rows, from + 1);
      return total === undefined || from + rows.length >= total
        ? shown
        : `${shown}(rows ${from + 1}-${from + rows.length} of ${total}; --from ${from + rows.length} for more)\n`;
    });
  },
};

export const getInstances: Command = {
  name: 'get-instances',
  summary: 'List instances, newest first, a page at a time.',
  synopsis: '[--created-after DATE] [--created-before DATE] [--runtime-status STATUS...] [--top N] [--continuation-token TOKEN]',
  options: {
    'created-after': createdAfter,
    'created-before': createdBefore,
    'runtime-status': runtimeStatus,
    'instance-id-prefix': instanceIdPrefix,
    top: { type: 'string', value: 'N', description: 'Page size, 1-1000 (default 10).' },
    'continuation-token': { type: 'string', value: 'TOKEN', description: 'Next page: the token printed with the previous page.' },
    'show-input': { type: 'boolean', boolValue: true, description: 'Include inputs (--json).' },
  },
  backend: true,
  examples: [
    'durable get-instances --runtime-status Running Pending --top 20',
    'durable get-instances --created-after 2021-03-10T13:57:31Z --created-before 2021-03-10T23:59Z --top 15',
  ],
  async run(ctx) {
    const query = {
      createdTimeFrom: date(ctx.values, 'created-after'),
      createdTimeTo: date(ctx.values, 'created-before'),
      runtimeStatus: statuses(ctx.values),
      instanceIdPrefix: str(ctx.values, 'instance-id-prefix'),
      continuationToken: str(ctx.values, 'continuation-token'),
      top: integer(ctx.values, 'top', { min: 1, max: 1000 }, 10)!,
      showInput: flag(ctx.values, 'show-input'),
    };
    checkRange(query.createdTimeFrom, query.createdTimeTo);
    const backend = await ctx.backend();
    const page = await backend.listInstances(query);
    ctx.print(
      { instances: page.instances, continuationToken: page.continuationToken ?? null },
      () =>
        (page.instances.length ? instancesTable(page.instances) : 'No instances match.\n') +
        (page.continuationToken
          ? `\nContinuation token for next set of results: ${page.continuationToken}\n(pass it as --continuation-token to see the next page)\n`
          : ''),
    );
  },
};

export const raiseEvent: Command = {
  name: 'raise-event',
  summary: 'Send an event to a running instance.',
  synopsis: '--id ID --event-name NAME [--event-data JSON|@FILE]',
  description: 'Unlike func durable, --event-name is required: an event under a random name would never be received.',
  options: {
    id,
    'event-name': { type: 'string', value: 'NAME', description: 'The name the orchestrator waits for (required).' },
    'event-data': { type: 'string', value: 'JSON|@FILE', description: 'Payload: inline JSON, @path/to/file.json, or @- for stdin.' },
  },
  backend: true,
  examples: [
    'durable raise-event --id 0ab8c55a66644d68a3a8b220b12d209c --event-name Approval --event-data true',
    'durable raise-event --id 1234567 --event-name MyOtherEvent --event-data @eventdata.json',
  ],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'raise-event');
    const name = required(ctx.values, 'event-name', 'durable raise-event --id ID --event-name Approval --event-data true');
    const data = await jsonValue(ctx.values, 'event-data', ctx.io);
    const backend = await ctx.backend();
    await backend.raiseEvent(instance, name, data);
    ctx.print(
      { id: instance, eventName: name, queued: backend.mode === 'store' },
      () => `Raised event '${name}' to instance '${instance}'.\n${queuedNote(backend, 'the event')}`,
    );
  },
};

export const terminate: Command = {
  name: 'terminate',
  summary: 'Terminate a running instance.',
  synopsis: '--id ID [--reason TEXT] [--timeout SECONDS]',
  description:
    'With --endpoint it then waits (30 s by default) until the instance is Terminated, as func durable does; with --store the termination is queued for the host.',
  options: {
    id,
    reason,
    timeout: { type: 'string', value: 'SECONDS', description: 'How long to wait for Terminated (endpoint mode; default 30, 0 = do not wait).' },
  },
  backend: true,
  examples: ['durable terminate --id 0ab8c55a66644d68a3a8b220b12d209c --reason "Found a bug"'],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'terminate');
    const why = str(ctx.values, 'reason');
    const timeout = seconds(ctx.values, 'timeout', 30);
    const backend = await ctx.backend();
    await backend.terminate(instance, why);
    if (backend.mode === 'store' || timeout === 0) {
      ctx.print(
        { id: instance, terminated: false, requested: true },
        () => `Termination of instance '${instance}' requested.\n${queuedNote(backend, 'the termination')}`,
      );
      return;
    }
    const { status, done } = await poll(ctx, backend, instance, timeout, 0.25, (s) => hasFinished(s.runtimeStatus));
    ctx.print({ id: instance, terminated: status.runtimeStatus === 'Terminated', runtimeStatus: status.runtimeStatus }, () =>
      done
        ? status.runtimeStatus === 'Terminated'
          ? `Instance '${instance}' is Terminated.\n`
          : `Instance '${instance}' ended ${status.runtimeStatus} before the termination took effect.\n`
        : `Termination of instance '${instance}' requested; it is still ${status.runtimeStatus} after ${timeout} s (it takes effect at the instance's next episode).\n`,
    );
  },
};

export const rewind: Command = {
  name: 'rewind',
  summary: 'Rewind a Failed instance: re-run what failed, keep what succeeded.',
  synopsis: '--id ID [--reason TEXT]',
  options: { id, reason },
  backend: true,
  examples: ['durable rewind --id 0ab8c55a66644d68a3a8b220b12d209c --reason "Orchestrator failed and needs to be revived."'],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'rewind');
    const why = str(ctx.values, 'reason');
    const backend = await ctx.backend();
    const before = await requireStatus(backend, instance);
    await backend.rewind(instance, why);
    const after = await requireStatus(backend, instance);
    ctx.print(
      { id: instance, before: before.runtimeStatus, after: after.runtimeStatus },
      () =>
        `Status before rewind: ${before.runtimeStatus}\nRewind of instance '${instance}' requested.\nStatus after rewind: ${after.runtimeStatus}\n${queuedNote(backend, 'the rewind')}`,
    );
  },
};

function control(name: 'suspend' | 'resume', summary: string, past: string): Command {
  return {
    name,
    summary,
    synopsis: '--id ID [--reason TEXT]',
    options: { id, reason },
    backend: true,
    examples: [`durable ${name} --id 0ab8c55a66644d68a3a8b220b12d209c --reason "maintenance"`],
    async run(ctx) {
      const instance = instanceId(ctx.values, name);
      const backend = await ctx.backend();
      await backend[name](instance, str(ctx.values, 'reason'));
      ctx.print({ id: instance, requested: name }, () => `${past} of instance '${instance}' requested.\n${queuedNote(backend, `the ${name}`)}`);
    },
  };
}

export const suspend = control('suspend', 'Suspend a running instance (events are kept until it resumes).', 'Suspension');
export const resume = control('resume', 'Resume a suspended instance.', 'Resumption');

export const restart: Command = {
  name: 'restart',
  summary: "Start an instance's orchestrator again with its original input.",
  synopsis: '--id ID [--same-id]',
  options: {
    id,
    'same-id': { type: 'boolean', description: 'Reuse the instance ID (the instance must have finished); a new ID by default.' },
  },
  backend: true,
  examples: ['durable restart --id 0ab8c55a66644d68a3a8b220b12d209c', 'durable restart --id order-42 --same-id'],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'restart');
    const backend = await ctx.backend();
    const next = await backend.restart(instance, { newInstanceId: !flag(ctx.values, 'same-id') });
    ctx.print({ id: instance, newInstanceId: next }, () => `Restarted instance '${instance}' as '${next}'.\n${queuedNote(backend, 'the new instance')}`);
  },
};

export const reset: Command = {
  name: 'reset',
  summary: 'Take an instance back to a row of its history and run on from there, or fork it there (beyond Durable Functions).',
  synopsis: '--id ID --event-id N [--new-id ID] [--reason TEXT] [--no-reapply-events]',
  description:
    "N is the row's 1-based position in the instance's full history (one row per stored event, OrchestratorStarted/Completed included). The rows up to and including it are kept, the rest dropped, and the orchestrator runs on under a new execution ID: activities and timers after the row run again (a timer after the delay it had, counted from the reset), events raised after it are delivered again. With --new-id the history is forked into a new instance and the original is left as it is. Any status but Pending; a running instance is reset at its next episode.",
  options: {
    id,
    'event-id': { type: 'string', value: 'N', description: 'The row to keep up to and including: its 1-based position in the history (required).' },
    'new-id': {
      type: 'string',
      value: 'ID',
      description: 'Fork into a new instance with this ID (the start rules apply) instead of resetting the instance itself.',
    },
    reason,
    'no-reapply-events': { type: 'boolean', description: 'Do not deliver the events raised after the row again.' },
  },
  backend: true,
  examples: [
    'durable reset --id order-42 --event-id 8 --reason "re-run after the fix"',
    'durable reset --id order-42 --event-id 8 --new-id order-42-try2 --no-reapply-events',
  ],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'reset');
    required(ctx.values, 'event-id', 'durable reset --id ID --event-id 8');
    const eventId = integer(ctx.values, 'event-id', { min: 1, max: Number.MAX_SAFE_INTEGER })!;
    const fork = str(ctx.values, 'new-id');
    const backend = await ctx.backend();
    const next = await backend.reset(instance, {
      eventId,
      newInstanceId: fork,
      reason: str(ctx.values, 'reason'),
      reapplyEvents: flag(ctx.values, 'no-reapply-events') ? false : undefined,
    });
    ctx.print({ id: instance, instanceId: next, eventId }, () =>
      next === instance
        ? `Reset of instance '${instance}' to history row ${eventId} requested.\n${queuedNote(backend, 'the reset')}`
        : `Forked instance '${instance}' at history row ${eventId} as '${next}'.\n${queuedNote(backend, 'the fork')}`,
    );
  },
};

export const wait: Command = {
  name: 'wait',
  summary: 'Wait until an instance completes; exit 0 if Completed, 1 if Failed, Terminated or still running.',
  synopsis: '--id ID [--timeout SECONDS] [--interval SECONDS]',
  options: {
    id,
    timeout: { type: 'string', value: 'SECONDS', description: 'Give up after this long (default 60).' },
    interval: { type: 'string', value: 'SECONDS', description: 'Polling interval (default 1).' },
  },
  backend: true,
  examples: ['durable wait --id order-42 --timeout 300 && echo done'],
  async run(ctx) {
    const instance = instanceId(ctx.values, 'wait');
    const timeout = seconds(ctx.values, 'timeout', 60);
    const interval = seconds(ctx.values, 'interval', 1);
    if (interval <= 0) throw usageError('--interval must be greater than 0.');
    const backend = await ctx.backend();
    const { status, done } = await poll(ctx, backend, instance, timeout, interval, (s) => hasFinished(s.runtimeStatus));
    ctx.print(status, () => statusBlock(status, { showInput: false, showOutput: true }));
    if (!done) {
      throw failedError(
        `Instance '${instance}' is still ${status.runtimeStatus} after ${timeout} s.`,
        backend.mode === 'store' ? 'Is a host running on this store? Without one the instance does not progress.' : 'Wait longer with --timeout.',
      );
    }
    if (status.runtimeStatus !== 'Completed') throw failedError(`Instance '${instance}' ended ${status.runtimeStatus}.`);
  },
};

export const purgeHistory: Command = {
  name: 'purge-history',
  summary: 'Delete finished instances (Completed, Failed, Terminated) and their history.',
  synopsis: '[--created-after DATE] [--created-before DATE] [--runtime-status STATUS...] | --id ID',
  description:
    'Purges every finished instance in the time range (all by default), or one instance with --id. Running instances are never purged. `durable batch purge` shows what would go and asks first.',
  options: {
    'created-after': createdAfter,
    'created-before': createdBefore,
    'runtime-status': { ...runtimeStatus, description: 'Only these: Completed Failed Terminated (default all three).' },
    id: { type: 'string', value: 'ID', description: 'Purge this one instance instead.' },
  },
  backend: true,
  examples: ['durable purge-history --created-before 2021-11-14T19:35:00Z --runtime-status failed', 'durable purge-history --id order-42'],
  async run(ctx) {
    const backend = await ctx.backend();
    let deleted: number;
    if (str(ctx.values, 'id') !== undefined) {
      if (str(ctx.values, 'created-after') || str(ctx.values, 'created-before') || str(ctx.values, 'runtime-status')) {
        throw usageError('--id purges one instance; it cannot be combined with --created-after, --created-before or --runtime-status.');
      }
      const instance = instanceId(ctx.values, 'purge-history');
      deleted = await backend.purgeInstance(instance);
    } else {
      const filter = {
        createdTimeFrom: date(ctx.values, 'created-after'),
        createdTimeTo: date(ctx.values, 'created-before'),
        runtimeStatus: statuses(ctx.values),
      };
      checkRange(filter.createdTimeFrom, filter.createdTimeTo);
      const active = filter.runtimeStatus?.filter((s) => !accepts('purge', s));
      if (active?.length)
        throw usageError(
          `Instances that are ${active.join(', ')} cannot be purged.`,
          'Purge applies to Completed, Failed and Terminated instances; terminate running ones first.',
        );
      // On a terminal, the running total redrawn in place while a store purges chunk by chunk.
      const live = ctx.io.stderrIsTTY && !ctx.json;
      let drawn = false;
      deleted = await backend.purgeInstances(filter, (purged) => {
        if (!live) return;
        ctx.err(`\rPurged ${purged} instances so far…`);
        drawn = true;
      });
      if (drawn) ctx.err('\n');
    }
    ctx.print({ instancesDeleted: deleted }, () => `Instances deleted: ${deleted}\n`);
  },
};

export const deleteTaskHub: Command = {
  name: 'delete-task-hub',
  summary: 'Delete a task hub with all its instances, histories and queued work.',
  synopsis: '[--yes]',
  description: 'Asks first (unlike func durable); --yes skips the question, and is required when stdin is not a terminal.',
  options: { yes },
  backend: true,
  examples: ['durable delete-task-hub --task-hub-name UserTest --yes'],
  async run(ctx) {
    const backend = await ctx.backend();
    await confirm(ctx, `Delete task hub '${backend.taskHub}' (${backend.description}) with everything in it?`);
    const existed = await backend.deleteTaskHub();
    if (!existed)
      throw notFoundError(`Task hub '${backend.taskHub}' does not exist (or is already empty).`, 'See `durable get-task-hubs` for the hubs that exist.');
    ctx.print({ taskHub: backend.taskHub, deleted: true }, () => `Deleted task hub '${backend.taskHub}'.\n`);
  },
};

/** A command that prints a list of names: a one-column table, or a sentence when there are none. */
function nameList(name: string, summary: string, example: string, column: string, none: string, list: (backend: Backend) => Promise<string[]>): Command {
  return {
    name,
    summary,
    synopsis: '',
    options: {},
    backend: true,
    examples: [example],
    async run(ctx) {
      const names = await list(await ctx.backend());
      ctx.print(names, () =>
        names.length
          ? table(
              [column],
              names.map((n) => [n]),
            )
          : `${none}\n`,
      );
    },
  };
}

export const getTaskHubs = nameList(
  'get-task-hubs',
  'List the task hubs that hold instances.',
  'durable get-task-hubs --store ./durable.db',
  'TASK HUB',
  'No task hubs hold any instances.',
  (backend) => backend.listTaskHubs(),
);

export const getOrchestrators = nameList(
  'get-orchestrators',
  'List the orchestrators a host registers (endpoint mode).',
  'durable get-orchestrators --endpoint http://127.0.0.1:7071',
  'ORCHESTRATOR',
  'The host registers no orchestrators.',
  (backend) => backend.listOrchestrators(),
);

// ---- shared ----

export function checkRange(from: string | undefined, to: string | undefined): void {
  if (from && to && from > to) throw usageError(`--created-after (${from}) is later than --created-before (${to}); nothing can match.`);
}

/** Asks on a terminal; without one, refuses unless --yes. */
export async function confirm(ctx: Context, question: string): Promise<void> {
  if (flag(ctx.values, 'yes')) return;
  if (!ctx.io.stdinIsTTY) {
    throw usageError(`Refusing to go ahead without confirmation: stdin is not a terminal. ${question}`, 'Re-run with --yes to confirm.');
  }
  if (!(await ctx.io.confirm(`${question} [y/N] `))) throw failedError('Cancelled; nothing was changed.');
}
