/** Failure → GraphQL error member: the one place where a backend's failure code picks a type and its words. */
import { type MfaFailure, type MfaFailureCode } from '../backend/mfa-backend.js';
import { type MfaError } from './mfa-error.interface.js';
import {
  MfaConflictError,
  MfaForbiddenError,
  MfaInvalidRequestError,
  MfaNotFoundError,
  MfaPasswordRequiredError,
  MfaRateLimitedError,
  MfaServiceAccountNotAllowedError,
  MfaUnauthenticatedError,
  MfaUnexpectedError,
  MfaUpstreamUnavailableError,
  MfaWrongPasswordError,
} from './mfa-error-members.types.js';

interface MemberSpec {
  readonly type: new () => MfaError;
  readonly message: string;
  readonly retryable: boolean;
}

const MEMBERS: { readonly [K in MfaFailureCode]: MemberSpec } = {
  PASSWORD_REQUIRED: {
    type: MfaPasswordRequiredError,
    message: 'The password is required to change MFA. Ask for the password and send it again.',
    retryable: false,
  },
  INVALID_REQUEST: {
    type: MfaInvalidRequestError,
    message:
      'The audit-log query is not valid. Check the dates, filters and page window, then send it again.',
    retryable: false,
  },
  UNAUTHENTICATED: {
    type: MfaUnauthenticatedError,
    message: 'The access token is missing, invalid or expired. Sign in again and send the new token.',
    retryable: false,
  },
  WRONG_PASSWORD: {
    type: MfaWrongPasswordError,
    message: 'The password is wrong. Ask for it again; repeated failures lock the account for a while.',
    retryable: false,
  },
  FORBIDDEN: {
    type: MfaForbiddenError,
    message: 'This account is not allowed to use the MFA API.',
    retryable: false,
  },
  NOT_FOUND: {
    type: MfaNotFoundError,
    message: 'No user, or no MFA details, exist for this token.',
    retryable: false,
  },
  CONFLICT: {
    type: MfaConflictError,
    message: 'The change conflicts with the current MFA state, for example no MFA device is activated.',
    retryable: false,
  },
  RATE_LIMITED: {
    type: MfaRateLimitedError,
    message: 'Too many requests. Wait before trying again.',
    retryable: true,
  },
  SERVICE_ACCOUNT_NOT_ALLOWED: {
    type: MfaServiceAccountNotAllowedError,
    message: 'Service accounts cannot manage MFA. Use a user account token.',
    retryable: false,
  },
  UPSTREAM_UNAVAILABLE: {
    type: MfaUpstreamUnavailableError,
    message: 'CSP is unavailable or gave an unusable answer. Try again later.',
    retryable: true,
  },
  UNEXPECTED: {
    type: MfaUnexpectedError,
    message: 'CSP reported an unexpected error. Try again later; report the request id if it persists.',
    retryable: true,
  },
};

export const memberTypeOf = (code: MfaFailureCode): new () => MfaError => MEMBERS[code].type;

/**
 * Builds the member for a failure. `allowed` is the union's member codes: a code the union cannot hold
 * (a backend bug) becomes UNEXPECTED rather than a schema error.
 */
export function toMfaErrorMember(failure: MfaFailure, allowed: ReadonlySet<MfaFailureCode>): MfaError {
  const code: MfaFailureCode = allowed.has(failure.code) ? failure.code : 'UNEXPECTED';
  const spec = MEMBERS[code];
  const member: MfaError = Object.assign(new spec.type(), {
    code,
    message: spec.message,
    retryable: code === 'UNEXPECTED' ? (failure.statusCode ?? 500) >= 500 : spec.retryable,
    statusCode: failure.statusCode,
    cspErrorCode: failure.cspErrorCode,
    errorCode: failure.errorCode,
    moduleCode: failure.moduleCode,
    requestId: failure.requestId,
  });
  if (member instanceof MfaRateLimitedError) member.retryAfterSeconds = failure.retryAfterSeconds;
  return member;
}

export const UPDATE_MY_MFA_CODES: ReadonlySet<MfaFailureCode> = new Set<MfaFailureCode>([
  'PASSWORD_REQUIRED',
  'UNAUTHENTICATED',
  'WRONG_PASSWORD',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVICE_ACCOUNT_NOT_ALLOWED',
  'UPSTREAM_UNAVAILABLE',
  'UNEXPECTED',
]);

export const MY_MFA_CODES: ReadonlySet<MfaFailureCode> = new Set<MfaFailureCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'SERVICE_ACCOUNT_NOT_ALLOWED',
  'UPSTREAM_UNAVAILABLE',
  'UNEXPECTED',
]);

export const MY_MFA_AUDIT_LOG_CODES: ReadonlySet<MfaFailureCode> = new Set<MfaFailureCode>([
  'INVALID_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVICE_ACCOUNT_NOT_ALLOWED',
  'UPSTREAM_UNAVAILABLE',
  'UNEXPECTED',
]);

/** Each root field's union, by field name: what a refusal decided outside the resolver must fit. */
const CODES_BY_ROOT_FIELD: Readonly<Record<string, ReadonlySet<MfaFailureCode>>> = {
  updateMyMfa: UPDATE_MY_MFA_CODES,
  myMfa: MY_MFA_CODES,
  myMfaAuditLog: MY_MFA_AUDIT_LOG_CODES,
};

/** The member a service account refused by the access policy gets, or undefined for other fields. */
export function serviceAccountRefusal(fieldName: string, requestId: string): MfaError | undefined {
  const codes = CODES_BY_ROOT_FIELD[fieldName];
  return codes && toMfaErrorMember({ code: 'SERVICE_ACCOUNT_NOT_ALLOWED', requestId }, codes);
}
