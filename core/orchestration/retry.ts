import { InvalidArgumentError } from '../errors.js';

/** Retry policy for activities and sub-orchestrations (durable-functions' RetryOptions). */
export class RetryOptions {
  backoffCoefficient = 1;
  maxRetryIntervalInMilliseconds = Number.POSITIVE_INFINITY;
  /** Give up once this long has passed since the first attempt; no limit by default. */
  retryTimeoutInMilliseconds = Number.POSITIVE_INFINITY;

  constructor(
    readonly firstRetryIntervalInMilliseconds: number,
    readonly maxNumberOfAttempts: number,
  ) {
    if (!(firstRetryIntervalInMilliseconds > 0)) throw new InvalidArgumentError('firstRetryIntervalInMilliseconds must be greater than 0.');
    if (!Number.isInteger(maxNumberOfAttempts) || maxNumberOfAttempts < 1)
      throw new InvalidArgumentError('maxNumberOfAttempts must be an integer of at least 1.');
  }

  /** The delay before attempt `failedAttempts + 1`, or undefined when no retry is left. */
  nextDelay(failedAttempts: number, elapsedMs: number): number | undefined {
    if (!(this.backoffCoefficient > 0)) throw new InvalidArgumentError('backoffCoefficient must be greater than 0.');
    if (failedAttempts >= this.maxNumberOfAttempts) return undefined;
    const delay = Math.min(this.firstRetryIntervalInMilliseconds * this.backoffCoefficient ** (failedAttempts - 1), this.maxRetryIntervalInMilliseconds);
    return elapsedMs + delay > this.retryTimeoutInMilliseconds ? undefined : delay;
  }
}
