import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { parse, print } from 'graphql';
import { cspError, DEFAULT_AUDIT_PAGE, html, json, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { FOREIGN_SDL, startForeignSubgraph } from '../helpers/foreign-subgraph.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRouter, type TestRouter } from '../helpers/router.js';
import { MY_MFA_AUDIT_LOG, serviceAccountJwt, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';

const COMMITTED_SDL = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');

function compose(mfaUrl = 'http://mfa.invalid/graphql', foreignUrl = 'http://users.invalid/graphql') {
  return composeServices([
    { name: 'mfa', typeDefs: parse(COMMITTED_SDL), url: mfaUrl },
    { name: 'users', typeDefs: parse(FOREIGN_SDL), url: foreignUrl },
  ]);
}

describe('composition', () => {
  it('composes next to a subgraph with its own User, Error, UnauthenticatedError, ForbiddenError, Node and Query.me', () => {
    const result = compose();
    expect(result.errors ?? []).toEqual([]);
    const ourTypes = /Mfa|MyMfa|UpdateMyMfa|myMfa|updateMyMfa/;
    expect((result.hints ?? []).map((h) => h.toString()).filter((h) => ourTypes.test(h))).toEqual([]);
  });
});

describe('the subgraph', () => {
  let csp: FakeCsp;
  let production: TestGateway;
  let productionSdl: TestGateway;
  let productionIntrospecting: TestGateway;
  let development: TestGateway;

  beforeAll(async () => {
    csp = await startFakeCsp();
    [production, productionSdl, productionIntrospecting, development] = await Promise.all([
      startGateway({ CSP_BASE_URL: csp.url, NODE_ENV: 'production' }),
      startGateway({ CSP_BASE_URL: csp.url, NODE_ENV: 'production', FEDERATION_SDL: 'true' }),
      startGateway({ CSP_BASE_URL: csp.url, NODE_ENV: 'production', INTROSPECTION: 'true' }),
      startGateway({ CSP_BASE_URL: csp.url }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(
      [production, productionSdl, productionIntrospecting, development].map((g) => g.close()),
    );
    await csp.close();
  });

  const serviceSdl = (gateway: TestGateway) =>
    gateway.graphql<{ _service: { sdl: string } }>(
      'query __ApolloGetServiceDefinition__ { _service { sdl } }',
    );

  it('serves _service.sdl equal to the committed schema/schema.graphql in production with FEDERATION_SDL=true', async () => {
    const answer = await serviceSdl(productionSdl);
    const sdl = answer.body.data?._service.sdl ?? '';
    expect(print(parse(sdl))).toBe(print(parse(COMMITTED_SDL)));
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2');
  });

  it('refuses _service in production by default, like introspection', async () => {
    const answer = await serviceSdl(production);
    expect(answer.body.data ?? null).toBeNull();
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(answer.body)).not.toContain('updateMyMfa');
  });

  it.each([
    ['in production with INTROSPECTION=true', () => productionIntrospecting],
    ['outside production', () => development],
  ])('serves _service %s', async (_name, gateway) => {
    const answer = await serviceSdl(gateway());
    expect(answer.body.errors).toBeUndefined();
    expect(print(parse(answer.body.data?._service.sdl ?? ''))).toBe(print(parse(COMMITTED_SDL)));
  });

  it('lets FEDERATION_SDL=false refuse _service even where introspection is on', async () => {
    const closed = await startGateway({ CSP_BASE_URL: csp.url, FEDERATION_SDL: 'false' });
    try {
      const answer = await serviceSdl(closed);
      expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    } finally {
      await closed.close();
    }
  });
});

describe('through an Apollo gateway', () => {
  let csp: FakeCsp;
  let subgraph: TestGateway;
  let foreign: { url: string; close(): Promise<void> };
  let router: TestRouter['server'];
  let routerUrl: string;

  beforeAll(async () => {
    csp = await startFakeCsp();
    subgraph = await startGateway({ CSP_BASE_URL: csp.url, CSP_TIMEOUT_MS: '400' });
    foreign = await startForeignSubgraph();
    const composed = compose(subgraph.graphqlUrl, foreign.url);
    if (!composed.supergraphSdl) throw new Error(JSON.stringify(composed.errors));
    // The router setting users configure: propagate csp-auth-token from the client to this subgraph.
    ({ server: router, url: routerUrl } = await startRouter(composed.supergraphSdl));
  });

  afterAll(async () => {
    await router.stop();
    await foreign.close();
    await subgraph.close();
    await csp.close();
  });

  afterEach(() => {
    csp.requests.length = 0;
    csp.onPatch(json(200, { turnedOn: true }));
    csp.onAudit(json(200, DEFAULT_AUDIT_PAGE));
  });

  async function viaRouter(query: string, variables?: Record<string, unknown>, token?: string) {
    const response = await fetch(routerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { 'csp-auth-token': token } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
  }

  const input = { input: { password: 'p', turnedOn: true } };

  it('carries the token from the client through the router to CSP', async () => {
    const token = userJwt();
    const answer = await viaRouter(UPDATE_MY_MFA, input, token);
    expect(answer.data?.updateMyMfa).toEqual({ __typename: 'MfaStatus', turnedOn: true });
    expect(csp.requests[0]?.headers['csp-auth-token']).toBe(token);
  });

  it.each([
    ['CSP 400', 'MfaPasswordRequiredError', 'PASSWORD_REQUIRED', cspError(400)],
    ['CSP 401', 'MfaUnauthenticatedError', 'UNAUTHENTICATED', cspError(401)],
    ['CSP 403', 'MfaWrongPasswordError', 'WRONG_PASSWORD', cspError(403)],
    ['CSP 404', 'MfaNotFoundError', 'NOT_FOUND', cspError(404)],
    ['CSP 409', 'MfaConflictError', 'CONFLICT', cspError(409)],
    ['CSP 429', 'MfaRateLimitedError', 'RATE_LIMITED', cspError(429, {}, { 'retry-after': '9' })],
    ['CSP 500', 'MfaUnexpectedError', 'UNEXPECTED', cspError(500)],
    ['an HTML 502', 'MfaUpstreamUnavailableError', 'UPSTREAM_UNAVAILABLE', html(502)],
  ])('passes %s through the router intact as %s', async (_label, typename, code, reply) => {
    csp.onPatch(reply);
    const answer = await viaRouter(UPDATE_MY_MFA, input, userJwt());
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.updateMyMfa).toMatchObject({ __typename: typename, code });
    if (typename === 'MfaRateLimitedError') expect(answer.data?.updateMyMfa?.retryAfterSeconds).toBe(9);
    if (code !== 'UPSTREAM_UNAVAILABLE')
      expect(answer.data?.updateMyMfa).toMatchObject({ moduleCode: 420, requestId: 'csp-req-1' });
  });

  it('passes local refusals through the router intact', async () => {
    expect((await viaRouter(UPDATE_MY_MFA, input)).data?.updateMyMfa).toMatchObject({
      __typename: 'MfaUnauthenticatedError',
    });
    expect(
      (await viaRouter(UPDATE_MY_MFA, { input: { password: '', turnedOn: true } }, userJwt())).data
        ?.updateMyMfa,
    ).toMatchObject({
      __typename: 'MfaPasswordRequiredError',
    });
    expect((await viaRouter(UPDATE_MY_MFA, input, serviceAccountJwt())).data?.updateMyMfa).toMatchObject({
      __typename: 'MfaServiceAccountNotAllowedError',
    });
    expect(csp.requests).toHaveLength(0);
  });

  it('answers myMfa through the router next to the foreign subgraph', async () => {
    const query = `query Both {
      me { __typename ... on User { name } }
      myMfa { __typename ... on MfaStatus { turnedOn deviceName } }
    }`;
    const answer = await viaRouter(query, undefined, userJwt());
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.me).toEqual({ __typename: 'User', name: 'Alice' });
    expect(answer.data?.myMfa).toMatchObject({
      __typename: 'MfaStatus',
      turnedOn: true,
      deviceName: 'Pixel 9',
    });
  });

  it('passes the audit log and its MfaInvalidRequestError through the router intact', async () => {
    const input = { input: { startDate: 1_767_000_000_000, endDate: 1_767_300_000_000 } };
    const page = await viaRouter(MY_MFA_AUDIT_LOG, input, userJwt());
    expect(page.errors).toBeUndefined();
    expect(page.data?.myMfaAuditLog).toMatchObject({
      __typename: 'MfaAuditLogPage',
      totalResults: 2,
      events: [{ eventId: 'ev-2', action: 'MFA_ENABLE', eventDate: 1_767_225_600_000 }, { eventId: 'ev-1' }],
    });
    csp.onAudit(cspError(400, { errorCode: 'END_BEFORE_START' }));
    const refused = await viaRouter(MY_MFA_AUDIT_LOG, input, userJwt());
    expect(refused.errors).toBeUndefined();
    expect(refused.data?.myMfaAuditLog).toMatchObject({
      __typename: 'MfaInvalidRequestError',
      code: 'INVALID_REQUEST',
      statusCode: 400,
      errorCode: 'END_BEFORE_START',
      requestId: 'csp-req-1',
    });
  });
});
