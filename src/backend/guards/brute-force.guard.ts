/**
 * The brute-force guard, around the backend: answered wrong passwords are counted per
 * principal, and once a principal's budget is spent its updates are answered RATE_LIMITED locally,
 * without reaching the backend, until the window passes. Reads (status, audit log) take no password,
 * so they are not guarded.
 *
 * Nothing a refused or unauthenticated request does costs the principal anything: the count is only
 * read before a call and only added to when the backend answered WRONG_PASSWORD, which it does only for
 * a token it accepted. The in-flight cap is a separate counter, keyed on the token itself unless the
 * token's claims were verified before the guard (CSP_JWKS_URL), so a forged `sub` holds only its own slots.
 */
import { identifyCaller } from '../../auth/caller.js';
import { type Logger } from '../../logging/logger.js';
import {
  fail,
  type MfaBackend,
  type MfaUpdateDto,
  type Outcome,
  type UpdateMfaCall,
} from '../mfa-backend.js';
import { type GuardObserver, type GuardRefusal } from '../../observability/guard-observer.js';
import { type AttemptLimiter } from './attempt-limiter.js';
import { decorate } from './decorate.js';

export interface GuardOptions {
  /** Answered wrong passwords allowed per principal per window (the limiter's window). */
  readonly maxAttempts: number;
  /** True when every token reaching the guard had its signature checked, so its `sub` is the caller's. */
  readonly identityVerified: boolean;
  /** Refusals are summed into at most one warn line per this many ms. Defaults to 60_000. */
  readonly refusalLogIntervalMs?: number;
  /** Told of every refusal and lock (the Prometheus metrics). Defaults to none. */
  readonly observer?: GuardObserver;
}

type Refusal = GuardRefusal;

export function createBruteForceGuard(
  backend: MfaBackend,
  limiter: AttemptLimiter,
  logger: Logger,
  options: GuardOptions,
): MfaBackend {
  const { maxAttempts, identityVerified } = options;
  const observer = options.observer;
  const logRefusal = createRefusalLog(logger, options.refusalLogIntervalMs ?? 60_000, observer);

  const keep = (requestId: string) => (error: unknown) =>
    logger.warn(
      { requestId, code: (error as { code?: unknown } | null)?.code },
      'brute-force guard: could not update the count',
    );

  async function updateMfa(call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>> {
    // The keys are the gateway's, made once per request; a direct caller of the stack gets them made here.
    const { principalKey: principal, tokenKey } = call.caller ?? identifyCaller(call.token, 'strict');
    const spent = await limiter.failures(principal);
    if (spent.count >= maxAttempts) {
      logRefusal('locked', call.requestId);
      return fail({
        code: 'RATE_LIMITED',
        requestId: call.requestId,
        retryAfterSeconds: spent.retryAfterSeconds,
      });
    }
    const flightKey = identityVerified ? principal : tokenKey;
    const inFlight = await limiter.enter(flightKey);
    let outcome: Outcome<MfaUpdateDto> | undefined;
    try {
      // Every update in flight may still turn out a wrong password, so together they must fit the budget
      // that is left. Refused only because of the others: the next try, a second later, gets the truth.
      if (spent.count + inFlight > maxAttempts) {
        logRefusal('busy', call.requestId);
        return fail({ code: 'RATE_LIMITED', requestId: call.requestId, retryAfterSeconds: 1 });
      }
      outcome = await backend.updateMfa(call);
      return outcome;
    } finally {
      // Book-keeping must not turn the user's answer into an error. A throw (a backend bug) counts nothing.
      await limiter.leave(flightKey).catch(keep(call.requestId));
      // A right password forgets the failures counted before it (none read: nothing to forget, and a
      // wrong one answered meanwhile is kept, the safe side).
      if (outcome?.ok) {
        if (spent.count > 0) await limiter.clearFailures(principal).catch(keep(call.requestId));
      } else if (outcome?.failure.code === 'WRONG_PASSWORD') {
        const count = await limiter.addFailure(principal).catch(keep(call.requestId));
        // Counts go up one at a time (atomically in Redis), so exactly one failure reaches the limit.
        if (count === maxAttempts) observer?.locked();
      }
    }
  }

  return decorate(backend, {
    updateMfa,
    close: async () => {
      await limiter.close();
      await backend.close();
    },
  });
}

/**
 * Clients decide how often they are refused, so refusals are not logged one by one at warn: each is a
 * debug line, and a warn line sums them up at most once per interval (the first one at once).
 */
function createRefusalLog(logger: Logger, intervalMs: number, observer: GuardObserver | undefined) {
  const counts: Record<Refusal, number> = { locked: 0, busy: 0 };
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  return (reason: Refusal, requestId: string) => {
    counts[reason]++;
    observer?.refused(reason);
    logger.debug({ requestId, reason }, 'brute-force guard: update refused locally');
    const now = performance.now();
    if (now - lastWarnAt < intervalMs) return;
    logger.warn(
      { refused: { ...counts }, sinceMs: Number.isFinite(lastWarnAt) ? Math.round(now - lastWarnAt) : 0 },
      'brute-force guard: updates refused locally (locked: too many wrong passwords; busy: too many in flight)',
    );
    lastWarnAt = now;
    counts.locked = 0;
    counts.busy = 0;
  };
}
