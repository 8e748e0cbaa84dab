import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  cspError,
  drop,
  empty,
  hang,
  html,
  json,
  PATCH_PATH,
  redirect,
  startFakeCsp,
  STATUS_PATH,
  truncated,
  type FakeCsp,
} from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { serviceAccountJwt, UPDATE_MY_MFA, UPDATE_MY_MFA_DETAILS, userJwt } from '../helpers/operations.js';
import { type UpdateMyMfaMutation, type UpdateMyMfaDetailsMutation } from '../generated/operations.js';

type Member = UpdateMyMfaMutation['updateMyMfa'];

let csp: FakeCsp;
let other: FakeCsp;
let gateway: TestGateway;
const TOKEN = userJwt();

beforeAll(async () => {
  csp = await startFakeCsp();
  other = await startFakeCsp();
  gateway = await startGateway({ CSP_BASE_URL: csp.url, CSP_TIMEOUT_MS: '400' });
});

afterAll(async () => {
  await gateway.close();
  await csp.close();
  await other.close();
});

afterEach(() => {
  csp.requests.length = 0;
  other.requests.length = 0;
  csp.onPatch(json(200, { turnedOn: true }));
});

async function update(
  input: { password: string; turnedOn: boolean } = { password: 'correct horse', turnedOn: true },
  headers: Record<string, string> = { 'csp-auth-token': TOKEN },
): Promise<Member> {
  const answer = await gateway.graphql<UpdateMyMfaMutation>(UPDATE_MY_MFA, { input }, headers);
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  const member = answer.body.data?.updateMyMfa;
  if (!member) throw new Error(`no data in ${JSON.stringify(answer.body)}`);
  return member;
}

