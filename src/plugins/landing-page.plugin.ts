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
`;

export function createLandingPagePlugin(options: LandingPageOptions): ApolloServerPlugin {
  if (options.production) return ApolloServerPluginLandingPageDisabled();
  return ApolloServerPluginLandingPageLocalDefault({
    footer: false,
    includeCookies: false,
    document: SANDBOX_DOCUMENT,
    variables: { input: { password: '', turnedOn: true } },
    headers: { 'csp-auth-token': '<paste a CSP access token>' },
    embed: { runTelemetry: false, endpointIsEditable: false },
  });
}
