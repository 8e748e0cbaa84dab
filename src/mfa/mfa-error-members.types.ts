/**
 * One GraphQL type per documented answer or fault. All are prefixed `Mfa` so the subgraph composes next
 * to others that define their own `Error`, `UnauthenticatedError` or `ForbiddenError`.
 */
import { Field, Int, ObjectType } from 'type-graphql';
import { MfaError } from './mfa-error.interface.js';

@ObjectType('MfaPasswordRequiredError', {
  implements: MfaError,
  description: 'CSP 400: the password was not provided. Ask the user for their password and send it again.',
})
export class MfaPasswordRequiredError extends MfaError {}

@ObjectType('MfaInvalidRequestError', {
  implements: MfaError,
  description:
    'CSP 400 on the audit-log read, or refused here before any call: the query is not valid (end before start, start in the future, more than 20 event ids or device names, a negative or too large page window). `errorCode` names the reason when known. Fix the query; sending it again unchanged will not help.',
})
export class MfaInvalidRequestError extends MfaError {}

@ObjectType('MfaUnauthenticatedError', {
  implements: MfaError,
  description:
    'CSP 401, or no token: the `csp-auth-token` header is missing, invalid or expired. Sign in again to get a new access token.',
})
export class MfaUnauthenticatedError extends MfaError {}

@ObjectType('MfaWrongPasswordError', {
  implements: MfaError,
  description:
    'CSP 403 on the update: the password is wrong. Ask the user to type it again; repeated failures lead to a temporary lockout.',
})
export class MfaWrongPasswordError extends MfaError {}

@ObjectType('MfaForbiddenError', {
  implements: MfaError,
  description:
    'CSP 403 on the status or audit-log read: this principal is not allowed to use the MFA API. Retrying will not help.',
})
export class MfaForbiddenError extends MfaError {}

@ObjectType('MfaNotFoundError', {
  implements: MfaError,
  description:
    'CSP 404: no user exists for this token, or no MFA details exist for the user. Check that the token belongs to a CSP user.',
})
export class MfaNotFoundError extends MfaError {}

@ObjectType('MfaConflictError', {
  implements: MfaError,
  description:
    'CSP 409: the request conflicts with the current MFA state (e.g. no MFA device is activated). Read `myMfa`, fix the state, then try again.',
})
export class MfaConflictError extends MfaError {}

@ObjectType('MfaRateLimitedError', {
  implements: MfaError,
  description:
    'CSP 429, or the local brute-force guard: too many requests. Wait `retryAfterSeconds` (when given) before trying again.',
})
export class MfaRateLimitedError extends MfaError {
  @Field(() => Int, {
    nullable: true,
    description: 'Seconds to wait before retrying, from `Retry-After` when CSP sent it; null when unknown.',
  })
  retryAfterSeconds?: number;
}

@ObjectType('MfaServiceAccountNotAllowedError', {
  implements: MfaError,
  description:
    'The token belongs to a service account (a client-credentials app). MFA belongs to user accounts only: call with a user token.',
})
export class MfaServiceAccountNotAllowedError extends MfaError {}

@ObjectType('MfaUpstreamUnavailableError', {
  implements: MfaError,
  description:
    'CSP could not be reached, timed out, or answered with something that is not a CSP answer (502/503/504, an HTML page, an empty or cut-off body). Retry later; after an update, read `myMfa` first: the change may have been applied.',
})
export class MfaUpstreamUnavailableError extends MfaError {}

@ObjectType('MfaUnexpectedError', {
  implements: MfaError,
  description:
    'CSP 500, or a status CSP does not document (see `statusCode`). Retry later; if it persists, report the `requestId`.',
})
export class MfaUnexpectedError extends MfaError {}
