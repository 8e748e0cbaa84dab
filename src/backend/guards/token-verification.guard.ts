/**
 * Verifies the caller's token locally, once per request, before any backend call: a bad or expired
 * token is answered UNAUTHENTICATED without an upstream call; an unreachable key set fails closed
 * (UPSTREAM_UNAVAILABLE), since an operator who turned verification on asked for no unverified calls.
 */
import { type TokenVerdict, type TokenVerifier } from '../../auth/token-verifier.js';
import { type Logger } from '../../logging/logger.js';
import { fail, type BackendCall, type MfaBackend, type Outcome } from '../mfa-backend.js';
import { decorate } from './decorate.js';

export function createTokenVerificationGuard(
  backend: MfaBackend,
  verifier: TokenVerifier,
  logger: Logger,
): MfaBackend {
  // The gateway makes one caller per request, so a request with several backend calls (an update whose
  // answer selects the status details) verifies its token once.
  const verdicts = new WeakMap<object, Promise<TokenVerdict>>();
  const verdictOf = (call: BackendCall): Promise<TokenVerdict> => {
    const request = call.caller ?? call;
    let verdict = verdicts.get(request);
    if (!verdict) verdicts.set(request, (verdict = verifier.verify(call.token)));
    return verdict;
  };

  async function refusal(call: BackendCall): Promise<Outcome<never> | undefined> {
    const verdict = await verdictOf(call);
    if (verdict === 'valid') return undefined;
    if (verdict === 'unavailable') {
      // The verifier warns once per failed fetch; one line per refused call would flood the log.
      logger.debug({ requestId: call.requestId }, 'token verification: no usable key set; call refused');
      return fail({ code: 'UPSTREAM_UNAVAILABLE', requestId: call.requestId });
    }
    logger.debug({ requestId: call.requestId }, 'token verification: token refused locally');
    return fail({ code: 'UNAUTHENTICATED', requestId: call.requestId });
  }

  return decorate(backend, {
    updateMfa: async (call) => (await refusal(call)) ?? backend.updateMfa(call),
    getMfaStatus: async (call) => (await refusal(call)) ?? backend.getMfaStatus(call),
    getMfaAudit: async (call, query) => (await refusal(call)) ?? backend.getMfaAudit(call, query),
  });
}
