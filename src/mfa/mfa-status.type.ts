import { Field, ObjectType } from 'type-graphql';
import { type MfaStatusDto } from '../backend/mfa-backend.js';

/**
 * The caller's MFA state. `turnedOn` is always known when this is built; the other fields are read
 * lazily (see MfaStatusResolver) unless the status answer was already at hand.
 */
@ObjectType('MfaStatus', { description: "The calling user's MFA state." })
export class MfaStatus {
  @Field(() => Boolean, {
    description:
      'True when MFA is enforced at sign-in. After `updateMyMfa` this is what CSP answered to the change.',
  })
  turnedOn: boolean;

  /** The GET status answer when the root field already read it (myMfa); otherwise loaded on demand. */
  readonly loadedStatus: MfaStatusDto | undefined;

  constructor(turnedOn: boolean, loadedStatus?: MfaStatusDto) {
    this.turnedOn = turnedOn;
    this.loadedStatus = loadedStatus;
  }
}
