import { Field, InputType } from 'type-graphql';

@InputType('UpdateMyMfaInput', { description: "A change to the calling user's MFA." })
export class UpdateMyMfaInput {
  @Field(() => String, {
    description:
      "The caller's current password, required by CSP to change MFA. Send it as a variable, never inline in the query text.",
  })
  password!: string;

  @Field(() => Boolean, { description: 'True to enforce MFA at sign-in, false to stop enforcing it.' })
  turnedOn!: boolean;
}
