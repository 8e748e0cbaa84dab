/** Helpers for the error half of every MFA answer. */
import type { MfaErrorFieldsFragment } from './generated/graphql.js';

/** An answer member that implements `MfaError`, with its `__typename`. */
export type MfaErrorMember = MfaErrorFieldsFragment & { readonly __typename: string };

/**
 * True for an `MfaError` member. Every union answer is either the success type or an error with
 * `code`, `message` and `retryable`: branch on `__typename` or `code`, never on `message`.
 */
export function isMfaError(
  member: { readonly __typename?: string } | null | undefined,
): member is MfaErrorMember {
  return typeof member === 'object' && member !== null && 'code' in member && 'message' in member;
}
