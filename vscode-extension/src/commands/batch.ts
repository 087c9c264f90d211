/** Runs one operation over many instances with bounded concurrency and collects a per-instance report. Pure. */

export interface BatchFailure {
  instanceId: string;
  error: string;
}

export interface BatchResult {
  succeeded: string[];
  failed: BatchFailure[];
  /** IDs never attempted because the user cancelled. */
  notAttempted: string[];
}

export interface BatchOptions {
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  isCancelled?: () => boolean;
}

export async function runBatch(
  instanceIds: readonly string[],
  operation: (instanceId: string) => Promise<unknown>,
  options: BatchOptions = {},
): Promise<BatchResult> {
  const result: BatchResult = { succeeded: [], failed: [], notAttempted: [] };
  const queue = [...instanceIds];
  let done = 0;
  // a few at a time: fast enough for hundreds of instances without flooding a small server
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (options.isCancelled?.()) {
        result.notAttempted.push(id, ...queue.splice(0));
        return;
      }
      try {
        await operation(id);
        result.succeeded.push(id);
      } catch (error) {
        result.failed.push({ instanceId: id, error: error instanceof Error ? error.message : String(error) });
      }
      options.onProgress?.(++done, instanceIds.length);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, instanceIds.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return result;
}

/** One summary line for a notification, e.g. "Terminate: 3 succeeded, 1 failed, 2 skipped (not applicable)". */
export function summarizeBatch(operation: string, result: BatchResult, skipped: number): string {
  const parts = [`${result.succeeded.length} succeeded`];
  if (result.failed.length) parts.push(`${result.failed.length} failed`);
  if (result.notAttempted.length) parts.push(`${result.notAttempted.length} not attempted (cancelled)`);
  if (skipped) parts.push(`${skipped} skipped (not applicable)`);
  return `${operation}: ${parts.join(', ')}`;
}

/** The per-instance report written to the output channel. */
export function batchReportLines(operation: string, result: BatchResult): string[] {
  return [
    `${operation} — ${result.succeeded.length} succeeded, ${result.failed.length} failed, ${result.notAttempted.length} not attempted`,
    ...result.failed.map((failure) => `  FAILED ${failure.instanceId}: ${failure.error}`),
    ...result.notAttempted.map((id) => `  not attempted ${id}`),
  ];
}
