import { registerEnumType } from 'type-graphql';
import { MFA_AUDIT_ACTIONS, type MfaAuditAction as MfaAuditActionName } from '../backend/mfa-backend.js';
import { stringEnum } from './string-enum.js';

/** The GraphQL `MfaAuditAction` enum: CSP's action names, unchanged, so a filter goes upstream as it is. */
export const MfaAuditAction = stringEnum<MfaAuditActionName>(MFA_AUDIT_ACTIONS);

registerEnumType(MfaAuditAction, {
  name: 'MfaAuditAction',
  description: "What happened in an MFA audit event; CSP's own action names.",
  valuesConfig: {
    MFA_ACTIVATION: { description: 'An MFA device was enrolled.' },
    MFA_DEACTIVATION: { description: 'The MFA device was removed.' },
    MFA_ENABLE: { description: 'MFA was turned on: it is enforced at sign-in from now on.' },
    MFA_DISABLE: { description: 'MFA was turned off: it is no longer enforced at sign-in.' },
    MFA_DEVICE_NAME_UPDATE: { description: 'The enrolled device was renamed.' },
    MFA_AUTHENTICATION_SUCCESS: { description: 'An MFA check (a code from the device) passed.' },
    MFA_AUTHENTICATION_FAILURE: {
      description:
        'An MFA check failed. The embedded store also records a wrong password on an MFA change this way; repeated failures lead to a lockout.',
    },
    MFA_RECOVERY_CODE_AUTHENTICATION_SUCCESS: { description: 'A sign-in with a recovery code succeeded.' },
    MFA_RECOVERY_CODE_AUTHENTICATION_FAILURE: { description: 'A sign-in with a recovery code failed.' },
    MFA_RECOVERY_CODES_GENERATION: {
      description: 'New recovery codes were generated; the earlier ones no longer work.',
    },
    AUTHENTICATION_WITHOUT_MFA: { description: 'A sign-in completed without an MFA step.' },
  },
});
