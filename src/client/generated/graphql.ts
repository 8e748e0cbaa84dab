/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What happened in an MFA audit event; CSP's own action names. */
export type MfaAuditAction =
  /** A sign-in completed without an MFA step. */
  | 'AUTHENTICATION_WITHOUT_MFA'
  /** An MFA device was enrolled. */
  | 'MFA_ACTIVATION'
  /** An MFA check failed. The embedded store also records a wrong password on an MFA change this way; repeated failures lead to a lockout. */
  | 'MFA_AUTHENTICATION_FAILURE'
  /** An MFA check (a code from the device) passed. */
  | 'MFA_AUTHENTICATION_SUCCESS'
  /** The MFA device was removed. */
  | 'MFA_DEACTIVATION'
  /** The enrolled device was renamed. */
  | 'MFA_DEVICE_NAME_UPDATE'
  /** MFA was turned off: it is no longer enforced at sign-in. */
  | 'MFA_DISABLE'
  /** MFA was turned on: it is enforced at sign-in from now on. */
  | 'MFA_ENABLE'
  /** New recovery codes were generated; the earlier ones no longer work. */
  | 'MFA_RECOVERY_CODES_GENERATION'
  /** A sign-in with a recovery code failed. */
  | 'MFA_RECOVERY_CODE_AUTHENTICATION_FAILURE'
  /** A sign-in with a recovery code succeeded. */
  | 'MFA_RECOVERY_CODE_AUTHENTICATION_SUCCESS';

/** Which MFA audit events to read: a time window, optional filters (all given filters must match) and a page. */
export type MfaAuditLogInput = {
  /** Only events with one of these actions. Omitted or empty: every action. */
  actions?: Array<MfaAuditAction> | null | undefined;
  /** Only events of one of these MFA devices (at most 20). Omitted or empty: every device. */
  deviceNames?: Array<string> | null | undefined;
  /** End of the window, inclusive, in epoch milliseconds (UTC). A Float because GraphQL Int is 32-bit; send a whole number, not before `startDate`. */
  endDate: number;
  /** Only the events with these ids (at most 20). Omitted or empty: every event. */
  eventIds?: Array<string> | null | undefined;
  /** Events per page. Omitted: CSP's default (20 on the embedded store, which allows at most 200). */
  pageLimit?: number | null | undefined;
  /** Position of the first event to return; the next page starts at `startIndex + itemsPerPage`. Omitted: the first event (CSP's default; the embedded store counts from 1). */
  pageStart?: number | null | undefined;
  /** Start of the window, inclusive, in epoch milliseconds (UTC). A Float because GraphQL Int is 32-bit; send a whole number. Must not be in the future. */
  startDate: number;
};

/** Stable machine-readable code of an MFA error; branch on this, never on the message text. */
export type MfaErrorCode =
  /** The request conflicts with the current MFA state (CSP 409). Re-read the status first. */
  | 'CONFLICT'
  /** The principal may not use the MFA API (CSP 403 on the status or audit-log read). */
  | 'FORBIDDEN'
  /** The audit-log query is not valid (CSP 400 on the audit read, or checked here). Fix the query; do not retry as is. */
  | 'INVALID_REQUEST'
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

