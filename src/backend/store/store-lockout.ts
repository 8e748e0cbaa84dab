/**
 * The failed-attempt guard: `maxFailedAttempts` wrong passwords within `failedAttemptWindowMs` lock
 * the principal until the oldest of them leaves the window. It is read from the audit trail itself
 * (MFA_AUTHENTICATION_FAILURE events), so it survives restarts and holds across processes and
 * gateway instances sharing one database.
 */
import type { FailureProbe } from './store-driver.js';

export interface LockoutRule {
  readonly maxFailedAttempts: number;
  readonly failedAttemptWindowMs: number;
}

/** Which failure decides: the `max`-th newest in the window. Null when the guard is off. */
export function lockoutProbe(rule: LockoutRule, nowMs: number): FailureProbe | null {
  if (rule.maxFailedAttempts <= 0) return null;
  return { since: nowMs - rule.failedAttemptWindowMs, offset: rule.maxFailedAttempts - 1 };
}

/** Seconds until the principal may try again (at least 1), or null when not locked. */
export function lockedForSeconds(
  rule: LockoutRule,
  failureDate: number | null,
  nowMs: number,
): number | null {
  if (failureDate === null) return null;
  return Math.max(1, Math.ceil((failureDate + rule.failedAttemptWindowMs - nowMs) / 1000));
}
