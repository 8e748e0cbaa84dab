import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { CSP_MFA_AUDIT_PATH, CSP_MFA_PATH, CSP_MFA_STATUS_PATH } from '../backend/csp/csp-paths.js';
import { type MfaFailureCode } from '../backend/mfa-backend.js';
import { type MfaContext } from '../context.js';
import { localAuditProblem, MfaAuditLogInput } from './mfa-audit-log.input.js';
import { MfaAuditLogPage } from './mfa-audit-log-page.type.js';
import {
  MY_MFA_AUDIT_LOG_CODES,
  MY_MFA_CODES,
  toMfaErrorMember,
  UPDATE_MY_MFA_CODES,
} from './mfa-error.mapper.js';
import { MyMfaAuditLogResult, MyMfaResult, UpdateMyMfaResult } from './mfa-results.union.js';
import { MfaStatus } from './mfa-status.type.js';
import { SELF } from './mfa-status.loader.js';
import { UpdateMyMfaInput } from './update-my-mfa.input.js';

/** The root fields. Access policy (service accounts) is applied around them by auth/permissions.ts. */
@Resolver()
export class MfaResolver {
  @Mutation(() => UpdateMyMfaResult, {
    description: `Turns the calling user's MFA on or off (CSP \`PATCH ${CSP_MFA_PATH}\`). The caller is identified by the \`csp-auth-token\` header. Never retried by the gateway: a retried wrong password counts against the user's lockout.`,
  })
  async updateMyMfa(
    @Arg('input', () => UpdateMyMfaInput) input: UpdateMyMfaInput,
    @Ctx() ctx: MfaContext,
  ): Promise<typeof UpdateMyMfaResult> {
    if (!ctx.caller) return localFailure('UNAUTHENTICATED', ctx, UPDATE_MY_MFA_CODES);
    if (input.password.length === 0) return localFailure('PASSWORD_REQUIRED', ctx, UPDATE_MY_MFA_CODES);
    const outcome = await ctx.backend.updateMfa(
      ctx.backendCall({ password: input.password, turnedOn: input.turnedOn }),
    );
    if (!outcome.ok) return toMfaErrorMember(outcome.failure, UPDATE_MY_MFA_CODES);
    return new MfaStatus(outcome.value.turnedOn);
  }

  @Query(() => MyMfaResult, {
    description: `The calling user's MFA status (CSP \`GET ${CSP_MFA_STATUS_PATH}\`). The caller is identified by the \`csp-auth-token\` header.`,
  })
  async myMfa(@Ctx() ctx: MfaContext): Promise<typeof MyMfaResult> {
    if (!ctx.caller) return localFailure('UNAUTHENTICATED', ctx, MY_MFA_CODES);
    const outcome = await ctx.mfaStatusLoader().load(SELF);
    if (!outcome.ok) return toMfaErrorMember(outcome.failure, MY_MFA_CODES);
    // CSP documents every status field as optional; an absent `turnedOn` means MFA is not enforced.
    return new MfaStatus(outcome.value.turnedOn ?? false, outcome.value);
  }

  @Query(() => MyMfaAuditLogResult, {
    description: `One page of the calling user's MFA audit log, newest first (CSP \`POST ${CSP_MFA_AUDIT_PATH}\`). The caller is identified by the \`csp-auth-token\` header. A query that is invalid on its face (end before start, more than 20 event ids or device names, a negative page value) is refused without a call.`,
  })
  async myMfaAuditLog(
    @Arg('input', () => MfaAuditLogInput) input: MfaAuditLogInput,
    @Ctx() ctx: MfaContext,
  ): Promise<typeof MyMfaAuditLogResult> {
    if (!ctx.caller) return localFailure('UNAUTHENTICATED', ctx, MY_MFA_AUDIT_LOG_CODES);
    const problem = localAuditProblem(input);
    if (problem) return localFailure('INVALID_REQUEST', ctx, MY_MFA_AUDIT_LOG_CODES, problem);
    const outcome = await ctx.backend.getMfaAudit(ctx.backendCall(), {
      startDate: input.startDate,
      endDate: input.endDate,
      ...(input.actions ? { actions: input.actions } : {}),
      ...(input.deviceNames ? { deviceNames: input.deviceNames } : {}),
      ...(input.eventIds ? { eventIds: input.eventIds } : {}),
      ...(input.pageLimit === undefined || input.pageLimit === null ? {} : { pageLimit: input.pageLimit }),
      ...(input.pageStart === undefined || input.pageStart === null ? {} : { pageStart: input.pageStart }),
    });
    if (!outcome.ok) return toMfaErrorMember(outcome.failure, MY_MFA_AUDIT_LOG_CODES);
    return MfaAuditLogPage.from(outcome.value);
  }
}

/** A failure decided here, before any upstream call. */
function localFailure(
  code: MfaFailureCode,
  ctx: MfaContext,
  allowed: ReadonlySet<MfaFailureCode>,
  errorCode?: string,
) {
  return toMfaErrorMember({ code, requestId: ctx.requestId, ...(errorCode ? { errorCode } : {}) }, allowed);
}
