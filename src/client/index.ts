/**
 * The frontend kit (`csp-mfa-graphql/client`): what an Apollo Client (or urql) app needs to talk to this
 * gateway. Plain data and functions with no runtime dependency; Apollo's types are imported as types only.
 */
export { possibleTypes } from './possible-types.js';
export { typePolicies, type CachedAuditLogPages } from './type-policies.js';
export { persistedDocumentId } from './persisted-documents.js';
export { isMfaError, type MfaErrorMember } from './mfa-error.js';
export {
  MfaErrorFieldsFragmentDoc,
  MyMfaAuditLogDocument,
  MyMfaDocument,
  UpdateMyMfaDocument,
  type MfaAuditAction,
  type MfaAuditLogInput,
  type MfaErrorCode,
  type MfaErrorFieldsFragment,
  type MyMfaAuditLogQuery,
  type MyMfaAuditLogQueryVariables,
  type MyMfaQuery,
  type MyMfaQueryVariables,
  type UpdateMyMfaInput,
  type UpdateMyMfaMutation,
  type UpdateMyMfaMutationVariables,
} from './generated/graphql.js';
