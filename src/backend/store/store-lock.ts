/**
 * Waiting for another connection's SQLite lock without stopping the process. better-sqlite3 is
 * synchronous and SQLite's busy timeout sleeps on the calling thread, so a 5 s timeout froze every
 * request, /health included, for 5 s whenever a store command or a sqlite3 shell held the write lock.
 * The store keeps SQLite's own wait at (nearly) nothing and retries here instead, sleeping on timers
 * between attempts so the event loop keeps serving.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const FIRST_PAUSE_MS = 2;
const MAX_PAUSE_MS = 100;

/** SQLITE_BUSY and its extended codes: another connection holds a lock we need. */
export function isLockContention(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/** The lock was still held when the wait ran out; `cause` is SQLite's last SQLITE_BUSY. */
export class StoreLockTimeout extends Error {
  readonly waitedMs: number;

  constructor(waitedMs: number, options: { cause: unknown }) {
    super(`the MFA store stayed locked by another connection for ${waitedMs} ms`, options);
    this.name = 'StoreLockTimeout';
    this.waitedMs = waitedMs;
  }
}

export interface LockWaitHooks {
  /** Called once per budget, when a step first meets the lock. */
  readonly onWait?: () => void;
  /** Stops waiting once the store is closed. Defaults to always open. */
  readonly isOpen?: () => boolean;
}

/**
 * How long one call (or one opening) may wait for other connections' locks, shared by its steps.
 * Only time spent meeting a lock counts: a slow password check before it does not use the budget up.
 */
export class LockWait {
  private spentMs = 0;
  private announced = false;

  constructor(
    private readonly waitMs: number,
    private readonly hooks: LockWaitHooks = {},
  ) {}

  /**
   * Runs `work` (one synchronous statement or transaction, which must be safe to run again after
   * SQLITE_BUSY: better-sqlite3 rolls a failed transaction back); while another connection holds the
   * lock, tries again after a growing, jittered pause until the budget is spent, then throws
   * `StoreLockTimeout`. Any other error is thrown as it is.
   */
  async run<T>(work: () => T): Promise<T> {
    let contendedSince: number | undefined;
    let pause = FIRST_PAUSE_MS;
    try {
      for (;;) {
        const attemptStarted = performance.now();
        try {
          return work();
        } catch (error) {
          if (!isLockContention(error)) throw error;
          // From the start of the first refused attempt: SQLite's own busy timeout counts too.
          contendedSince ??= attemptStarted;
          const spent = this.spentMs + (performance.now() - contendedSince);
          const left = this.waitMs - spent;
          if (left <= 0 || this.hooks.isOpen?.() === false) {
            throw new StoreLockTimeout(Math.round(spent), { cause: error });
          }
          if (!this.announced) {
            this.announced = true;
            this.hooks.onWait?.();
          }
          // Jitter: requests that met the same lock do not all come back in the same millisecond.
          await sleep(Math.min(left, pause / 2 + (Math.random() * pause) / 2));
          pause = Math.min(pause * 2, MAX_PAUSE_MS);
        }
      }
    } finally {
      if (contendedSince !== undefined) this.spentMs += performance.now() - contendedSince;
    }
  }
}