type MfaErrorFields_MfaConflictError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaForbiddenError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaInvalidRequestError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaNotFoundError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaPasswordRequiredError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaRateLimitedError_Fragment = { retryAfterSeconds: number | null, code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaServiceAccountNotAllowedError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaUnauthenticatedError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaUnexpectedError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaUpstreamUnavailableError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

type MfaErrorFields_MfaWrongPasswordError_Fragment = { code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null };

export type MfaErrorFieldsFragment =
  | MfaErrorFields_MfaConflictError_Fragment
  | MfaErrorFields_MfaForbiddenError_Fragment
  | MfaErrorFields_MfaInvalidRequestError_Fragment
  | MfaErrorFields_MfaNotFoundError_Fragment
  | MfaErrorFields_MfaPasswordRequiredError_Fragment
  | MfaErrorFields_MfaRateLimitedError_Fragment
  | MfaErrorFields_MfaServiceAccountNotAllowedError_Fragment
  | MfaErrorFields_MfaUnauthenticatedError_Fragment
  | MfaErrorFields_MfaUnexpectedError_Fragment
  | MfaErrorFields_MfaUpstreamUnavailableError_Fragment
  | MfaErrorFields_MfaWrongPasswordError_Fragment
;

export type MyMfaAuditLogQueryVariables = Exact<{
  input: MfaAuditLogInput;
}>;


export type MyMfaAuditLogQuery = { myMfaAuditLog:
    | { __typename: 'MfaAuditLogPage', itemsPerPage: number, startIndex: number, totalResults: number, events: Array<{ __typename: 'MfaAuditEvent', eventId: string, action: MfaAuditAction, eventDate: number, deviceName: string | null, modifiedBy: string | null }> }
    | { __typename: 'MfaConflictError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaForbiddenError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaInvalidRequestError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaNotFoundError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaRateLimitedError', retryAfterSeconds: number | null, code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaServiceAccountNotAllowedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaUnauthenticatedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaUnexpectedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaUpstreamUnavailableError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
   };

export type MyMfaQueryVariables = Exact<{ [key: string]: never; }>;


export type MyMfaQuery = { myMfa:
    | { __typename: 'MfaForbiddenError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaNotFoundError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaRateLimitedError', retryAfterSeconds: number | null, code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaServiceAccountNotAllowedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaStatus', turnedOn: boolean, activated: boolean | null, deviceName: string | null, username: string | null }
    | { __typename: 'MfaUnauthenticatedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaUnexpectedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaUpstreamUnavailableError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
   };

export type UpdateMyMfaMutationVariables = Exact<{
  input: UpdateMyMfaInput;
}>;


export type UpdateMyMfaMutation = { updateMyMfa:
    | { __typename: 'MfaConflictError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaNotFoundError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaPasswordRequiredError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaRateLimitedError', retryAfterSeconds: number | null, code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaServiceAccountNotAllowedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaStatus', turnedOn: boolean }
    | { __typename: 'MfaUnauthenticatedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaUnexpectedError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaUpstreamUnavailableError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
    | { __typename: 'MfaWrongPasswordError', code: MfaErrorCode, message: string, retryable: boolean, statusCode: number | null, requestId: string | null }
   };

export const MfaErrorFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MfaErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaRateLimitedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}}]}}]} as unknown as DocumentNode<MfaErrorFieldsFragment, unknown>;
export const MyMfaAuditLogDocument = {"__meta__":{"hash":"sha256:12e0270661eb07992b7cc7c4dcb2bd19ac9d786ed05b64a3a187afe81f0a58a8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MyMfaAuditLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MfaAuditLogInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"myMfaAuditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaAuditLogPage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"itemsPerPage"}},{"kind":"Field","name":{"kind":"Name","value":"startIndex"}},{"kind":"Field","name":{"kind":"Name","value":"totalResults"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"eventId"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"eventDate"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedBy"}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"MfaErrorFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MfaErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaRateLimitedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}}]}}]} as unknown as DocumentNode<MyMfaAuditLogQuery, MyMfaAuditLogQueryVariables>;
export const MyMfaDocument = {"__meta__":{"hash":"sha256:beb304cef97dfb13db51e41782ff08895c1393df810307caba640d8f0f2b7904"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MyMfa"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"myMfa"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnedOn"}},{"kind":"Field","name":{"kind":"Name","value":"activated"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}},{"kind":"Field","name":{"kind":"Name","value":"username"}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"MfaErrorFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MfaErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaRateLimitedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}}]}}]} as unknown as DocumentNode<MyMfaQuery, MyMfaQueryVariables>;
export const UpdateMyMfaDocument = {"__meta__":{"hash":"sha256:f0b322d15cb465fb713590a4bc34564369932e00e15b61300914dfa392c2cbeb"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateMyMfa"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateMyMfaInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateMyMfa"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnedOn"}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"MfaErrorFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MfaErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MfaRateLimitedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}}]}}]} as unknown as DocumentNode<UpdateMyMfaMutation, UpdateMyMfaMutationVariables>;