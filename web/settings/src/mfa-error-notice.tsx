/**
 * Shows any MfaError member the way the product should: a title per code, the gateway's message (written
 * to be shown), the next step, and the request id to quote. Branches on `code`, never on the message.
 */
import { useState } from 'react';
import { type MfaErrorCode, type MfaErrorMember } from 'csp-mfa-graphql/client';
import { formatSeconds, useCountdown } from './use-countdown.js';

const TITLES: Record<MfaErrorCode, string> = {
  WRONG_PASSWORD: 'That password is not right',
  PASSWORD_REQUIRED: 'Enter your password',
  RATE_LIMITED: 'Too many attempts',
  SERVICE_ACCOUNT_NOT_ALLOWED: 'This is a service account',
  UPSTREAM_UNAVAILABLE: 'VMware Cloud Services cannot be reached',
  UNAUTHENTICATED: 'Your sign-in has expired',
  FORBIDDEN: 'You cannot manage MFA here',
  NOT_FOUND: 'No MFA details for this account',
  CONFLICT: 'MFA cannot be changed right now',
  INVALID_REQUEST: 'The request was not accepted',
  UNEXPECTED: 'Something went wrong',
};

export interface MfaErrorNoticeProps {
  readonly error: MfaErrorMember & { readonly retryAfterSeconds?: number | null };
  /** Offered when trying again can help (`retryable`), and once a rate limit has run out. */
  readonly onRetry?: () => void;
  readonly retryLabel?: string;
  /** Offered when a new token is the way forward. */
  readonly onSignOut?: () => void;
  /** When the answer arrived (epoch ms), for the rate-limit countdown. Defaults to when this is first shown. */
  readonly receivedAt?: number;
}

export function MfaErrorNotice(props: MfaErrorNoticeProps) {
  const { error, onRetry, retryLabel = 'Try again', onSignOut } = props;
  const [receivedAt] = useState(() => props.receivedAt ?? Date.now());
  const left = useCountdown(error.code === 'RATE_LIMITED' ? error.retryAfterSeconds : null, receivedAt);
  const waiting = left !== null && left > 0;
  const needsNewToken = error.code === 'UNAUTHENTICATED' || error.code === 'SERVICE_ACCOUNT_NOT_ALLOWED';
  return (
    <div
      className={`notice ${error.retryable ? 'warning' : 'error'}`}
      role="alert"
      data-error-code={error.code}
    >
      <strong>{TITLES[error.code]}</strong>
      <p>{error.message}</p>
      {error.code === 'RATE_LIMITED' && (
        <p className="countdown" data-testid="countdown" aria-live="polite">
          {left === null
            ? 'Wait a little before trying again.'
            : waiting
              ? `You can try again in ${formatSeconds(left)}.`
              : 'You can try again now.'}
        </p>
      )}
      {error.code === 'SERVICE_ACCOUNT_NOT_ALLOWED' && (
        <p>MFA settings belong to people. Sign in with a user’s token instead.</p>
      )}
      <div className="actions">
        {onRetry && error.retryable && (
          <button type="button" onClick={onRetry} disabled={waiting}>
            {retryLabel}
          </button>
        )}
        {onSignOut && needsNewToken && (
          <button type="button" onClick={onSignOut}>
            Sign in again
          </button>
        )}
      </div>
      {error.requestId && (
        <p className="reference">
          Reference for support: <code>{error.requestId}</code>
        </p>
      )}
    </div>
  );
}

/** A failure outside the typed answers (gateway unreachable, a refused or masked request). */
export function GatewayProblem({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const code = (error as { errors?: ReadonlyArray<{ extensions?: { code?: unknown } }> }).errors?.[0]
    ?.extensions?.code;
  return (
    <div className="notice error" role="alert" data-error-code={typeof code === 'string' ? code : 'NETWORK'}>
      <strong>The gateway did not answer as expected</strong>
      <p>{error.message}</p>
      {onRetry && (
        <div className="actions">
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        </div>
      )}
    </div>
  );
}