describe('updateMyMfa forwarding', () => {
  it('sends one PATCH with the token and the JSON body, and returns MfaStatus from the answer', async () => {
    csp.onPatch(json(200, { turnedOn: false }));
    const member = await update({ password: 'correct horse', turnedOn: false });

    expect(member).toEqual({ __typename: 'MfaStatus', turnedOn: false });
    expect(csp.requests).toHaveLength(1);
    const [sent] = csp.requests;
    expect(sent?.method).toBe('PATCH');
    expect(sent?.path).toBe(PATCH_PATH);
    expect(sent?.headers['csp-auth-token']).toBe(TOKEN);
    expect(sent?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(sent?.body ?? '')).toEqual({ password: 'correct horse', turnedOn: false });
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.headers['x-request-id']).toMatch(/.+/);
  });

  it('ignores Authorization: Bearer by default, so a propagated identity-provider token never reaches CSP', async () => {
    expect(await update(undefined, { authorization: `Bearer ${TOKEN}` })).toMatchObject({
      __typename: 'MfaUnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
    expect(csp.requests).toHaveLength(0);
  });

  it('with ACCEPT_AUTHORIZATION_BEARER=true, reads Authorization: Bearer when csp-auth-token is absent and forwards it as csp-auth-token', async () => {
    const bearer = await startGateway({ CSP_BASE_URL: csp.url, ACCEPT_AUTHORIZATION_BEARER: 'true' });
    try {
      const answer = await bearer.graphql<UpdateMyMfaMutation>(
        UPDATE_MY_MFA,
        { input: { password: 'correct horse', turnedOn: true } },
        { authorization: `Bearer ${TOKEN}` },
      );
      expect(answer.body.data?.updateMyMfa.__typename).toBe('MfaStatus');
      expect(csp.requests).toHaveLength(1);
      expect(csp.requests[0]?.headers['csp-auth-token']).toBe(TOKEN);
      expect(csp.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await bearer.close();
    }
  });

  it('treats a 200 without turnedOn as the requested state', async () => {
    csp.onPatch(json(200, {}));
    expect(await update({ password: 'p', turnedOn: true })).toEqual({
      __typename: 'MfaStatus',
      turnedOn: true,
    });
  });

  it('does not retry the PATCH on failure', async () => {
    csp.onPatch(cspError(500));
    await update();
    expect(csp.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });
});

describe('updateMyMfa local refusals (no upstream call)', () => {
  it('returns MfaUnauthenticatedError when no token is sent', async () => {
    const member = await update(undefined, {});
    expect(member).toMatchObject({
      __typename: 'MfaUnauthenticatedError',
      code: 'UNAUTHENTICATED',
      retryable: false,
    });
    expect(member.__typename !== 'MfaStatus' && member.requestId).toBeTruthy();
    expect(csp.requests).toHaveLength(0);
  });

  it('returns MfaUnauthenticatedError when the token cannot be a token', async () => {
    const member = await update(undefined, { 'csp-auth-token': 'has spaces in it' });
    expect(member.__typename).toBe('MfaUnauthenticatedError');
    expect(csp.requests).toHaveLength(0);
  });

  it('returns MfaPasswordRequiredError for an empty password', async () => {
    const member = await update({ password: '', turnedOn: true });
    expect(member).toMatchObject({
      __typename: 'MfaPasswordRequiredError',
      code: 'PASSWORD_REQUIRED',
      retryable: false,
    });
    expect(csp.requests).toHaveLength(0);
  });

  it('returns MfaServiceAccountNotAllowedError for a client-credentials token', async () => {
    const member = await update(undefined, { 'csp-auth-token': serviceAccountJwt() });
    expect(member).toMatchObject({
      __typename: 'MfaServiceAccountNotAllowedError',
      code: 'SERVICE_ACCOUNT_NOT_ALLOWED',
      retryable: false,
    });
    expect(csp.requests).toHaveLength(0);
  });

  it('sends opaque (non-JWT) tokens on to CSP, which stays the authority', async () => {
    expect((await update(undefined, { 'csp-auth-token': 'opaque-token-123' })).__typename).toBe('MfaStatus');
    expect(csp.requests[0]?.headers['csp-auth-token']).toBe('opaque-token-123');
  });
});

describe('updateMyMfa documented CSP answers', () => {
  const cases: Array<[number, Member['__typename'], string, boolean]> = [
    [400, 'MfaPasswordRequiredError', 'PASSWORD_REQUIRED', false],
    [401, 'MfaUnauthenticatedError', 'UNAUTHENTICATED', false],
    [403, 'MfaWrongPasswordError', 'WRONG_PASSWORD', false],
    [404, 'MfaNotFoundError', 'NOT_FOUND', false],
    [409, 'MfaConflictError', 'CONFLICT', false],
    [429, 'MfaRateLimitedError', 'RATE_LIMITED', true],
    [500, 'MfaUnexpectedError', 'UNEXPECTED', true],
  ];

  it.each(cases)('maps CSP %i to %s with the CSP error fields', async (status, typename, code, retryable) => {
    csp.onPatch(
      cspError(status, {
        stackTrace: 'at com.vmware.Secret(Foo.java:1)',
        service: 'http://internal.vmware/x',
      }),
    );
    const member = await update();
    expect(member).toMatchObject({
      __typename: typename,
      code,
      retryable,
      statusCode: status,
      cspErrorCode: '420.100',
      errorCode: 'vmwid.mfa.error',
      moduleCode: 420,
      requestId: 'csp-req-1',
    });
    expect(JSON.stringify(member)).not.toMatch(/stackTrace|Secret|internal\.vmware|trace-xyz/);
  });

  it('carries Retry-After on a 429 as retryAfterSeconds', async () => {
    csp.onPatch(cspError(429, {}, { 'retry-after': '37' }));
    expect(await update()).toMatchObject({ __typename: 'MfaRateLimitedError', retryAfterSeconds: 37 });
  });

  it('leaves retryAfterSeconds null on a 429 without Retry-After', async () => {
    csp.onPatch(cspError(429));
    expect(await update()).toMatchObject({ __typename: 'MfaRateLimitedError', retryAfterSeconds: null });
  });

  // retryAfterSeconds is a GraphQL Int: an unclamped far-future wait used to become "Unexpected error.".
  it.each([
    ['a date in year 9999', 'Fri, 31 Dec 9999 23:59:59 GMT', 86_400],
    ['an 11-digit number', '99999999999', 86_400],
    ['a 30-digit number', '9'.repeat(30), 86_400],
    ['a date in the past', 'Sun, 06 Nov 1994 08:49:37 GMT', 1],
    ['zero', '0', 1],
    ['a negative number', '-5', null],
    ['a fraction', '2.5', null],
    ['garbage', 'in a while', null],
  ])(
    'answers a 429 with Retry-After of %s as MfaRateLimitedError with a sane wait',
    async (_name, value, wait) => {
      csp.onPatch(cspError(429, {}, { 'retry-after': value }));
      expect(await update()).toMatchObject({
        __typename: 'MfaRateLimitedError',
        code: 'RATE_LIMITED',
        retryAfterSeconds: wait,
      });
    },
  );

  it('reads a near Retry-After date as the seconds until then', async () => {
    csp.onPatch(cspError(429, {}, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() }));
    const member = await update();
    expect(member.__typename).toBe('MfaRateLimitedError');
    const wait = member.__typename === 'MfaRateLimitedError' ? member.retryAfterSeconds : undefined;
    expect(wait).toBeGreaterThanOrEqual(100);
    expect(wait).toBeLessThanOrEqual(120);
  });

  it('falls back to the csp-request-id header when the body has no requestId', async () => {
    csp.onPatch(cspError(403, { requestId: undefined }));
    expect(await update()).toMatchObject({ __typename: 'MfaWrongPasswordError', requestId: 'csp-header-id' });
  });

  it('accepts moduleCode as a number', async () => {
    csp.onPatch(cspError(409, { moduleCode: 540 }));
    expect(await update()).toMatchObject({ __typename: 'MfaConflictError', moduleCode: 540 });
  });

  it('maps an undocumented status to MfaUnexpectedError carrying its statusCode', async () => {
    csp.onPatch(cspError(418));
    expect(await update()).toMatchObject({
      __typename: 'MfaUnexpectedError',
      code: 'UNEXPECTED',
      statusCode: 418,
      retryable: false,
    });
  });
});

describe('updateMyMfa upstream faults', () => {
  const unavailable = {
    __typename: 'MfaUpstreamUnavailableError',
    code: 'UPSTREAM_UNAVAILABLE',
    retryable: true,
  };

  it.each([502, 503, 504])('maps an HTML %i page to MfaUpstreamUnavailableError', async (status) => {
    csp.onPatch(html(status));
    expect(await update()).toMatchObject({ ...unavailable, statusCode: status });
  });

  it('maps a 200 with an HTML page to MfaUpstreamUnavailableError', async () => {
    csp.onPatch(html(200));
    expect(await update()).toMatchObject(unavailable);
  });

  it('maps a 200 with an empty body to MfaUpstreamUnavailableError', async () => {
    csp.onPatch(empty(200));
    expect(await update()).toMatchObject(unavailable);
  });

  it('maps a 200 with JSON of the wrong shape to MfaUpstreamUnavailableError', async () => {
    csp.onPatch(json(200, { turnedOn: 'yes' }));
    expect(await update()).toMatchObject(unavailable);
  });

  it('maps a cut-off body to MfaUpstreamUnavailableError', async () => {
    csp.onPatch(truncated);
    expect(await update()).toMatchObject(unavailable);
  });

  it('maps a dropped connection to MfaUpstreamUnavailableError', async () => {
    csp.onPatch(drop);
    expect(await update()).toMatchObject(unavailable);
  });

  it('maps a hang past the timeout to MfaUpstreamUnavailableError within the timeout', async () => {
    csp.onPatch(hang);
    const started = Date.now();
    expect(await update()).toMatchObject(unavailable);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('never follows a redirect, so the token never reaches another host', async () => {
    csp.onPatch(redirect(`${other.url}${PATCH_PATH}`));
    expect(await update()).toMatchObject({ __typename: 'MfaUnexpectedError', statusCode: 302 });
    expect(other.requests).toHaveLength(0);
    expect(csp.requests).toHaveLength(1);
  });

  it('maps connection refused to MfaUpstreamUnavailableError', async () => {
    const closed = await startFakeCsp();
    await closed.close();
    const lonely = await startGateway({ CSP_BASE_URL: closed.url });
    try {
      const answer = await lonely.graphql<UpdateMyMfaMutation>(
        UPDATE_MY_MFA,
        { input: { password: 'p', turnedOn: true } },
        { 'csp-auth-token': TOKEN },
      );
      expect(answer.body.data?.updateMyMfa).toMatchObject(unavailable);
    } finally {
      await lonely.close();
    }
  });
});

describe('updateMyMfa status details', () => {
  it('reads activated, deviceName and username with one GET however often they are selected', async () => {
    const answer = await gateway.graphql<UpdateMyMfaDetailsMutation>(
      UPDATE_MY_MFA_DETAILS,
      { input: { password: 'p', turnedOn: true } },
      { 'csp-auth-token': TOKEN },
    );
    expect(answer.body.data?.updateMyMfa).toEqual({
      __typename: 'MfaStatus',
      turnedOn: true,
      activated: true,
      again: true,
      deviceName: 'Pixel 9',
      username: 'alice@example.com',
    });
    const gets = csp.requests.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(1);
    expect(gets[0]?.path).toBe(STATUS_PATH);
    expect(gets[0]?.headers['csp-auth-token']).toBe(TOKEN);
  });

  it('shares one GET across aliased root fields of one request', async () => {
    const query = `mutation Two($input: UpdateMyMfaInput!) {
      a: updateMyMfa(input: $input) { ... on MfaStatus { activated } }
      b: updateMyMfa(input: $input) { ... on MfaStatus { deviceName username } }
    }`;
    const answer = await gateway.graphql(
      query,
      { input: { password: 'p', turnedOn: true } },
      { 'csp-auth-token': TOKEN },
    );
    expect(answer.body.data).toEqual({
      a: { activated: true },
      b: { deviceName: 'Pixel 9', username: 'alice@example.com' },
    });
    expect(csp.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(csp.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
  });

  it('makes a fresh GET per request, with that request’s token', async () => {
    const other = userJwt({ username: 'bob@example.com', sub: 'vmwareid:b0b' });
    await gateway.graphql(
      UPDATE_MY_MFA_DETAILS,
      { input: { password: 'p', turnedOn: true } },
      { 'csp-auth-token': TOKEN },
    );
    await gateway.graphql(
      UPDATE_MY_MFA_DETAILS,
      { input: { password: 'p', turnedOn: true } },
      { 'csp-auth-token': other },
    );
    const gets = csp.requests.filter((r) => r.method === 'GET');
    expect(gets.map((g) => g.headers['csp-auth-token'])).toEqual([TOKEN, other]);
  });

  it('makes no GET when no detail is selected', async () => {
    await update();
    expect(csp.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
  });

  it('keeps the update and reports a typed partial error when the details cannot be read', async () => {
    csp.onStatus(cspError(500));
    try {
      const answer = await gateway.graphql<UpdateMyMfaDetailsMutation>(
        UPDATE_MY_MFA_DETAILS,
        { input: { password: 'p', turnedOn: true } },
        { 'csp-auth-token': TOKEN },
      );
      expect(answer.body.data?.updateMyMfa).toMatchObject({
        __typename: 'MfaStatus',
        turnedOn: true,
        activated: null,
      });
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({
        code: 'MFA_STATUS_UNAVAILABLE',
        mfaErrorCode: 'UNEXPECTED',
      });
      // Shield lets genuine resolver errors through instead of masking them as "Not Authorised!".
      expect(answer.body.errors?.[0]?.message).not.toMatch(/Not Authori[sz]ed/);
    } finally {
      csp.onStatus(
        json(200, { activated: true, deviceName: 'Pixel 9', turnedOn: true, username: 'alice@example.com' }),
      );
    }
  });
});

describe('updateMyMfa cancellation', () => {
  it('cancels the upstream call when the client disconnects', async () => {
    const slow = await startGateway({ CSP_BASE_URL: csp.url, CSP_TIMEOUT_MS: '10000' });
    csp.onPatch(hang);
    try {
      const controller = new AbortController();
      const pending = fetch(slow.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'csp-auth-token': TOKEN },
        body: JSON.stringify({
          query: UPDATE_MY_MFA,
          variables: { input: { password: 'p', turnedOn: true } },
        }),
        signal: controller.signal,
      }).catch(() => 'aborted');
      while (csp.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      const abortedAt = performance.now();
      controller.abort();
      expect(await pending).toBe('aborted');
      await csp.cancelled();
      // Cut off because the client left, not because the 10 s upstream timeout passed.
      expect(performance.now() - abortedAt).toBeLessThan(3_000);
    } finally {
      await slow.close();
    }
  });
});
