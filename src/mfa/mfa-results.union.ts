import { createUnionType } from 'type-graphql';
import { MfaAuditLogPage } from './mfa-audit-log-page.type.js';
import {
  memberTypeOf,
  MY_MFA_AUDIT_LOG_CODES,
  MY_MFA_CODES,
  UPDATE_MY_MFA_CODES,
} from './mfa-error.mapper.js';
import { MfaStatus } from './mfa-status.type.js';

/** The member list of each union follows its code set, so the schema and the mapper cannot drift apart. */
export const UpdateMyMfaResult = createUnionType({
  name: 'UpdateMyMfaResult',
  description:
    'The answer to `updateMyMfa`: `MfaStatus` on success, otherwise one error type per documented CSP answer or fault (all implement `MfaError`).',
  types: () => [MfaStatus, ...[...UPDATE_MY_MFA_CODES].map(memberTypeOf)] as const,
});

export const MyMfaResult = createUnionType({
  name: 'MyMfaResult',
  description:
    'The answer to `myMfa`: `MfaStatus` on success, otherwise one error type per documented CSP answer or fault (all implement `MfaError`).',
  types: () => [MfaStatus, ...[...MY_MFA_CODES].map(memberTypeOf)] as const,
});

export const MyMfaAuditLogResult = createUnionType({
  name: 'MyMfaAuditLogResult',
  description:
    'The answer to `myMfaAuditLog`: `MfaAuditLogPage` on success, otherwise one error type per documented CSP answer or fault (all implement `MfaError`).',
  types: () => [MfaAuditLogPage, ...[...MY_MFA_AUDIT_LOG_CODES].map(memberTypeOf)] as const,
});
