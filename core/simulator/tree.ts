/**
 * Renders a history as a readable tree: one branch per episode; each activity,
 * sub-orchestration and timer pairs its scheduling with its completion (virtual times and
 * durations); then the final status. Works on the raw history of any store.
 * @module
 */
import type { HistoryEvent } from '../history.js';
import type { OrchestrationStatus } from '../status.js';

export interface ChildHistory {
  history: HistoryEvent[];
  status: OrchestrationStatus | null;
}

export interface TreeOptions {
  /** Histories of sub-orchestrations, nested under the call that created them. */
  children?: (instanceId: string) => ChildHistory | undefined;
  /** Longest JSON value shown before it is cut with "…". Default 80. */
  maxValueLength?: number;
  /** Plain ASCII branches instead of box-drawing characters. */
  ascii?: boolean;
}

interface Node {
  label: string;
  children: Node[];
}

type Scheduling = Extract<HistoryEvent, { type: 'TaskScheduled' | 'SubOrchestrationInstanceCreated' | 'TimerCreated' }>;
type Completion = Extract<
  HistoryEvent,
  { type: 'TaskCompleted' | 'TaskFailed' | 'SubOrchestrationInstanceCompleted' | 'SubOrchestrationInstanceFailed' | 'TimerFired' }
>;

interface Pair {
  scheduled: Scheduling;
  node: Node;
  rewound: boolean;
  completion?: Completion;
  completionEpisode?: number;
  completionRewound?: boolean;
}

const node = (label: string, children: Node[] = []): Node => ({ label, children });

/** `1d 2h 3m 4s`, `1.25 s`, `250 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${ms % 1000 ? (ms / 1000).toFixed(3).replace(/0+$/, '') : ms / 1000} s`;
  const parts: string[] = [];
  let rest = Math.floor(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n) parts.push(`${n}${unit}`);
  }
  return parts.join(' ');
}

function describeKind(e: Scheduling): string {
  switch (e.type) {
    case 'TaskScheduled':
      return `activity '${e.name}' #${e.eventId}`;
    case 'SubOrchestrationInstanceCreated':
      return `sub-orchestration '${e.name}' #${e.eventId}`;
    case 'TimerCreated':
      return `timer #${e.eventId}`;
  }
}

/**
 * The history as a tree, followed by the final status.
 *
 * @example
 * const sim = new Simulation(app);
 * const id = await sim.startNew('HelloSequence');
 * await sim.runUntilIdle();
 * console.log(formatHistoryTree(await sim.getHistory(id), await sim.getStatus(id)));
 */
export function formatHistoryTree(history: readonly HistoryEvent[], status?: OrchestrationStatus | null, options: TreeOptions = {}): string {
  const root = buildTree(history, status ?? null, options, new Set());
  const lines: string[] = [root.label];
  const glyphs = options.ascii ? { mid: '|- ', last: '`- ', bar: '|  ', none: '   ' } : { mid: '├─ ', last: '└─ ', bar: '│  ', none: '   ' };
  const walk = (n: Node, prefix: string) => {
    n.children.forEach((child, i) => {
      const last = i === n.children.length - 1;
      const [first, ...rest] = child.label.split('\n');
      lines.push(prefix + (last ? glyphs.last : glyphs.mid) + first);
      for (const more of rest) lines.push(prefix + (last ? glyphs.none : glyphs.bar) + more);
      walk(child, prefix + (last ? glyphs.none : glyphs.bar));
    });
  };
  walk(root, '');
  return `${lines.join('\n')}\n`;
}

