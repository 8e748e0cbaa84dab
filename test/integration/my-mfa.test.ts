import { describe, expect, it } from '@jest/globals';
import { cspError, DEFAULT_STATUS, drop, html, json, STATUS_PATH } from '../helpers/fake-csp.js';
import { useGatewayOnFakeCsp } from '../helpers/harness.js';
import { MY_MFA, serviceAccountJwt, userJwt } from '../helpers/operations.js';
import { type MyMfaQuery } from '../generated/operations.js';

const { csp, gateway } = useGatewayOnFakeCsp({ CSP_TIMEOUT_MS: '400' });
const TOKEN = userJwt();

async function myMfa(
  headers: Record<string, string> = { 'csp-auth-token': TOKEN },
): Promise<MyMfaQuery['myMfa']> {
  const answer = await gateway.graphql<MyMfaQuery>(MY_MFA, undefined, headers);
  expect(answer.body.errors).toBeUndefined();
  const member = answer.body.data?.myMfa;
  if (!member) throw new Error(`no data in ${JSON.stringify(answer.body)}`);
  return member;
}

describe('myMfa', () => {
  it('returns MfaStatus from one GET with the caller token', async () => {
    expect(await myMfa()).toEqual({ __typename: 'MfaStatus', ...DEFAULT_STATUS });
    expect(csp.requests).toHaveLength(1);
    expect(csp.requests[0]).toMatchObject({ method: 'GET', path: STATUS_PATH });
    expect(csp.requests[0]?.headers['csp-auth-token']).toBe(TOKEN);
  });

  it('reads an absent turnedOn as false and absent details as null', async () => {
    csp.onStatus(json(200, {}));
    expect(await myMfa()).toEqual({
      __typename: 'MfaStatus',
      turnedOn: false,
      activated: null,
      deviceName: null,
      username: null,
    });
  });

  it('shares one GET between aliased myMfa fields', async () => {
    const answer = await gateway.graphql(
      '{ a: myMfa { ... on MfaStatus { turnedOn } } b: myMfa { ... on MfaStatus { deviceName } } }',
      undefined,
      { 'csp-auth-token': TOKEN },
    );
    expect(answer.body.data).toEqual({ a: { turnedOn: true }, b: { deviceName: 'Pixel 9' } });
    expect(csp.requests).toHaveLength(1);
  });

  it('returns MfaUnauthenticatedError without a token and calls nothing', async () => {
    expect(await myMfa({})).toMatchObject({ __typename: 'MfaUnauthenticatedError', code: 'UNAUTHENTICATED' });
    expect(csp.requests).toHaveLength(0);
  });

  it('returns MfaServiceAccountNotAllowedError for a service account and calls nothing', async () => {
    expect(await myMfa({ 'csp-auth-token': serviceAccountJwt() })).toMatchObject({
      __typename: 'MfaServiceAccountNotAllowedError',
      code: 'SERVICE_ACCOUNT_NOT_ALLOWED',
    });
    expect(csp.requests).toHaveLength(0);
  });

  it.each([
    [401, 'MfaUnauthenticatedError', 'UNAUTHENTICATED'],
    [403, 'MfaForbiddenError', 'FORBIDDEN'],
    [404, 'MfaNotFoundError', 'NOT_FOUND'],
    [429, 'MfaRateLimitedError', 'RATE_LIMITED'],
    [500, 'MfaUnexpectedError', 'UNEXPECTED'],
  ])('maps CSP %i on the status read to %s', async (status, typename, code) => {
    csp.onStatus(cspError(status));
    expect(await myMfa()).toMatchObject({ __typename: typename, code, statusCode: status, moduleCode: 420 });
  });

  it('maps a 409 on the status read (undocumented there) to MfaUnexpectedError', async () => {
    csp.onStatus(cspError(409));
    expect(await myMfa()).toMatchObject({
      __typename: 'MfaUnexpectedError',
      statusCode: 409,
      retryable: false,
    });
  });

  it('maps an HTML 503 and a dropped connection to MfaUpstreamUnavailableError', async () => {
    csp.onStatus(html(503));
    expect(await myMfa()).toMatchObject({ __typename: 'MfaUpstreamUnavailableError', retryable: true });
    csp.onStatus(drop);
    expect(await myMfa()).toMatchObject({ __typename: 'MfaUpstreamUnavailableError', retryable: true });
  });

  it('maps a status of the wrong shape to MfaUpstreamUnavailableError', async () => {
    csp.onStatus(json(200, { activated: 'yes' }));
    expect(await myMfa()).toMatchObject({ __typename: 'MfaUpstreamUnavailableError' });
  });
});
