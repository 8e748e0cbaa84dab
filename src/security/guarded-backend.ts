/**
 * The brute-force guard, as a decorator of the backend seam: wrong-password answers are counted per
 * principal, and once a principal's budget is spent its updates are answered RATE_LIMITED locally,
 * without reaching the backend, until the window passes. Reads (status, audit log) take no password,
 * so they are not guarded.
 */
import {
  fail,
  type MfaBackend,
  type MfaUpdateDto,
  type Outcome,
  type UpdateMfaCall,
} from '../backend/mfa-backend.js';
import { type Logger } from '../logger.js';
import { type AttemptLimiter } from './attempt-limiter.js';
import { principalKey } from './principal-key.js';

export function createGuardedBackend(
  backend: MfaBackend,
  limiter: AttemptLimiter,
  logger: Logger,
): MfaBackend {
  /** Updates of each principal this instance has reserved attempts for and not yet settled. */
  const inFlight = new Map<string, number>();

  async function updateMfa(call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>> {
    const key = principalKey(call.token);
    const reservation = await limiter.reserve(key);
    if (!reservation.ok) {
      // Refused while reservations of this principal are still in flight: the budget may be held, not
      // spent, so "try again in 15 minutes" would be wrong; the next try, a second later, gets the truth.
      const busy = (inFlight.get(key) ?? 0) > 0;
      const retryAfterSeconds = busy ? 1 : reservation.retryAfterSeconds;
      logger.warn(
        { requestId: call.requestId, principal: key.slice(0, 12), retryAfterSeconds },
        busy
          ? 'brute-force guard: update refused locally; too many updates of this principal in flight'
          : 'brute-force guard: update refused locally after too many wrong passwords',
      );
      return fail({ code: 'RATE_LIMITED', requestId: call.requestId, retryAfterSeconds });
    }
    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
    let outcome: Outcome<MfaUpdateDto> | undefined;
    try {
      outcome = await backend.updateMfa(call);
      return outcome;
    } finally {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left > 0) inFlight.set(key, left);
      else inFlight.delete(key);
      // A throw (a backend bug) refunds too: only an answered wrong password spends the budget.
      // Book-keeping must not turn the user's answer into an error.
      const settle = outcome?.ok
        ? limiter.reset(key)
        : outcome?.failure.code === 'WRONG_PASSWORD'
          ? undefined
          : limiter.refund(key);
      await settle?.catch((error: unknown) =>
        logger.warn(
          { requestId: call.requestId, code: (error as { code?: unknown } | null)?.code },
          'brute-force guard: could not update the count',
        ),
      );
    }
  }

  return {
    kind: backend.kind,
    updateMfa,
    getMfaStatus: (call) => backend.getMfaStatus(call),
    getMfaAudit: (call, query) => backend.getMfaAudit(call, query),
    isReady: () => backend.isReady(),
    close: async () => {
      await limiter.close();
      await backend.close();
    },
  };
}
