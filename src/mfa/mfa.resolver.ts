import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type MfaFailureCode } from '../backend/mfa-backend.js';
import { type MfaContext } from '../context.js';
import { MY_MFA_CODES, toMfaErrorMember, UPDATE_MY_MFA_CODES } from './mfa-error.mapper.js';
import { MyMfaResult, UpdateMyMfaResult } from './mfa-results.union.js';
import { MfaStatus } from './mfa-status.type.js';
import { SELF } from './mfa-status.loader.js';
import { UpdateMyMfaInput } from './update-my-mfa.input.js';

/** The root fields. Access policy (service accounts) is applied around them by auth/permissions.ts. */
@Resolver()
export class MfaResolver {
  @Mutation(() => UpdateMyMfaResult, {
    description:
      "Turns the calling user's MFA on or off (CSP `PATCH /csp/gateway/iam/vmwid/api/principal/mfa`). The caller is identified by the `csp-auth-token` header. Never retried by the gateway: a retried wrong password counts against the user's lockout.",
  })
  async updateMyMfa(
    @Arg('input', () => UpdateMyMfaInput) input: UpdateMyMfaInput,
    @Ctx() ctx: MfaContext,
  ): Promise<typeof UpdateMyMfaResult> {
    if (!ctx.token) return localFailure('UNAUTHENTICATED', ctx, UPDATE_MY_MFA_CODES);
    if (input.password.length === 0) return localFailure('PASSWORD_REQUIRED', ctx, UPDATE_MY_MFA_CODES);
    const outcome = await ctx.backend.updateMfa({
      ...ctx.backendCall(),
      password: input.password,
      turnedOn: input.turnedOn,
    });
    if (!outcome.ok) return toMfaErrorMember(outcome.failure, UPDATE_MY_MFA_CODES);
    return new MfaStatus(outcome.value.turnedOn);
  }

  @Query(() => MyMfaResult, {
    description:
      "The calling user's MFA status (CSP `GET /csp/gateway/iam/vmwid/api/principal/mfa/status`). The caller is identified by the `csp-auth-token` header.",
  })
  async myMfa(@Ctx() ctx: MfaContext): Promise<typeof MyMfaResult> {
    if (!ctx.token) return localFailure('UNAUTHENTICATED', ctx, MY_MFA_CODES);
    const outcome = await ctx.mfaStatusLoader().load(SELF);
    if (!outcome.ok) return toMfaErrorMember(outcome.failure, MY_MFA_CODES);
    // CSP documents every status field as optional; an absent `turnedOn` means MFA is not enforced.
    return new MfaStatus(outcome.value.turnedOn ?? false, outcome.value);
  }
}

/** A failure decided here, before any upstream call. */
function localFailure(code: MfaFailureCode, ctx: MfaContext, allowed: ReadonlySet<MfaFailureCode>) {
  return toMfaErrorMember({ code, requestId: ctx.requestId }, allowed);
}
