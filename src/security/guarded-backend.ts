/**
 * The brute-force guard, as a decorator of the backend seam: wrong-password answers are counted per
 * principal, and once a principal's budget is spent its updates are answered RATE_LIMITED locally,
 * without reaching the backend, until the window passes. Status reads are not guarded.
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
  async function updateMfa(call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>> {
    const key = principalKey(call.token);
    const reservation = await limiter.reserve(key);
    if (!reservation.ok) {
      logger.warn(
        {
          requestId: call.requestId,
          principal: key.slice(0, 12),
          retryAfterSeconds: reservation.retryAfterSeconds,
        },
        'brute-force guard: update refused locally after too many wrong passwords',
      );
      return fail({
        code: 'RATE_LIMITED',
        requestId: call.requestId,
        retryAfterSeconds: reservation.retryAfterSeconds,
      });
    }
    let outcome: Outcome<MfaUpdateDto> | undefined;
    try {
      outcome = await backend.updateMfa(call);
      return outcome;
    } finally {
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
    isReady: () => backend.isReady(),
    close: async () => {
      await limiter.close();
      await backend.close();
    },
  };
}
