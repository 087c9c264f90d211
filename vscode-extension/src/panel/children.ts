/** The Children tab: the sub-orchestrations an instance started, from its history rows, as a navigable tree. Pure. */
import { escapeHtml } from '../timeline.js';
import type { HistoryRow } from '../wire.js';

export interface ChildInstance {
  instanceId: string;
  name: string;
  outcome: 'running' | 'completed' | 'failed';
  scheduledTime: string;
  completedTime?: string;
}

/** One entry per sub-orchestration row that names its instance, in history order. */
export function childInstances(events: readonly HistoryRow[]): ChildInstance[] {
  const children: ChildInstance[] = [];
  for (const event of events) {
    const instanceId = text(event.InstanceId);
    if (!instanceId) continue;
    switch (event.EventType) {
      case 'SubOrchestrationInstanceCreated':
        children.push({ instanceId, name: text(event.Name) ?? '?', outcome: 'running', scheduledTime: event.Timestamp });
        break;
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        children.push({
          instanceId,
          name: text(event.FunctionName) ?? text(event.Name) ?? '?',
          outcome: event.EventType === 'SubOrchestrationInstanceFailed' ? 'failed' : 'completed',
          scheduledTime: text(event.ScheduledTime) ?? event.Timestamp,
          completedTime: event.Timestamp,
        });
        break;
      default:
        break;
    }
  }
  return children;
}

/**
 * A list of children; each opens its own panel, and expands in place (the extension answers an `expandChild`
 * message with the grandchildren's list, rendered by this same function).
 */
export function renderChildrenHtml(children: readonly ChildInstance[]): string {
  if (children.length === 0) return '<p class="empty">No sub-orchestrations.</p>';
  const items = children.map(
    (child) =>
      `<li class="child ${child.outcome}" data-id="${escapeHtml(child.instanceId)}"><button class="expand" data-action="expandChild" data-id="${escapeHtml(child.instanceId)}" title="Show its sub-orchestrations">▸</button> <a href="#" data-action="openInstance" data-id="${escapeHtml(child.instanceId)}">${escapeHtml(child.instanceId)}</a> <span class="name">${escapeHtml(child.name)}</span> <span class="outcome">${child.outcome}</span><div class="grandchildren"></div></li>`,
  );
  return `<ul class="children">${items.join('')}</ul>`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
