/**
 * Per-instance message queues kept in a Map, shared by the adapters that hold their state in
 * memory (memory.ts, and the KV adapter's in-memory state). `at` is `visibleAt` in epoch ms.
 */
import type { OrchestrationMessage } from './port.js';
import { parseTime } from '../clock.js';

export interface QueuedMessage { message: OrchestrationMessage; at: number }
export type Inboxes = Map<string, QueuedMessage[]>;

export function pushMessage(inboxes: Inboxes, message: OrchestrationMessage): QueuedMessage {
  const queued = { message, at: parseTime(message.visibleAt) };
  const queue = inboxes.get(message.instanceId);
  if (queue) queue.push(queued); else inboxes.set(message.instanceId, [queued]);
  return queued;
}

export function removeMessages(inboxes: Inboxes, instanceId: string, ids: readonly string[]): void {
  const queue = inboxes.get(instanceId);
  if (!queue || ids.length === 0) return;
  // Usually an episode consumes every message it was given, in order: the whole queue.
  if (queue.length === ids.length && queue.every((q, i) => q.message.id === ids[i])) { inboxes.delete(instanceId); return; }
  const gone = new Set(ids);
  const left = queue.filter((q) => !gone.has(q.message.id));
  if (left.length) inboxes.set(instanceId, left); else inboxes.delete(instanceId);
}
