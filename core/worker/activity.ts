/**
 * Activities run at least once: a worker that dies mid-activity leaves the lease to lapse, and
 * the activity is delivered again. Its result goes to its instance in the cheapest way that
 * applies: recorded directly in the instance's next episode, or completed with the instance
 * leased back to this worker, or completed for any worker to pick up.
 * @module
 */
import type { ActivityContext } from '../app.js';
import { isoTime } from '../clock.js';
import { toFailureDetails, UnknownActivityError } from '../errors.js';
import { event, type HistoryEvent } from '../history.js';
import { serialize } from '../json.js';
import type { CompletionOutcome, LeasedActivity, OrchestrationMessage } from '../store/port.js';
import type { Dispatch, WorkerContext } from './context.js';
import type { EpisodeRunner } from './episode.js';

/** Resolves to whether the instance came back leased (see `track`). */
export async function runActivity(context: WorkerContext, episodes: EpisodeRunner, dispatch: Dispatch, leased: LeasedActivity): Promise<boolean> {
  const { app, clock, episodeSlots, complete } = context;
  const { item } = leased;
  const { taskScheduledId } = item;
  const handler = app.getActivity(item.name);
  let outcome: HistoryEvent;
  if (!handler) {
    outcome = event('TaskFailed', isoTime(clock.now()), { taskScheduledId, failureDetails: toFailureDetails(new UnknownActivityError(item.name)) });
  } else {
    const activityContext: ActivityContext = { name: item.name, instanceId: item.instanceId, deliveryCount: leased.deliveryCount };
    try {
      const returned: unknown = handler(item.input === undefined ? undefined : JSON.parse(item.input), activityContext);
      // Most activities in a chain of quick steps return at once: no await (a microtask turn) for those.
      const value = typeof (returned as PromiseLike<unknown> | null)?.then === 'function' ? await returned : returned;
      const result = serialize(() => `Output of activity '${item.name}'`, value);
      outcome = { type: 'TaskCompleted', eventId: -1, timestamp: isoTime(clock.now()), taskScheduledId, result };
    } catch (error) {
      outcome = event('TaskFailed', isoTime(clock.now()), { taskScheduledId, failureDetails: toFailureDetails(error) });
    }
  }
  const message: OrchestrationMessage = {
    id: context.newId(),
    instanceId: item.instanceId,
    executionId: item.executionId,
    event: outcome,
    visibleAt: outcome.timestamp,
  };
  if (!context.stopped) {
    const handedOn = await episodes.recordDirectly(leased, message);
    if (handedOn !== undefined) return handedOn;
  }
  // Eager dispatch: the instance comes back leased with its new message, if a slot is free (reserved meanwhile).
  const eager = !context.stopped && episodeSlots.free > 0;
  if (!eager) {
    await complete({ leased, result: message });
    return false;
  }
  episodeSlots.take();
  let completed: CompletionOutcome;
  try {
    completed = await complete({ leased, result: message, leaseInstance: { now: clock.now(), lockMs: context.settings.orchestrationLockMs } });
  } catch (error) {
    episodeSlots.release();
    throw error;
  }
  if (!completed.workItem) {
    episodeSlots.release();
    return false;
  }
  dispatch.startEpisode(completed.workItem, true);
  return true;
}
