/**
 * A decorator that verifies the caller's token locally before any backend call: a bad or expired token
 * is answered UNAUTHENTICATED without an upstream call; an unreachable key set fails closed
 * (UPSTREAM_UNAVAILABLE), since an operator who turned verification on asked for no unverified calls.
 */
import { fail, type BackendCall, type MfaBackend, type Outcome } from '../backend/mfa-backend.js';
import { type Logger } from '../logger.js';
import { type TokenVerifier } from './token-verifier.js';

export function createVerifiedBackend(
  backend: MfaBackend,
  verifier: TokenVerifier,
  logger: Logger,
): MfaBackend {
  async function refusal(call: BackendCall): Promise<Outcome<never> | undefined> {
    const verdict = await verifier.verify(call.token);
    if (verdict === 'valid') return undefined;
    if (verdict === 'unavailable') {
      // The verifier warns once per failed fetch; one line per refused call would flood the log.
      logger.debug({ requestId: call.requestId }, 'token verification: no usable key set; call refused');
      return fail({ code: 'UPSTREAM_UNAVAILABLE', requestId: call.requestId });
    }
    logger.debug({ requestId: call.requestId }, 'token verification: token refused locally');
    return fail({ code: 'UNAUTHENTICATED', requestId: call.requestId });
  }

  return {
    kind: backend.kind,
    async updateMfa(call) {
      return (await refusal(call)) ?? backend.updateMfa(call);
    },
    async getMfaStatus(call) {
      return (await refusal(call)) ?? backend.getMfaStatus(call);
    },
    async getMfaAudit(call, query) {
      return (await refusal(call)) ?? backend.getMfaAudit(call, query);
    },
    isReady: () => backend.isReady(),
    close: () => backend.close(),
  };
}
