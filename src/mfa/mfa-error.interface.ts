import { Field, Int, InterfaceType } from 'type-graphql';
import { MfaErrorCode } from './mfa-error-code.enum.js';
import { type MfaFailureCode } from '../backend/mfa-backend.js';

/** What every MFA error member has; the CSP fields are filled from CSP's error body when it sent one. */
@InterfaceType('MfaError', {
  description:
    'An expected, typed failure of an MFA operation. Errors are data: branch on `__typename` or `code`, show `message`, and use `retryable` to decide whether trying again can help.',
})
export abstract class MfaError {
  @Field(() => MfaErrorCode, { description: 'Stable machine-readable code; one per error type.' })
  code!: MfaFailureCode;

  @Field(() => String, { description: 'What happened and what to do next, in words fit to show a user.' })
  message!: string;

  @Field(() => Boolean, { description: 'True when the same request may succeed later without any change.' })
  retryable!: boolean;

  @Field(() => Int, { nullable: true, description: 'HTTP status CSP answered with, when CSP answered.' })
  statusCode?: number;

  @Field(() => String, {
    nullable: true,
    description: "CSP's error code, `<module>.<code>` (sometimes chained with `-`), when CSP sent one.",
  })
  cspErrorCode?: string;

  @Field(() => String, { nullable: true, description: "CSP's `errorCode`, when CSP sent one." })
  errorCode?: string;

  @Field(() => Int, {
    nullable: true,
    description: "CSP's module code (420 is IAM VMwareID), when CSP sent one.",
  })
  moduleCode?: number;

  @Field(() => String, {
    nullable: true,
    description:
      "Request id to quote to support: CSP's when it sent one, else this gateway's (also in the `x-request-id` response header).",
  })
  requestId?: string;
}
