import { describe, expect, it } from '@jest/globals';
import { identifyCaller } from '../../src/auth/caller.js';
import { type TokenVerifier } from '../../src/auth/token-verifier.js';
import { decorate } from '../../src/backend/guards/decorate.js';
import { createTokenVerificationGuard } from '../../src/backend/guards/token-verification.guard.js';
import { succeed, type BackendCall, type MfaBackend } from '../../src/backend/mfa-backend.js';
import { createLogger } from '../../src/logging/logger.js';
import { userJwt } from '../helpers/operations.js';

/** A backend that answers everything and counts what reached it. */
function answering(): MfaBackend & { calls: string[]; closed: number } {
  const calls: string[] = [];
  const backend = {
    kind: 'store' as const,
    calls,
    closed: 0,
    updateMfa: async () => (calls.push('update'), succeed({ turnedOn: true })),
    getMfaStatus: async () => (calls.push('status'), succeed({ turnedOn: true })),
    getMfaAudit: async () => (
      calls.push('audit'),
      succeed({ itemsPerPage: 0, startIndex: 1, totalResults: 0, results: [] })
    ),
    isReady: async () => true,
    close: async () => {
      backend.closed++;
    },
  };
  return backend;
}

const logger = createLogger({ level: 'silent' });

describe('the guard stack', () => {
  it('verifies a token once per request, however many backend calls the request makes', async () => {
    const verified: string[] = [];
    const verifier: TokenVerifier = { verify: async (token) => (verified.push(token), 'valid') };
    const guarded = createTokenVerificationGuard(answering(), verifier, logger);
    const token = userJwt();
    const request = (): BackendCall => ({ token, caller: identifyCaller(token, 'strict'), requestId: 'r' });

    const first = request();
    await guarded.updateMfa({ ...first, password: 'p', turnedOn: true });
    await guarded.getMfaStatus(first);
    await guarded.getMfaAudit(first, { startDate: 0, endDate: 1 });
    expect(verified).toHaveLength(1);

    await guarded.getMfaStatus(request());
    expect(verified).toHaveLength(2);
  });

  it('passes through every method a guard does not name', async () => {
    const inner = answering();
    const wrapped = decorate(inner, {});
    const call: BackendCall = { token: 't', requestId: 'r' };
    await wrapped.updateMfa({ ...call, password: 'p', turnedOn: false });
    await wrapped.getMfaStatus(call);
    await wrapped.getMfaAudit(call, { startDate: 0, endDate: 1 });
    expect(inner.calls).toEqual(['update', 'status', 'audit']);
    expect(wrapped.kind).toBe('store');
    expect(await wrapped.isReady()).toBe(true);
    await wrapped.close();
    expect(inner.closed).toBe(1);
  });
});
