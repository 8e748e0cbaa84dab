import { registerEnumType } from 'type-graphql';
import { MFA_FAILURE_CODES, type MfaFailureCode } from '../backend/mfa-backend.js';
import { stringEnum } from './string-enum.js';

/** The GraphQL `MfaErrorCode` enum: one value per error member, the stable thing clients branch on. */
export const MfaErrorCode = stringEnum<MfaFailureCode>(MFA_FAILURE_CODES);

registerEnumType(MfaErrorCode, {
  name: 'MfaErrorCode',
  description: 'Stable machine-readable code of an MFA error; branch on this, never on the message text.',
  valuesConfig: {
    PASSWORD_REQUIRED: { description: 'The password was empty or missing (CSP 400). Ask the user for it.' },
    INVALID_REQUEST: {
      description:
        'The audit-log query is not valid (CSP 400 on the audit read, or checked here). Fix the query; do not retry as is.',
    },
    UNAUTHENTICATED: {
      description:
        'The access token is missing, invalid or expired (CSP 401). Get a new token; do not retry as is.',
    },
    WRONG_PASSWORD: {
      description:
        'The password is wrong (CSP 403 on the update). Ask again; repeated failures lock the account.',
    },
    FORBIDDEN: {
      description: 'The principal may not use the MFA API (CSP 403 on the status or audit-log read).',
    },
    NOT_FOUND: { description: 'No user for this token, or no MFA details for the user (CSP 404).' },
    CONFLICT: {
      description: 'The request conflicts with the current MFA state (CSP 409). Re-read the status first.',
    },
    RATE_LIMITED: {
      description: 'Too many requests (CSP 429 or the local guard). Wait `retryAfterSeconds`, then retry.',
    },
    SERVICE_ACCOUNT_NOT_ALLOWED: {
      description: 'A service account (client-credentials app) called; MFA belongs to user accounts only.',
    },
    UPSTREAM_UNAVAILABLE: {
      description: 'CSP was unreachable, timed out or sent something that is not a CSP answer. Retry later.',
    },
    UNEXPECTED: { description: 'CSP reported an unexpected error (CSP 500 or an undocumented status).' },
  },
});
