import { Field, Int, ObjectType } from 'type-graphql';
import { type MfaAuditPage } from '../backend/mfa-backend.js';
import { MfaAuditEvent } from './mfa-audit-event.type.js';

/** CSP's paged answer; its `results` are `events` here, the one renamed field. */
@ObjectType('MfaAuditLogPage', {
  description:
    "One page of the calling user's MFA audit log, newest event first. To read the next page, send `pageStart: startIndex + itemsPerPage` while that is at most `totalResults`.",
})
export class MfaAuditLogPage {
  @Field(() => Int, { description: 'The page size CSP applied (the `pageLimit` asked for, or its default).' })
  itemsPerPage!: number;

  @Field(() => Int, { description: 'Position of the first event of this page among all matching events.' })
  startIndex!: number;

  @Field(() => Int, { description: 'How many events match the query in all pages together.' })
  totalResults!: number;

  @Field(() => [MfaAuditEvent], {
    description: "The events of this page, newest first (CSP's `results`). Empty when nothing matches.",
  })
  events!: MfaAuditEvent[];

  static from(page: MfaAuditPage): MfaAuditLogPage {
    return Object.assign(new MfaAuditLogPage(), {
      itemsPerPage: page.itemsPerPage,
      startIndex: page.startIndex,
      totalResults: page.totalResults,
      events: page.results.map((event) =>
        Object.assign(new MfaAuditEvent(), {
          eventId: event.eventId,
          action: event.action,
          eventDate: event.eventDate,
          deviceName: event.details.deviceName ?? null,
          modifiedBy: event.modifiedBy ?? null,
          username: event.username ?? null,
        }),
      ),
    });
  }
}
