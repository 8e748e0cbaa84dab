/**
 * Authentication, the first step of every contract call: whom the token speaks for, and whether that
 * principal may use the MFA API. Order as at CSP: token, then principal, then kind.
 */
import type { BackendCall, MfaFailure, MfaFailureCode } from '../mfa-backend.js';
import type { PrincipalRow, StoreSteps } from './store-driver.js';
import { storeFailure } from './store-outcomes.js';
import type { StoreTokens } from './store-tokens.js';

export type Authenticated =
  { readonly ok: true; readonly row: PrincipalRow } | { readonly ok: false; readonly failure: MfaFailure };

export async function authenticatePrincipal(
  call: BackendCall,
  steps: StoreSteps,
  tokens: StoreTokens,
): Promise<Authenticated> {
  const denied = (code: MfaFailureCode): Authenticated => ({
    ok: false,
    failure: storeFailure(code, call.requestId),
  });
  if (typeof call.token !== 'string' || call.token.length === 0) return denied('UNAUTHENTICATED');
  const subject = await tokens.verify(call.token);
  if (!subject) return denied('UNAUTHENTICATED');
  const row =
    subject.kind === 'user'
      ? await steps.principalById(subject.id)
      : await steps.principalByName(subject.clientId);
  // CSP answers 404 "no user with given token exists" for a valid token whose principal is gone.
  if (!row || row.kind !== subject.kind) return denied('NOT_FOUND');
  if (row.kind === 'service-account') return denied('SERVICE_ACCOUNT_NOT_ALLOWED');
  return { ok: true, row };
}
