import { GraphQLError } from 'graphql';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { type MfaStatusDto } from '../backend/mfa-backend.js';
import { type MfaContext } from '../context.js';
import { SELF } from './mfa-status.loader.js';
import { MfaStatus } from './mfa-status.type.js';

/** Error code of the partial error raised when the details of a successful update cannot be read. */
export const MFA_STATUS_UNAVAILABLE = 'MFA_STATUS_UNAVAILABLE';

/**
 * The status details are read only when selected, through the request's loader: one GET per request
 * however often they are selected, none when they are not.
 */
@Resolver(() => MfaStatus)
export class MfaStatusResolver {
  @FieldResolver(() => Boolean, {
    nullable: true,
    description: 'True when an MFA device is enrolled. Null when CSP did not say.',
  })
  async activated(@Root() status: MfaStatus, @Ctx() ctx: MfaContext): Promise<boolean | null> {
    return (await statusOf(status, ctx)).activated ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Name of the enrolled MFA device. Null when there is none or CSP did not say.',
  })
  async deviceName(@Root() status: MfaStatus, @Ctx() ctx: MfaContext): Promise<string | null> {
    return (await statusOf(status, ctx)).deviceName ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'The user name CSP holds for the caller. Null when CSP did not say.',
  })
  async username(@Root() status: MfaStatus, @Ctx() ctx: MfaContext): Promise<string | null> {
    return (await statusOf(status, ctx)).username ?? null;
  }
}

async function statusOf(status: MfaStatus, ctx: MfaContext): Promise<MfaStatusDto> {
  if (status.loadedStatus) return status.loadedStatus;
  const outcome = await ctx.mfaStatusLoader().load(SELF);
  if (outcome.ok) return outcome.value;
  // The update itself succeeded; only its details are missing, so this is a partial error on the field.
  throw new GraphQLError('The MFA status details could not be read; the change itself was applied.', {
    extensions: {
      code: MFA_STATUS_UNAVAILABLE,
      mfaErrorCode: outcome.failure.code,
      requestId: outcome.failure.requestId,
    },
  });
}
