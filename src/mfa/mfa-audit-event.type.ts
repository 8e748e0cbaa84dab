import { Field, Float, ObjectType } from 'type-graphql';
import { type MfaAuditAction as MfaAuditActionName } from '../backend/mfa-backend.js';
import { MfaAuditAction } from './mfa-audit-action.enum.js';

/** One `MfaAuditLogDto`, flattened: CSP's `details.deviceName` is `deviceName` here. */
@ObjectType('MfaAuditEvent', { description: "One event of the calling user's MFA audit log." })
export class MfaAuditEvent {
  @Field(() => String, { description: "CSP's id of the event; pass it in `eventIds` to read it again." })
  eventId!: string;

  @Field(() => MfaAuditAction, { description: 'What happened.' })
  action!: MfaAuditActionName;

  @Field(() => Float, {
    description:
      'When it happened, in epoch milliseconds (UTC). A Float because GraphQL Int is 32-bit; the value is always a whole number.',
  })
  eventDate!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Name of the MFA device involved (CSP `details.deviceName`). Null when none or not reported.',
  })
  deviceName?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Who made the change: the user themselves, or an administrator or service. Null when not reported.',
  })
  modifiedBy?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The user name the event belongs to. Null when not reported.',
  })
  username?: string | null;
}
