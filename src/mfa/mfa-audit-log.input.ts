import { Field, Float, InputType, Int } from 'type-graphql';
import {
  MAX_AUDIT_FILTER_VALUES,
  type MfaAuditAction as MfaAuditActionName,
} from '../backend/mfa-backend.js';
import { isEpochMs } from '../backend/number-rules.js';
import { MfaAuditAction } from './mfa-audit-action.enum.js';

/** CSP's `PrincipalMfaAuditLogRequest`, field for field. */
@InputType('MfaAuditLogInput', {
  description:
    'Which MFA audit events to read: a time window, optional filters (all given filters must match) and a page.',
})
export class MfaAuditLogInput {
  @Field(() => Float, {
    description:
      'Start of the window, inclusive, in epoch milliseconds (UTC). A Float because GraphQL Int is 32-bit; send a whole number. Must not be in the future.',
  })
  startDate!: number;

  @Field(() => Float, {
    description:
      'End of the window, inclusive, in epoch milliseconds (UTC). A Float because GraphQL Int is 32-bit; send a whole number, not before `startDate`.',
  })
  endDate!: number;

  @Field(() => [MfaAuditAction], {
    nullable: true,
    description: 'Only events with one of these actions. Omitted or empty: every action.',
  })
  actions?: MfaAuditActionName[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Only events of one of these MFA devices (at most 20). Omitted or empty: every device.',
  })
  deviceNames?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Only the events with these ids (at most 20). Omitted or empty: every event.',
  })
  eventIds?: string[] | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Events per page. Omitted: CSP's default (20 on the embedded store, which allows at most 200).",
  })
  pageLimit?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Position of the first event to return; the next page starts at `startIndex + itemsPerPage`. Omitted: the first event (CSP's default; the embedded store counts from 1).",
  })
  pageStart?: number | null;
}

/**
 * What can be refused without a call: things CSP documents as a 400 that need no clock and no data.
 * "Start in the future" is left to CSP, whose clock decides it. The reason goes out as `errorCode`,
 * named as the embedded store names it.
 */
export function localAuditProblem(input: MfaAuditLogInput): string | undefined {
  if (!isEpochMs(input.startDate) || !isEpochMs(input.endDate)) return 'DATE_NOT_EPOCH_MS';
  if (input.endDate < input.startDate) return 'END_BEFORE_START';
  if (
    (input.deviceNames?.length ?? 0) > MAX_AUDIT_FILTER_VALUES ||
    (input.eventIds?.length ?? 0) > MAX_AUDIT_FILTER_VALUES
  ) {
    return 'TOO_MANY_FILTER_VALUES';
  }
  if ((input.pageLimit ?? 0) < 0 || (input.pageStart ?? 0) < 0) return 'PAGE_WINDOW_TOO_LARGE';
  return undefined;
}
