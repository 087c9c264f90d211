/**
 * Replaying a recorded history through today's orchestrator code, with no side effects:
 * activities do not run, results come from the history. It answers whether the code still
 * reproduces the history, and where it first does not, with the line of the code's call.
 * @module
 */
import { type Divergence, type FailureDetails, UnknownOrchestratorError } from '../errors.js';
import type { HistoryEvent } from '../history.js';
import { OrchestrationExecutor, type OrchestratorRegistry } from './executor.js';

export type ReplayReport =
  | { ok: true; events: number }
  | {
      ok: false;
      events: number;
      divergence: Divergence;
      /** The NonDeterminismError's message, as the engine reports it. */
      message: string;
    };

/** Throws UnknownOrchestratorError when the app has no orchestrator of the history's name. */
export function checkReplay(registry: OrchestratorRegistry, instanceId: string, history: readonly HistoryEvent[]): ReplayReport {
  const started = history.find((e) => e.type === 'ExecutionStarted');
  if (started && !registry.getOrchestrator(started.name)) throw new UnknownOrchestratorError(started.name, registry.orchestratorNames);
  const executor = new OrchestrationExecutor(registry, instanceId, { strict: true });
  executor.replay(history);
  const divergence = executor.checkEnd(history.length);
  if (!divergence) return { ok: true, events: history.length };
  const failure = executor.run([]).outcome;
  const message =
    failure?.status === 'Failed' && failure.failureDetails.errorType === 'NonDeterminismError'
      ? failure.failureDetails.errorMessage
      : `Non-deterministic orchestrator: the history ends at position ${divergence.position}, but the code now issues ${divergence.current?.type} '${divergence.current?.name ?? ''}' there.`;
  return { ok: false, events: history.length, divergence, message };
}

/**
 * The failure of a live episode that diverged, restated with the source line of the code's
 * call: the strict replay is run only then, so the hot path never formats a stack.
 */
export function locateNonDeterminism(
  registry: OrchestratorRegistry,
  instanceId: string,
  history: readonly HistoryEvent[],
  failure: FailureDetails,
): FailureDetails {
  const executor = new OrchestrationExecutor(registry, instanceId, { strict: true });
  executor.replay(history);
  const outcome = executor.run([]).outcome;
  if (outcome?.status !== 'Failed' || outcome.failureDetails.errorType !== 'NonDeterminismError' || !executor.divergence?.location) return failure;
  return { ...failure, errorMessage: outcome.failureDetails.errorMessage };
}
