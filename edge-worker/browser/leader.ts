/**
 * The election of the one context of an origin (a tab, or a dedicated or shared worker) that
 * runs a task hub's Worker: the holder of an exclusive Web Lock. The browser lets go of a lock
 * only when its holder's callback ends or its context is gone (closed, crashed, navigated away),
 * so whoever is granted it next knows that no earlier holder still runs.
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.js';

export interface Candidacy {
  /** Ends the candidacy: stops waiting for the lock, or, once `lead` was called, lets it go when `lead` has finished. */
  withdraw(): void;
  /** Settles once the lock is given back (or was never taken). */
  readonly done: Promise<void>;
}

/** The context's lock manager; a context without one cannot take part. */
export function lockManager(locks?: LockManager): LockManager {
  const found = locks ?? (globalThis.navigator as Navigator | undefined)?.locks;
  if (!found)
    throw new InvalidArgumentError('The Web Locks API (navigator.locks) is not available here; it is needed to elect the one context that runs the Worker.');
  return found;
}

/**
 * Waits for the lock `name`, then calls `lead` and holds the lock until `lead` resolves after
 * `withdraw()`: `lead(resigned)` gets a promise that resolves on withdrawal, and the lock is held
 * until `lead` itself returns, so a leader stops its work before the next one may start.
 */
export function standForLeader(locks: LockManager, name: string, lead: (resigned: Promise<void>) => Promise<void>): Candidacy {
  const waiting = new AbortController();
  let resign!: () => void;
  const resigned = new Promise<void>((resolve) => {
    resign = resolve;
  });
  const done = locks
    .request(name, { mode: 'exclusive', signal: waiting.signal }, () => lead(resigned))
    .then(
      () => undefined,
      (error: unknown) => {
        // Withdrawn before the lock was granted: nothing was held.
        if ((error as { name?: unknown } | null)?.name !== 'AbortError') throw error;
      },
    );
  return {
    withdraw: () => {
      resign();
      waiting.abort();
    },
    done,
  };
}
