/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** Stable machine-readable code of an MFA error; branch on this, never on the message text. */
export type MfaErrorCode =
  /** The change conflicts with the current MFA state (CSP 409). Re-read the status first. */
  | 'CONFLICT'
  /** The principal may not use the MFA API (CSP 403 on the status read). */
  | 'FORBIDDEN'
  /** No user for this token, or no MFA details for the user (CSP 404). */
  | 'NOT_FOUND'
  /** The password was empty or missing (CSP 400). Ask the user for it. */
  | 'PASSWORD_REQUIRED'
  /** Too many requests (CSP 429 or the local guard). Wait `retryAfterSeconds`, then retry. */
  | 'RATE_LIMITED'
  /** A service account (client-credentials app) called; MFA belongs to user accounts only. */
  | 'SERVICE_ACCOUNT_NOT_ALLOWED'
  /** The access token is missing, invalid or expired (CSP 401). Get a new token; do not retry as is. */
  | 'UNAUTHENTICATED'
  /** CSP reported an unexpected error (CSP 500 or an undocumented status). */
  | 'UNEXPECTED'
  /** CSP was unreachable, timed out or sent something that is not a CSP answer. Retry later. */
  | 'UPSTREAM_UNAVAILABLE'
  /** The password is wrong (CSP 403 on the update). Ask again; repeated failures lock the account. */
  | 'WRONG_PASSWORD';

/** A change to the calling user's MFA. */
export type UpdateMyMfaInput = {
  /** The caller's current password, required by CSP to change MFA. Send it as a variable, never inline in the query text. */
  password: string;
  /** True to enforce MFA at sign-in, false to stop enforcing it. */
  turnedOn: boolean;
};

export type MyMfaQueryVariables = Exact<{ [key: string]: never; }>;


export type MyMfaQuery = { myMfa:
    | { __typename: 'MfaForbiddenError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaNotFoundError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaRateLimitedError', retryAfterSeconds: number | null, code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaServiceAccountNotAllowedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaStatus', turnedOn: boolean, activated: boolean | null, deviceName: string | null, username: string | null }
    | { __typename: 'MfaUnauthenticatedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaUnexpectedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaUpstreamUnavailableError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
   };

export type UpdateMyMfaDetailsMutationVariables = Exact<{
  input: UpdateMyMfaInput;
}>;


export type UpdateMyMfaDetailsMutation = { updateMyMfa:
    | { __typename: 'MfaConflictError' }
    | { __typename: 'MfaNotFoundError' }
    | { __typename: 'MfaPasswordRequiredError' }
    | { __typename: 'MfaRateLimitedError' }
    | { __typename: 'MfaServiceAccountNotAllowedError' }
    | { __typename: 'MfaStatus', turnedOn: boolean, activated: boolean | null, deviceName: string | null, username: string | null, again: boolean | null }
    | { __typename: 'MfaUnauthenticatedError' }
    | { __typename: 'MfaUnexpectedError' }
    | { __typename: 'MfaUpstreamUnavailableError' }
    | { __typename: 'MfaWrongPasswordError' }
   };

export type UpdateMyMfaMutationVariables = Exact<{
  input: UpdateMyMfaInput;
}>;


export type UpdateMyMfaMutation = { updateMyMfa:
    | { __typename: 'MfaConflictError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaNotFoundError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaPasswordRequiredError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaRateLimitedError', retryAfterSeconds: number | null, code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaServiceAccountNotAllowedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaStatus', turnedOn: boolean }
    | { __typename: 'MfaUnauthenticatedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaUnexpectedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaUpstreamUnavailableError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
    | { __typename: 'MfaWrongPasswordError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, cspErrorCode: string | null, errorCode: string | null, moduleCode: number | null, requestId: string | null }
   };