function buildTree(history: readonly HistoryEvent[], status: OrchestrationStatus | null, options: TreeOptions, visited: Set<string>): Node {
  const max = options.maxValueLength ?? 80;
  const value = (json: string | undefined): string => {
    if (json === undefined) return '(none)';
    const text = json.replace(/\s*\n\s*/g, ' ');
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  };
  const shown = (v: unknown): string => (v === undefined ? '(none)' : value(JSON.stringify(v)));

  const started = history.find((e): e is Extract<HistoryEvent, { type: 'ExecutionStarted' }> => e.type === 'ExecutionStarted');
  const origin = Date.parse(started?.timestamp ?? history[0]?.timestamp ?? status?.createdTime.toISOString() ?? '1970-01-01T00:00:00Z');
  const at = (iso: string) => `${iso} (T+${formatDuration(Date.parse(iso) - origin)})`;
  const name = started?.name ?? status?.name ?? '?';
  const instanceId = started?.orchestrationInstance.instanceId ?? status?.instanceId ?? '?';
  const root = node(`${name} · instance '${instanceId}' · ${status?.runtimeStatus ?? 'not found'}`);
  if (instanceId !== '?') visited.add(instanceId);

  const pairs = new Map<number, Pair>();
  const allPairs: Pair[] = [];
  let episode: Node | undefined;
  let episodeNumber = 0;
  const target = () => episode ?? root;
  const schedule = (e: Scheduling, rewound: boolean) => {
    const mark = rewound ? ' (rewound)' : '';
    let label: string;
    switch (e.type) {
      case 'TaskScheduled':
        label = `Activity '${e.name}' #${e.eventId}${mark} · input ${value(e.input)}`;
        break;
      case 'SubOrchestrationInstanceCreated':
        label = `Sub-orchestration '${e.name}' #${e.eventId}${mark} → instance '${e.instanceId}' · input ${value(e.input)}`;
        break;
      case 'TimerCreated':
        label = `Timer #${e.eventId}${mark} · fires at ${at(e.fireAt)}, after ${formatDuration(Date.parse(e.fireAt) - Date.parse(e.timestamp))}`;
        break;
    }
    const pair: Pair = { scheduled: e, node: node(label), rewound };
    pairs.set(e.eventId, pair);
    allPairs.push(pair);
    target().children.push(pair.node);
  };
  const complete = (e: Completion, rewound: boolean) => {
    const id = e.type === 'TimerFired' ? e.timerId : e.taskScheduledId;
    const pair = pairs.get(id);
    const what = pair ? describeKind(pair.scheduled) : `#${id}`;
    const verb = e.type === 'TimerFired' ? 'fired' : e.type.endsWith('Failed') ? 'failed' : 'completed';
    target().children.push(node(`← ${what} ${verb}${rewound ? ' (rewound)' : ''}`));
    if (pair && !pair.completion) {
      pair.completion = e;
      pair.completionEpisode = episodeNumber;
      pair.completionRewound = rewound;
    }
  };

  for (const e of history) {
    switch (e.type) {
      case 'OrchestratorStarted':
        episodeNumber++;
        episode = node(`Episode ${episodeNumber} · ${at(e.timestamp)}`);
        root.children.push(episode);
        break;
      case 'OrchestratorCompleted':
        episode = undefined;
        break;
      case 'ExecutionStarted': {
        const parent = e.parentInstance ? ` · parent '${e.parentInstance.instanceId}'` : '';
        target().children.push(node(`▶ started '${e.name}'${parent} · input ${value(e.input)}`));
        break;
      }
      case 'TaskScheduled':
      case 'SubOrchestrationInstanceCreated':
      case 'TimerCreated':
        schedule(e, false);
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
      case 'TimerFired':
        complete(e, false);
        break;
      case 'EventRaised':
        target().children.push(node(`⚡ event '${e.name}' received · data ${value(e.input)}`));
        break;
      case 'EventSent':
        target().children.push(node(`→ event '${e.name}' sent to '${e.instanceId}' · data ${value(e.input)}`));
        break;
      case 'ExecutionCompleted': {
        const detail =
          e.orchestrationStatus === 'Failed'
            ? `${e.failureDetails?.errorType ?? 'Error'}: ${e.failureDetails?.errorMessage ?? ''}`
            : `output ${value(e.result)}`;
        target().children.push(node(`■ ${e.orchestrationStatus} · ${detail}`));
        break;
      }
      case 'ExecutionTerminated':
        target().children.push(node(`■ terminate requested · reason ${value(e.input)}`));
        break;
      case 'ExecutionSuspended':
        target().children.push(node(`⏸ suspended${e.reason ? ` · ${e.reason}` : ''}`));
        break;
      case 'ExecutionResumed':
        target().children.push(node(`⏵ resumed${e.reason ? ` · ${e.reason}` : ''}`));
        break;
      case 'ExecutionRewound':
        target().children.push(node(`↺ rewound${e.reason ? ` · ${e.reason}` : ''}`));
        break;
      case 'ExecutionReset':
        target().children.push(node(`⤺ reset to row ${e.position}${e.source ? ` of ${e.source.instanceId}` : ''}${e.reason ? ` · ${e.reason}` : ''}`));
        break;
      case 'ContinueAsNew':
        target().children.push(node(`↻ continue as new · input ${value(e.input)}`));
        break;
      case 'GenericEvent': {
        const old = e.rewound;
        if (old && (old.type === 'TaskScheduled' || old.type === 'SubOrchestrationInstanceCreated' || old.type === 'TimerCreated')) schedule(old, true);
        else if (
          old &&
          (old.type === 'TaskCompleted' ||
            old.type === 'TaskFailed' ||
            old.type === 'SubOrchestrationInstanceCompleted' ||
            old.type === 'SubOrchestrationInstanceFailed' ||
            old.type === 'TimerFired')
        )
          complete(old, true);
        else if (old?.type === 'ExecutionCompleted')
          target().children.push(
            node(
              `■ ${old.orchestrationStatus} (rewound) · ${old.failureDetails ? `${old.failureDetails.errorType}: ${old.failureDetails.errorMessage}` : `output ${value(old.result)}`}`,
            ),
          );
        else target().children.push(node(`· ${e.data}`));
        break;
      }
    }
  }

  const finished = status ? ['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus) : true;
  for (const pair of allPairs) {
    const e = pair.completion;
    if (!e) {
      const never =
        pair.scheduled.type === 'TimerCreated'
          ? '– never fired (cancelled, or the orchestration ended first)'
          : '– never completed (the orchestration ended first)';
      pair.node.children.push(node(pair.rewound ? '… retired by rewind before it completed' : finished ? never : '… pending'));
    } else {
      const after = formatDuration(Date.parse(e.timestamp) - Date.parse(pair.scheduled.timestamp));
      const where = `episode ${pair.completionEpisode}`;
      let label: string;
      switch (e.type) {
        case 'TaskCompleted':
        case 'SubOrchestrationInstanceCompleted':
          label = `✓ completed at ${at(e.timestamp)} after ${after} (${where}) · result ${value(e.result)}`;
          break;
        case 'TaskFailed':
        case 'SubOrchestrationInstanceFailed':
          label = `✗ failed at ${at(e.timestamp)} after ${after} (${where}) · ${e.failureDetails.errorType}: ${e.failureDetails.errorMessage}`;
          break;
        case 'TimerFired':
          label = `⏰ fired at ${at(e.timestamp)} (${where})`;
          break;
      }
      pair.node.children.push(node(label));
    }
    const scheduled = pair.scheduled;
    if (scheduled.type === 'SubOrchestrationInstanceCreated' && !pair.rewound && options.children && !visited.has(scheduled.instanceId)) {
      const child = options.children(scheduled.instanceId);
      if (child) pair.node.children.push(buildTree(child.history, child.status, options, visited));
    }
  }

  root.children.push(statusNode(status, shown, origin));
  return root;
}

function statusNode(status: OrchestrationStatus | null, shown: (v: unknown) => string, origin: number): Node {
  if (!status) return node('Status: (no such instance)');
  const children: Node[] = [];
  if (status.runtimeStatus === 'Failed') {
    const f = status.failureDetails;
    children.push(node(`failure ${f ? `${f.errorType}: ${f.errorMessage}` : shown(status.output)}`));
  } else if (status.output !== undefined) children.push(node(`output ${shown(status.output)}`));
  if (status.customStatus !== undefined) children.push(node(`custom status ${shown(status.customStatus)}`));
  const updated = status.lastUpdatedTime.getTime();
  children.push(
    node(`created ${status.createdTime.toISOString()} · last updated ${status.lastUpdatedTime.toISOString()} (T+${formatDuration(updated - origin)})`),
  );
  if (status.parentInstanceId) children.push(node(`parent '${status.parentInstanceId}'`));
  return node(`Status: ${status.runtimeStatus}`, children);
}
