/** Apollo Sandbox outside production, prefilled with an `updateMyMfa` operation and the token header to fill in. */
import { type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

export interface LandingPageOptions {
  /** No landing page at all in production. */
  readonly production: boolean;
  readonly graphqlPath: string;
}

export const SANDBOX_DOCUMENT = `# Turn your MFA on or off. Paste your CSP access token into the csp-auth-token header below.
mutation UpdateMyMfa($input: UpdateMyMfaInput!) {
  updateMyMfa(input: $input) {
    __typename
    ... on MfaStatus { turnedOn activated deviceName username }
    ... on MfaRateLimitedError { retryAfterSeconds }
    ... on MfaError { code message retryable requestId }
  }
}

query MyMfa {
  myMfa {
    __typename
    ... on MfaStatus { turnedOn activated deviceName username }
    ... on MfaError { code message retryable requestId }
  }
}

# Dates are epoch milliseconds.
query MyMfaAuditLog($audit: MfaAuditLogInput!) {
  myMfaAuditLog(input: $audit) {
    __typename
    ... on MfaAuditLogPage { totalResults events { eventDate action deviceName modifiedBy } }
    ... on MfaError { code message retryable requestId }
  }
}
`;

export function createLandingPagePlugin(options: LandingPageOptions): ApolloServerPlugin {
  if (options.production) return ApolloServerPluginLandingPageDisabled();
  return ApolloServerPluginLandingPageLocalDefault({
    footer: false,
    includeCookies: false,
    document: SANDBOX_DOCUMENT,
    // The audit window is the last 30 days as of the server's start: a sensible first try to edit.
    variables: {
      input: { password: '', turnedOn: true },
      audit: { startDate: Date.now() - 30 * 86_400_000, endDate: Date.now(), pageLimit: 20 },
    },
    headers: { 'csp-auth-token': '<paste a CSP access token>' },
    embed: { runTelemetry: false, endpointIsEditable: false },
  });
}
